"""A local stand-in for the Bot Connector service that Teams replies are posted to.

The bot answers an activity by posting to ``{serviceUrl}v3/conversations/…``.
Point ``serviceUrl`` at this server and every reply — in-turn or proactive —
is recorded instead of reaching Teams. The tests use it through
``FakeConnector``; for a local session run it on its own:

    python -m bot.teams.fake_connector --port 3979

and post activities whose ``serviceUrl`` is ``http://127.0.0.1:3979/`` to a
``gunmane serve teams --insecure-local`` server; it prints what the bot says.
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.teams.threaded import ThreadedSite


@dataclass(frozen=True)
class ConnectorCall:
    """One request the bot made to the connector."""

    method: str
    operation: str                 # send | reply | update | delete | create_conversation
    conversation_id: str
    activity_id: str | None        # the activity replied to, updated or deleted
    body: dict[str, Any]
    authorization: str | None      # the Authorization header, to check what token the bot sent

    @property
    def is_message(self) -> bool:
        return self.body.get("type") == "message"

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def adaptive_cards(self) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for attachment in self.body.get("attachments") or []
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


class ConnectorLog:
    """Thread-safe record of connector calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[ConnectorCall] = []
        self._ids = itertools.count(1)
        self._failing: set[str] = set()

    def add(self, call: ConnectorCall) -> str:
        with self._lock:
            self._calls.append(call)
            return f"fake-activity-{next(self._ids)}"

    def calls(self) -> list[ConnectorCall]:
        with self._lock:
            return list(self._calls)

    def messages(self, conversation_id: str | None = None) -> list[ConnectorCall]:
        """Message activities posted (sent or replied), optionally to one conversation."""
        return [
            call
            for call in self.calls()
            if call.operation in ("send", "reply")
            and call.is_message
            and (conversation_id is None or call.conversation_id == conversation_id)
        ]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def fail_conversation(self, conversation_id: str) -> None:
        """Answer 503 to anything posted to this conversation (an outage, a removed chat)."""
        with self._lock:
            self._failing.add(conversation_id)

    def is_failing(self, conversation_id: str) -> bool:
        with self._lock:
            return conversation_id in self._failing


def create_connector_app(log: ConnectorLog, *, echo: bool = False) -> web.Application:
    """The aiohttp application answering the connector's conversation endpoints."""

    async def record(request: web.Request, operation: str) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else {}
        except json.JSONDecodeError:
            return web.json_response({"error": {"code": "BadArgument", "message": "body is not JSON"}}, status=400)
        call = ConnectorCall(
            method=request.method,
            operation=operation,
            conversation_id=request.match_info.get("conversation_id", ""),
            activity_id=request.match_info.get("activity_id"),
            body=body if isinstance(body, dict) else {"value": body},
            authorization=request.headers.get("Authorization"),
        )
        if log.is_failing(call.conversation_id):
            return web.json_response({"error": {"code": "ServiceError", "message": "fake outage"}}, status=503)
        new_id = log.add(call)
        if echo:
            _print_call(call)
        if operation == "create_conversation":
            return web.json_response({"id": f"a:{new_id}", "activityId": new_id,
                                      "serviceUrl": str(request.url.origin()) + "/"})
        if operation == "delete":
            return web.Response(status=200)
        return web.json_response({"id": new_id})

    def route(operation: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            return await record(request, operation)

        return handler

    app = web.Application()
    base = "/v3/conversations"
    app.router.add_post(base, route("create_conversation"))
    app.router.add_post(base + "/{conversation_id}/activities", route("send"))
    app.router.add_post(base + "/{conversation_id}/activities/{activity_id}", route("reply"))
    app.router.add_put(base + "/{conversation_id}/activities/{activity_id}", route("update"))
    app.router.add_delete(base + "/{conversation_id}/activities/{activity_id}", route("delete"))
    return app


class FakeConnector:
    """The fake connector served on 127.0.0.1 in a background thread; ``url`` is the serviceUrl to use."""

    def __init__(self, *, port: int = 0, echo: bool = False) -> None:
        self.log = ConnectorLog()
        self._site = ThreadedSite(lambda: create_connector_app(self.log, echo=echo), port=port)

    @property
    def url(self) -> str:
        return self._site.url + "/"

    def start(self) -> FakeConnector:
        self._site.start()
        return self

    def stop(self) -> None:
        self._site.stop()

    def __enter__(self) -> FakeConnector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _print_call(call: ConnectorCall) -> None:
    print(f"--- {call.operation} {call.conversation_id}", flush=True)
    if call.text:
        print(call.text, flush=True)
    for card in call.adaptive_cards:
        print(json.dumps(card, ensure_ascii=False, indent=2), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Record and print what a Teams bot posts to its connector.")
    parser.add_argument("--port", type=int, default=3979)
    args = parser.parse_args(argv)
    log = ConnectorLog()
    print(f"fake Bot Connector on http://127.0.0.1:{args.port}/ — use it as the activities' serviceUrl", flush=True)
    web.run_app(create_connector_app(log, echo=True), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
