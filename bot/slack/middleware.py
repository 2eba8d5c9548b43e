"""Global bolt middleware: reject malformed payloads, handle each event id once.

Both run after bolt's own signature check, so unsigned requests never reach
the database, and in both HTTP and Socket Mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from bot.relay.events import claim_event
from knowledge.db import Database

log = logging.getLogger(__name__)

PASS_THROUGH_TYPES = {"url_verification", "ssl_check", "app_rate_limited"}


def _has_id(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and bool(value["id"])


def payload_problem(body: dict[str, Any]) -> str | None:
    """Why ``body`` is not a payload gunmane can act on, or None when it is well formed."""
    kind = body.get("type")
    if kind in PASS_THROUGH_TYPES:
        return None
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event object"
        if not isinstance(body.get("event_id"), str) or not body.get("event_id"):
            return "event_callback without event_id"
        if not isinstance(body.get("team_id"), str):
            return "event_callback without team_id"
        return None
    if kind == "block_actions":
        actions = body.get("actions")
        if not _has_id(body.get("user")):
            return "block_actions without user.id"
        if not isinstance(actions, list) or not actions or not all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
        ):
            return "block_actions without actions"
        return None
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not _has_id(body.get("user")):
            return f"{kind} without user.id"
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"{kind} without view.callback_id"
        return None
    if kind in ("shortcut", "message_action", "block_suggestion"):
        return None if _has_id(body.get("user")) else f"{kind} without user.id"
    if "command" in body:
        missing = [name for name in ("command", "user_id", "channel_id", "team_id") if not body.get(name)]
        return f"slash command without {', '.join(missing)}" if missing else None
    return f"unrecognised payload (type {kind!r})" if kind else "unrecognised payload (no type, no command)"


def reject_malformed(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> BoltResponse | None:
    problem = payload_problem(req.body)
    if problem is None:
        next()
        return None
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
