"""The aiohttp application serving ``POST /api/messages`` for Teams.

Request path: token check (the SDK's ``jwt_authorization_middleware`` when
credentials are set) → activity check (malformed JSON or an activity that is
not one answers 400 with a log line, never a crash) → ``CloudAdapter`` →
``AgentApplication`` → replies posted to the activity's ``serviceUrl``.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware
from microsoft_agents.hosting.core import AgentApplication, TurnState
from pydantic import ValidationError

from bot.relay.senders import SenderRegistry
from bot.teams.app import DialogueEngineLike, TeamsBot, build_agent_application
from bot.teams.auth import TeamsAuth
from knowledge.db import Database

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
MAX_BODY_BYTES = 1024 * 1024  # Teams activities are a few KB; anything this large is not one


@dataclass
class TeamsServer:
    """Everything the endpoint is made of, for the command line and the tests."""

    web_app: web.Application
    adapter: CloudAdapter
    agent: AgentApplication[TurnState]
    bot: TeamsBot
    auth: TeamsAuth


def create_teams_server(
    engine: DialogueEngineLike,
    db: Database,
    auth: TeamsAuth,
    *,
    secretariat_users: Sequence[str] = (),
    show_typing: bool = True,
    senders: SenderRegistry | None = None,
) -> TeamsServer:
    """``senders`` deliver to people on other platforms (the settings' configured senders)."""
    bot = TeamsBot(engine, db, auth, secretariat_users=secretariat_users, senders=senders)
    agent = build_agent_application(bot, show_typing=show_typing)
    adapter = CloudAdapter(connection_manager=auth.connection_manager)
    adapter.on_turn_error = bot.on_error  # replaces the SDK default, which shows the exception to the user

    middlewares: list[Any] = []
    if auth.secured:
        middlewares = [_reject_unusable_tokens, _jwt_except_monitoring]
    web_app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    with warnings.catch_warnings():  # the SDK's JWT middleware reads this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        web_app["agent_configuration"] = auth.configuration

    async def messages(request: web.Request) -> web.StreamResponse:
        problem = await _activity_problem(request)
        if problem is not None:
            log.warning("rejected a malformed activity from %s: %s", request.remote, problem)
            return web.json_response({"error": problem}, status=400)
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    web_app.router.add_post(MESSAGES_PATH, messages)
    return TeamsServer(web_app=web_app, adapter=adapter, agent=agent, bot=bot, auth=auth)


async def _activity_problem(request: web.Request) -> str | None:
    """Why the body is not an activity gunmane can process, or None when it is."""
    try:
        body = json.loads(await request.read())
    except web.HTTPRequestEntityTooLarge:
        return "the request body is too large to be an activity"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"the body is not JSON ({exc.__class__.__name__})"
    if not isinstance(body, dict):
        return "the body is JSON but not an object"
    try:
        activity = Activity.model_validate(body)
    except ValidationError as exc:
        return f"the body is not a valid activity ({exc.error_count()} invalid field(s))"
    if not activity.type or activity.conversation is None or not activity.conversation.id:
        return "an activity needs a type and conversation.id"
    if not activity.service_url:
        return "an activity needs a serviceUrl to reply to"
    return None


MONITORING_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})   # bot/monitoring: for load balancers, no token


@web.middleware
async def _jwt_except_monitoring(request: web.Request, handler: Any) -> web.StreamResponse:
    """The SDK's token check on every request but a GET of a monitoring path (keep those internal)."""
    if request.method in ("GET", "HEAD") and request.path in MONITORING_PATHS:
        response: web.StreamResponse = await handler(request)
        return response
    checked: web.StreamResponse = await jwt_authorization_middleware(request, handler)
    return checked


@web.middleware
async def _reject_unusable_tokens(request: web.Request, handler: Any) -> web.StreamResponse:
    """Answer 401 to a bearer token that is not even a signed JWT with a key id.

    The SDK validator would look up a signing key for such a token and fail
    with an unexpected error (a 500); this keeps the answer a clean 401.
    """
    header = request.headers.get("Authorization")
    if header:
        scheme, _, token = header.strip().partition(" ")
        try:
            unverified = jwt.get_unverified_header(token.strip()) if scheme.lower() == "bearer" else {}
        except jwt.PyJWTError:
            unverified = {}
        if unverified.get("alg") != "RS256" or not unverified.get("kid"):
            log.warning("rejected a request to %s with an unusable bearer token", request.path)
            return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
    response: web.StreamResponse = await handler(request)
    return response
