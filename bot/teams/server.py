"""The aiohttp application serving ``POST /api/messages`` for Teams.

Request path: token check (the SDK's ``jwt_authorization_middleware`` when
credentials are set) → activity check in bot/teams/guard.py (a body that is not
an activity: 400; a serviceUrl or tenant not allowed: 403; each with a log
line, never a 500) → ``CloudAdapter`` → ``AgentApplication`` → replies posted
to the activity's ``serviceUrl``. Invokes get an empty 200.
"""

from __future__ import annotations

import asyncio
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

from bot.relay.senders import SenderRegistry
from bot.teams.app import DialogueEngineLike, TeamsBot, build_agent_application
from bot.teams.auth import TeamsAuth
from bot.teams.guard import MAX_BODY_BYTES, Refused, check_tenant, parse_activity
from knowledge.db import Database

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"


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
    sdk_log = logging.getLogger("microsoft_agents")
    if sdk_log.level == logging.NOTSET:   # the SDK's INFO lines quote activity ids and types: WARNING and up
        sdk_log.setLevel(logging.WARNING)
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
        try:
            activity = await _checked_activity(request, auth)
        except Refused as refused:
            what = "a malformed activity" if refused.status == 400 else "an activity"
            log.warning("rejected %s from %s (%d): %s", what, request.remote, refused.status, refused.reason)
            return web.json_response({"error": refused.reason}, status=refused.status)
        if activity.type == "invoke":   # gunmane's cards submit messages; an invoke gets the empty 200 it expects
            log.info("answered a Teams invoke %r with an empty 200", str(activity.name or "")[:60])
            return web.json_response({}, status=200)
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    web_app.router.add_post(MESSAGES_PATH, messages)
    return TeamsServer(web_app=web_app, adapter=adapter, agent=agent, bot=bot, auth=auth)


async def _checked_activity(request: web.Request, auth: TeamsAuth) -> Activity:
    """The request's activity once its body, its serviceUrl and its tenant pass (bot/teams/guard.py)."""
    identity = request.get("claims_identity")
    claims: dict[str, Any] = dict(identity.claims) if auth.secured and identity is not None else {}
    if auth.secured:
        check_tenant(auth.tenant_id, claims)   # a token of another tenant: refused before the body is read
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, "the request body is too large to be an activity") from None
    activity = await asyncio.to_thread(parse_activity, raw)   # JSON and pydantic work off the event loop
    claimed = claims.get("serviceurl")
    auth.service_urls.check(str(activity.service_url), claimed if isinstance(claimed, str) else None)
    if auth.secured:
        check_tenant(auth.tenant_id, claims, activity)
    return activity


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
