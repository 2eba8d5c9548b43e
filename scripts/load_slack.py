"""The Slack side of scripts/load.py: signed requests as Slack sends them, and what the bot posted per channel.

``SignedClient`` posts Events API callbacks (JSON) and interactions
(``payload=<json>``) signed with v0 HMAC-SHA256, as Slack does, and follows
Slack's retry rule for events: no answer within 3 s (or an error status) →
the same event again, to the *other* worker, with ``X-Slack-Retry-Num``.
``Channels`` receives every call of the fake Web API (its ``on_call``) and
hands each user's thread the bot's messages in its DM as they arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.slack.fake_api import RecordedCall

SLACK_ACK_DEADLINE_S = 3.0      # Slack retries an event it got no answer to within 3 s
SLACK_MAX_RETRIES = 3
HTTP_TIMEOUT_S = 30.0           # how long the client waits for an answer at all (to measure late ones)
MESSAGE_METHODS = ("chat.postMessage", "chat.update")


@dataclass
class Ack:
    """One HTTP request to a worker and its answer."""

    kind: str             # "event", "retry", "redelivery", "action"
    worker: int
    status: int           # 0: no answer (connection error or timeout)
    seconds: float


@dataclass
class AckLog:
    acks: list[Ack] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ack: Ack) -> None:
        with self.lock:
            self.acks.append(ack)


class SignedClient:
    def __init__(self, urls: list[str], secret: str, team: str, bot_user: str, log: AckLog) -> None:
        self.urls, self.secret, self.team, self.bot_user, self.log = urls, secret.encode(), team, bot_user, log
        self._ids = itertools.count(1)
        self._retries = ThreadPoolExecutor(8, thread_name_prefix="slack-retry")

    def close(self) -> None:
        self._retries.shutdown(wait=True)

    # ---- raw HTTP

    def post(self, worker: int, body: str, content_type: str, kind: str,
             headers: dict[str, str] | None = None) -> int:
        raw = body.encode()
        timestamp = str(int(time.time()))
        signature = "v0=" + hmac.new(self.secret, f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature, **(headers or {})}
        url = urlsplit(self.urls[worker])
        started = time.perf_counter()
        status = 0
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=HTTP_TIMEOUT_S)
        try:
            connection.request("POST", url.path, body=raw, headers=sent)
            answer = connection.getresponse()
            answer.read()
            status = answer.status
        except OSError:
            status = 0
        finally:
            connection.close()
        self.log.add(Ack(kind, worker, status, time.perf_counter() - started))
        return status

    # ---- Events API, with Slack's retries to the other worker

    def ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    def dm(self, worker: int, user: str, channel: str, text: str, *, redeliver: bool) -> None:
        ts = self.ts()
        event = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team, "channel": channel,
                 "event_ts": ts, "channel_type": "im", "client_msg_id": f"cm-{ts}"}
        body = json.dumps({
            "token": "unused", "team_id": self.team, "context_team_id": self.team, "api_app_id": "A0GUNMANE",
            "event": event, "type": "event_callback", "event_id": f"Ev{next(self._ids):08d}{channel}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": self.bot_user, "is_bot": True}],
        }, ensure_ascii=False)
        self._deliver(worker, body, 0)
        if redeliver:   # the ack got lost on its way back to Slack: the same event, to the other worker
            self.post(self._other(worker), body, "application/json", "redelivery",
                      {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})

    def _other(self, worker: int) -> int:
        return (worker + 1) % len(self.urls)

    def _deliver(self, worker: int, body: str, attempt: int) -> None:
        headers = ({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"} if attempt else {})
        future: Future[int] = self._retries.submit(self.post, worker, body, "application/json",
                                                   "retry" if attempt else "event", headers)
        try:
            status = future.result(timeout=SLACK_ACK_DEADLINE_S)
        except TimeoutError:
            status = -1   # still waiting: Slack gives up on it and retries elsewhere
        if not 200 <= status < 300 and attempt < SLACK_MAX_RETRIES:
            self._deliver(self._other(worker), body, attempt + 1)

    # ---- interactivity (Slack does not retry these: a late answer is an error shown to the user)

    def press(self, worker: int, user: str, call: RecordedCall, block: dict[str, Any], action: dict[str, Any]) -> int:
        channel = str(call.params["channel"])
        ts = message_ts(call)
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team},
            "api_app_id": "A0GUNMANE", "token": "unused",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{self.ts()}.trigger", "team": {"id": self.team, "domain": "gunmane-load"},
            "channel": {"id": channel, "name": "directmessage"},
            "message": {"type": "message", "user": self.bot_user, "ts": ts, "text": call.params.get("text", ""),
                        "blocks": call.params.get("blocks", []), "team": self.team},
            "state": {"values": {}},
            "actions": [{**action, "block_id": block.get("block_id", "b"), "action_ts": self.ts()}],
        }
        body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
        return self.post(worker, body, "application/x-www-form-urlencoded", "action")


# ---------------------------------------------------------------- what the bot posted


def message_ts(call: RecordedCall) -> str:
    return str(call.params.get("ts") or call.response.get("ts") or "")


def controls(call: RecordedCall) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, block, action) of every button and select option of a posted message."""
    found = []
    for block in call.params.get("blocks") or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else [block.get("accessory") or {}]
        for element in elements:
            if element.get("type") == "button":
                action = {"type": "button", "action_id": element["action_id"], "value": element.get("value", ""),
                          "text": element["text"]}
                found.append((str(element["text"]["text"]), block, action))
            elif element.get("type") == "static_select":
                for option in element.get("options", []):
                    action = {"type": "static_select", "action_id": element["action_id"], "selected_option": option}
                    found.append((str(option["text"]["text"]), block, action))
    return found


def text_of(call: RecordedCall) -> str:
    parts = [str(call.params.get("text") or "")]
    for block in call.params.get("blocks") or []:
        for item in [block.get("text") or {}, *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
    return "\n".join(parts)


@dataclass
class Message:
    call: RecordedCall
    at: float             # perf_counter when the fake API received it
    placeholder: bool     # "working on it" / "busy": not an answer yet


class Channels:
    """Every message the bot posted or replaced, per channel, in arrival order; waits for new ones."""

    def __init__(self, is_placeholder: Callable[[str], bool]) -> None:
        self.is_placeholder = is_placeholder
        self.messages: dict[str, list[Message]] = {}
        self.pressed_ts: set[str] = set()     # messages whose buttons a user pressed: their updates are marks
        self._cond = threading.Condition()

    def on_call(self, call: RecordedCall) -> None:
        if call.method not in MESSAGE_METHODS or not call.response.get("ok"):
            return
        channel = str(call.params.get("channel"))
        with self._cond:
            if call.method == "chat.update" and message_ts(call) in self.pressed_ts:
                return   # the pressed control replaced by a note of the choice: not a reply
            placeholder = self.is_placeholder(text_of(call))
            self.messages.setdefault(channel, []).append(Message(call, time.perf_counter(), placeholder))
            self._cond.notify_all()

    def mark_pressed(self, call: RecordedCall) -> None:
        with self._cond:
            self.pressed_ts.add(message_ts(call))

    def wait(self, channel: str, start: int, where: Callable[[Message], bool], timeout: float) -> tuple[int, Message]:
        """The first message at index ≥ ``start`` in ``channel`` matching ``where``; raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.messages.get(channel, [])
                for n in range(start, len(found)):
                    if where(found[n]):
                        return n, found[n]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(channel)
                self._cond.wait(remaining)

    def of(self, channel: str) -> list[Message]:
        with self._cond:
            return list(self.messages.get(channel, []))
