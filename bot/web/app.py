"""The app factory: ``create_app(settings, db)`` → the portal and the console as one ASGI app.

Served by ``gunmane serve web`` (uvicorn). A missing ``GUNMANE_WEB_SECRET_KEY`` stops
start-up with a message naming it, unless ``insecure_dev`` (then a random key lives for
this process only, and the first log line says so).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.web.i18n import language_of, translate
from bot.web.middleware import SecurityMiddleware
from bot.web.routes import (
    admin_accounts,
    admin_dashboard,
    admin_events,
    admin_groups,
    admin_import,
    admin_intros,
    admin_queues,
    admin_record_actions,
    admin_records,
    admin_visits,
    auth,
    portal_cases,
    portal_forms,
    portal_profile,
    portal_trainings,
    portal_visits,
)
from bot.web.state import WebState
from knowledge.db import Database
from knowledge.errors import ConfigError
from knowledge.settings import Settings

log = logging.getLogger("gunmane.web")
HERE = Path(__file__).parent
MIN_SECRET_LENGTH = 32


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    return env


def secret_key(settings: Settings, *, insecure_dev: bool) -> str:
    if settings.web_secret_key is not None:
        value = settings.web_secret_key.get_secret_value()
        if len(value) < MIN_SECRET_LENGTH:
            raise ConfigError(f"GUNMANE_WEB_SECRET_KEY is {len(value)} characters long; use at least "
                              f"{MIN_SECRET_LENGTH} random characters (python -c 'import secrets; "
                              "print(secrets.token_urlsafe(48))').")
        return value
    if insecure_dev:
        log.warning("web: GUNMANE_WEB_SECRET_KEY is not set — using a random key for this process only "
                    "(--insecure-dev): sessions and profile links end when it stops. Never run it like this in "
                    "production.")
        return secrets.token_urlsafe(48)
    raise ConfigError("GUNMANE_WEB_SECRET_KEY is not set. Set it to a long random value "
                      "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), or start with "
                      "--insecure-dev for a local trial.")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def not_found(request: Request, exc: Exception) -> Response:
    lang = language_of(request.headers.get("accept-language"))
    env: Environment = request.app.state.web.templates
    html = env.get_template("error_plain.html").render(lang=lang, status_code=404,
                                                       message=translate(lang, "error.not_found"),
                                                       root=request.scope.get("root_path", ""),
                                                       t=lambda key, **kw: translate(lang, key, **kw))
    return HTMLResponse(html, status_code=404)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("web: %s on %s %s", type(exc).__name__, request.method, request.url.path)
    lang = language_of(request.headers.get("accept-language"))
    return HTMLResponse(f"<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\"><title>500</title>"
                        f"<main><h1>500</h1><p>{translate(lang, 'error.server')}</p></main></html>",
                        status_code=500)


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    for module in (portal_trainings, portal_cases, portal_forms, portal_visits, portal_profile, auth,
                   admin_dashboard, admin_queues, admin_records, admin_record_actions, admin_import, admin_intros,
                   admin_visits, admin_groups, admin_events, admin_accounts):
        out.extend(module.ROUTES)
    out.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
    return out


def create_app(settings: Settings, db: Database, *, insecure_dev: bool = False,
               matcher_factory: Any = None) -> Starlette:
    state = WebState(settings=settings, db=db, templates=templates(),
                     secret=secret_key(settings, insecure_dev=insecure_dev), matcher_factory=matcher_factory)
    app = Starlette(routes=routes(), middleware=[Middleware(SecurityMiddleware)],
                    exception_handlers={404: not_found, 500: server_error})
    app.state.web = state
    return app
