"""Slack fixtures: the fake Web API, the real HTTP server on loopback, and a signed-request sender.

``SlackSender`` sends requests exactly as Slack does: the body (JSON for events,
form-encoded for slash commands, ``payload=<json>`` for interactions), signed
with v0 HMAC-SHA256 of ``v0:{timestamp}:{body}`` in ``X-Slack-Signature`` and
``X-Slack-Request-Timestamp``; payload shapes follow Slack's documentation.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr

from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI, RecordedCall
from bot.slack.server import HttpServer
from knowledge.db import Database
from knowledge.settings import Settings


TEAM = "T0GUNMANE"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1234-5678-gunmanetest"
APP_TOKEN = "xapp-1-A0GUNMANE-1234-gunmanetest"
SECRETARIAT = "CSECRETARIAT"


@pytest.fixture
def fake_api() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(team_id=TEAM) as api:
        yield api


@pytest.fixture
def slack_settings(settings: Settings, fake_api: FakeSlackAPI) -> Settings:
    return settings.model_copy(update={
        "slack_bot_token": SecretStr(BOT_TOKEN),
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_app_token": SecretStr(APP_TOKEN),
        "slack_api_url": fake_api.url,
        "slack_secretariat_channel": SECRETARIAT,
    })


@pytest.fixture
def sample_db(db: Database) -> Database:
    from knowledge.sample import seed_sample

    with db.session() as session:
        seed_sample(session)
    return db


@dataclass
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class SlackSender:
    """Sends Slack-shaped, signed requests to the server and "clicks" buttons of recorded messages."""

    def __init__(self, url: str, api: FakeSlackAPI, secret: str = SIGNING_SECRET) -> None:
        self.url, self.api, self.secret = url, api, secret
        self._ids = itertools.count(1)

    # ---- raw HTTP

    def signature(self, body: str | bytes, timestamp: str, secret: str | None = None) -> str:
        raw = body.encode() if isinstance(body, str) else body
        base = f"v0:{timestamp}:".encode() + raw
        return "v0=" + hmac.new((secret or self.secret).encode(), base, hashlib.sha256).hexdigest()

    def post(self, body: str | bytes, content_type: str, *, timestamp: int | None = None, secret: str | None = None,
             headers: dict[str, str] | None = None, signed: bool = True) -> Response:
        raw = body.encode() if isinstance(body, str) else body
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, **(headers or {})}
        if signed:
            sent["X-Slack-Signature"] = self.signature(raw, ts, secret)
        request = urllib.request.Request(self.url, data=raw, headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return Response(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read())

    def post_json(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        return self.post(json.dumps(payload, ensure_ascii=False), "application/json", **kwargs)

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> Response:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def post_payload(self, payload: dict[str, Any], **kwargs: Any) -> Response:
        return self.post_form({"payload": json.dumps(payload, ensure_ascii=False)}, **kwargs)

    # ---- Events API

    def ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    def event_callback(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "verification-token-unused",
            "team_id": TEAM,
            "context_team_id": TEAM,
            "context_enterprise_id": None,
            "api_app_id": "A0GUNMANE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}GM",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM, "user_id": self.api.bot_user_id,
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
        }

    def dm_event(self, text: str, *, user: str = "U0ENGINEER", channel: str = "D0ENGINEER",
                 **extra: Any) -> dict[str, Any]:
        ts = self.ts()
        return {"type": "message", "user": user, "text": text, "ts": ts, "team": TEAM, "channel": channel,
                "event_ts": ts, "channel_type": "im", "client_msg_id": f"cm-{ts}", **extra}

    def dm(self, text: str, **kwargs: Any) -> Response:
        return self.post_json(self.event_callback(self.dm_event(text, **kwargs)))

    def mention(self, text: str, *, user: str = "U0ENGINEER", channel: str = "C0GENERAL",
                thread_ts: str | None = None) -> tuple[Response, str]:
        ts = self.ts()
        event = {"type": "app_mention", "user": user, "text": f"<@{self.api.bot_user_id}> {text}", "ts": ts,
                 "team": TEAM, "channel": channel, "event_ts": ts, "client_msg_id": f"cm-{ts}"}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.post_json(self.event_callback(event)), ts

    # ---- interactivity and commands

    def command(self, text: str, *, user: str = "U0ENGINEER", channel: str = "C0GENERAL") -> Response:
        return self.post_form({
            "token": "verification-token-unused", "team_id": TEAM, "team_domain": "gunmane-test",
            "channel_id": channel, "channel_name": "general", "user_id": user, "user_name": user.lower(),
            "command": "/gunmane", "text": text, "api_app_id": "A0GUNMANE", "is_enterprise_install": "false",
            "response_url": self.api.response_url(f"cmd{next(self._ids)}"), "trigger_id": f"{self.ts()}.trigger",
        })

    def click(self, call: RecordedCall, label: str, *, user: str = "U0ENGINEER") -> Response:
        """Press the button (or pick the select option) labelled ``label`` in a posted/updated message."""
        blocks = call.params.get("blocks") or []
        for block in blocks:
            elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
            for element in elements:
                action = _action_for(element, label)
                if action is not None:
                    action["block_id"] = block.get("block_id", "b")
                    return self.post_payload(self.block_actions(call, action, user=user))
        labels = [e.get("text", {}).get("text") for b in blocks for e in b.get("elements", [b.get("accessory") or {}])]
        raise AssertionError(f"no control labelled {label!r} in the message; controls: {labels}")

    def block_actions(self, call: RecordedCall, action: dict[str, Any], *, user: str) -> dict[str, Any]:
        channel = str(call.params["channel"])
        ts = str(call.params.get("ts") or call.response.get("ts"))
        message = {"type": "message", "user": self.api.bot_user_id, "bot_id": self.api.bot_id, "ts": ts,
                   "text": call.params.get("text", ""), "blocks": call.params.get("blocks", []), "team": TEAM}
        if call.params.get("thread_ts"):
            message["thread_ts"] = call.params["thread_ts"]
        return {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0GUNMANE",
            "token": "verification-token-unused",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{self.ts()}.trigger",
            "team": {"id": TEAM, "domain": "gunmane-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else "general"},
            "message": message,
            "state": {"values": {}},
            "response_url": self.api.response_url(f"act{next(self._ids)}"),
            "actions": [{**action, "action_ts": self.ts()}],
        }

    def view_submission(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *,
                        user: str = "U0ENGINEER") -> Response:
        return self.post_payload({
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "gunmane-test"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0GUNMANE",
            "token": "verification-token-unused",
            "trigger_id": f"{self.ts()}.trigger",
            "view": {**view, "id": "V0CONSULT", "team_id": TEAM, "state": {"values": values}, "hash": "1.abc",
                     "previous_view_id": None, "root_view_id": "V0CONSULT", "app_id": "A0GUNMANE",
                     "external_id": "", "app_installed_team_id": TEAM, "bot_id": self.api.bot_id},
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        })


def _action_for(element: dict[str, Any], label: str) -> dict[str, Any] | None:
    if element.get("type") == "button" and element.get("text", {}).get("text") == label:
        return {"type": "button", "action_id": element["action_id"], "text": element["text"],
                "value": element.get("value", "")}
    if element.get("type") == "static_select":
        for option in element.get("options", []):
            if option["text"]["text"] == label:
                return {"type": "static_select", "action_id": element["action_id"], "selected_option": option,
                        "placeholder": element.get("placeholder")}
    return None


@dataclass
class SlackServer:
    server: HttpServer
    send: SlackSender
    api: FakeSlackAPI
    db: Database


@pytest.fixture
def slack_server(sample_db: Database, slack_settings: Settings, fake_api: FakeSlackAPI) -> Iterator[SlackServer]:
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-slack")
    app = build_app(slack_settings, sample_db, mode="http", working_notice_after=0, listener_executor=executor)
    server = HttpServer(app, slack_settings, host="127.0.0.1", port=0, threads=4).start()
    try:
        yield SlackServer(server, SlackSender(server.url, fake_api), fake_api, sample_db)
    finally:
        server.stop()
        executor.shutdown(wait=True)  # lazy listeners finish before the fake API and the database go away


def texts_of(call: RecordedCall) -> str:
    """Every piece of text in a message's blocks, joined (for assertions)."""
    found: list[str] = [str(call.params.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.params.get("blocks") or call.params.get("view") or [])
    return "\n".join(found)
