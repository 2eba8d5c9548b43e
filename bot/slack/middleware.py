"""What reaches bolt: well-formed payloads only, each event id once.

``GunmaneApp.dispatch`` checks a payload's shape before any of bolt's own
middleware reads it (bolt indexes ``actions[0]``, calls ``event.get`` … and
answers 500 when a field has another type), in HTTP and Socket Mode alike: a
payload gunmane cannot act on gets 400 and a log line naming the field, never
a 500. Signatures are checked before this (bot/slack/server.py), so unsigned
requests never reach the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.relay.events import claim_event
from knowledge.db import Database

log = logging.getLogger(__name__)

PASS_THROUGH_TYPES = {"url_verification", "ssl_check", "app_rate_limited"}
HANDLED_EVENTS = {"message", "app_mention", "app_home_opened"}
Fields = dict[str, type | tuple[type, ...]]
# The type of every field bolt or gunmane reads, where it is present (None where Slack sends null).
_TOP: Fields = {"type": str, "team_id": str, "event_id": str, "api_app_id": str, "token": str,
                "event": dict, "user": dict, "team": (dict, type(None)),
                "channel": dict, "container": dict, "message": dict, "view": dict, "actions": list, "trigger_id": str,
                "response_url": str, "response_urls": list, "command": str, "text": str, "user_id": str,
                "channel_id": str, "callback_id": str, "enterprise": (dict, type(None)), "authorizations": list}
_EVENT: Fields = {"type": str, "user": str, "channel": str, "text": str, "ts": str, "thread_ts": str, "subtype": str,
                  "bot_id": str, "channel_type": str, "tab": str, "message": dict, "previous_message": dict}
_INSIDE: dict[str, Fields] = {
    "user": {"id": str, "team_id": str}, "team": {"id": str}, "channel": {"id": str},
    "container": {"channel_id": str, "message_ts": str}, "message": {"ts": str, "thread_ts": str, "text": str,
                                                                     "blocks": list},
    "view": {"type": str, "callback_id": str, "private_metadata": str, "state": dict},
}
_ACTION: Fields = {"action_id": str, "value": str, "selected_option": (dict, type(None)), "text": dict, "block_id": str}


def _wrong(where: str, value: dict[str, Any], fields: Fields) -> str | None:
    for name, kind in fields.items():
        if name in value and not isinstance(value[name], kind):
            return f"{where}{name} is a {type(value[name]).__name__}"
    return None


def _shape_problem(body: dict[str, Any]) -> str | None:
    problem = _wrong("", body, _TOP)
    for name, fields in _INSIDE.items():
        problem = problem or (_wrong(f"{name}.", body[name], fields) if isinstance(body.get(name), dict) else None)
    event = body.get("event")
    if problem is None and isinstance(event, dict) and isinstance(event.get("type"), str) \
            and event["type"] in HANDLED_EVENTS:
        problem = _wrong("event.", event, _EVENT)
    actions = body.get("actions")
    for action in actions if isinstance(actions, list) else []:
        problem = problem or (_wrong("actions[].", action, _ACTION) if isinstance(action, dict) else "an action")
    return problem


def _has_id(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and bool(value["id"])


def payload_problem(body: dict[str, Any]) -> str | None:
    """Why ``body`` is not a payload gunmane can act on, or None when it is well formed."""
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return f"type is a {type(kind).__name__}, not what Slack sends"
    if kind in PASS_THROUGH_TYPES:
        return None
    shape = _shape_problem(body)
    if shape is not None:
        return f"{shape}, not what Slack sends"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event object"
        event_id = body.get("event_id")
        if not isinstance(event_id, str) or not event_id.isascii() or not 0 < len(event_id) <= 100:
            return "event_callback without an event_id as Slack writes them"
        return None if isinstance(body.get("team_id"), str) else "event_callback without team_id"
    if kind == "block_actions":
        actions = body.get("actions")
        if not _has_id(body.get("user")):
            return "block_actions without user.id"
        if not actions or not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "block_actions without actions"
        return None
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not _has_id(body.get("user")):
            return f"{kind} without user.id"
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"{kind} without view.callback_id"
        return None if isinstance(view.get("type"), str) else f"{kind} without view.type"
    if kind in ("shortcut", "message_action", "block_suggestion"):
        return None if _has_id(body.get("user")) else f"{kind} without user.id"
    if "command" in body:
        missing = [name for name in ("command", "user_id", "channel_id", "team_id") if not body.get(name)]
        return f"slash command without {', '.join(missing)}" if missing else None
    return "unrecognised payload type" if kind else "unrecognised payload (no type, no command)"  # never echoed


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]…``, or None where a level is missing or is not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


class GunmaneApp(App):
    """bolt's App that answers a payload it could not handle with 400 before bolt's middleware reads it."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        problem = payload_problem(req.body) if isinstance(req.body, dict) else "the payload is not an object"
        if problem is None:
            return super().dispatch(req)
        log.warning("Rejected a malformed Slack %s payload: %s; answered 400", req.mode, problem)
        return BoltResponse(status=400, body={"error": "malformed payload", "detail": problem})


def deduplicate_events(db: Database) -> Callable[..., BoltResponse | None]:
    """Middleware that acknowledges an already-seen event id with 200 and stops there."""

    def middleware(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> BoltResponse | None:
        body = req.body
        if body.get("type") != "event_callback":
            next()
            return None
        event_id = str(body["event_id"])[:255]
        retry = req.headers.get("x-slack-retry-num", [None])[0] or body.get("retry_attempt")
        if claim_event(db, "slack", event_id):
            next()
            return None
        log.info("Slack event %s already handled (retry %s); acknowledged without a second reply", event_id, retry)
        return BoltResponse(status=200, body="")

    return middleware
