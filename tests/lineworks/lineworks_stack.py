"""Talking to the real LINE WORKS callback server over HTTP, as LINE WORKS would; reading what the bot sent."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from aiohttp import web

from bot.dialogue import messages
from bot.lineworks.events import signature
from bot.lineworks.fake_api import ApiCall, FakeLineWorks
from bot.lineworks.server import PENDING
from bot.threaded_site import ThreadedSite

BOT_ID = "2000001"
BOT_SECRET = "bot-secret-for-tests"
CLIENT_ID = "client-for-tests"
CLIENT_SECRET = "client-secret-for-tests"
SERVICE_ACCOUNT = "tests.serviceaccount@example.com"
DOMAIN = "40029600"
SECRETARIAT_MEMBER = "secretariat-member-1"
EPOCH = datetime(2027, 4, 1, 9, 0, 0)
_clock = count(1)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=UTF-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def signed_headers(raw: bytes, *, secret: str = BOT_SECRET, bot_id: str = BOT_ID) -> dict[str, str]:
    return {"X-WORKS-BotId": bot_id, "X-WORKS-Signature": signature(secret, raw)}


def event(kind: str, user: str | None, channel: str | None = None, **fields: Any) -> dict[str, Any]:
    source: dict[str, Any] = {"domainId": int(DOMAIN)}
    if user is not None:
        source["userId"] = user
    if channel is not None:
        source["channelId"] = channel
    issued = (EPOCH + timedelta(milliseconds=next(_clock))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {"type": kind, "source": source, "issuedTime": issued, **fields}


@dataclass
class Stack:
    """The callback server and the fake API; ``wait`` returns once every answered event is worked off."""

    url: str
    fake: FakeLineWorks
    app: web.Application
    site: ThreadedSite

    def send(self, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> int:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        return post(self.url, raw, signed_headers(raw) if headers is None else headers)

    def wait(self, timeout: float = 120.0) -> None:
        """Poll (with a deadline) until the server has no event left in hand."""
        deadline = time.monotonic() + timeout
        while self.app[PENDING]:
            if time.monotonic() > deadline:
                raise AssertionError("the LINE WORKS server did not finish its work in time")
            time.sleep(0.01)

    def user(self, user_id: str, channel: str | None = None) -> ChatUser:
        return ChatUser(self, user_id, channel)

    def delivered(self, target: str | None = None) -> list[ApiCall]:
        return self.fake.log.delivered(target)


@dataclass
class ChatUser:
    """A LINE WORKS member writing to the bot (1:1, or in the group chat ``channel``)."""

    stack: Stack
    user_id: str
    channel: str | None = None
    seen: int = field(default=0)

    @property
    def chat(self) -> str:
        return self.channel or self.user_id

    def says(self, text: str) -> int:
        status = self.stack.send(event("message", self.user_id, self.channel, content={"type": "text", "text": text}))
        self.stack.wait()
        return status

    def presses(self, postback: str, label: str = "選択") -> int:
        content = {"type": "text", "text": label, "postback": postback}
        status = self.stack.send(event("message", self.user_id, self.channel, content=content))
        self.stack.wait()
        return status

    def received(self) -> list[ApiCall]:
        return self.stack.delivered(self.chat)

    def new(self) -> list[ApiCall]:
        """What the bot sent to this chat since the last call of ``new``."""
        calls = self.received()
        fresh, self.seen = calls[self.seen:], len(calls)
        return fresh


def buttons(calls: list[ApiCall]) -> dict[str, str]:
    """Full button label → postback, for every message action in the given messages."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "message" and "postback" in node:
                found[str(node.get("text") or node["label"])] = str(node["postback"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for call in calls:
        walk(call.content)
    return found


def texts(calls: list[ApiCall]) -> str:
    """Everything readable in the messages: texts, template bodies, flex texts and labels."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "contentText", "altText", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for call in calls:
        walk(call.content)
    return "\n".join(found)


def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


PROBLEM = ("奈良県宇陀市の土木担当です。村道の橋梁の定期点検を頼める技術者がいなくて困っています。"
           "アドバイザーに相談したい")
REQUEST_INTRO = messages.say("ja", "request_intro")
SEARCH = messages.say("ja", "accept")


def consult_until_results(user: ChatUser, *said: str, search: str = SEARCH,
                          request: str = REQUEST_INTRO) -> dict[str, str]:
    """Write ``said`` (the problem by default), answer each question with its first choice, confirm the card;
    the buttons of the results."""
    user.new()
    for text in said or (PROBLEM,):
        assert user.says(text) == 200
    for _ in range(8):
        offered = buttons(user.new())
        if request in offered:
            return offered
        assert offered, texts(user.received())
        assert user.presses(offered[search] if search in offered else next(iter(offered.values()))) == 200
    raise AssertionError("no results after 8 answers")
