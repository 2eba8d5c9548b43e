"""A fake Slack Socket Mode endpoint: a local WebSocket server speaking Slack's envelope protocol.

Slack's Socket Mode: the app calls ``apps.connections.open`` with its
``xapp-`` token, gets a ``wss://`` URL, connects, receives ``{"type": "hello"}``,
then envelopes ``{"envelope_id", "type": "events_api" | "interactive" |
"slash_commands", "payload", …}`` which it must acknowledge by sending back
``{"envelope_id": …}`` (plus an optional ``payload``) within 3 seconds.

This fake does the same on ``ws://127.0.0.1:PORT``; give its :attr:`url` to
:class:`bot.slack.fake_api.FakeSlackAPI` (``socket_mode_url``) so
``apps.connections.open`` hands it out. Queue envelopes with :meth:`push`;
they are sent after ``hello`` to the connected client (or as soon as one
connects), and the client's acknowledgements are collected in :attr:`acks`.

Needs the ``websockets`` package (in gunmane's ``test`` extra).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from typing import Any

from knowledge.errors import ConfigError

try:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.server import Server, ServerConnection, serve
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ConfigError("The fake Socket Mode endpoint needs `websockets`: pip install -e '.[test]'") from exc


class FakeSocketModeEndpoint:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self._acked = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeSocketModeEndpoint:
        self._server = serve(self._handle, self.host, self.port, compression=None, ping_interval=None)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> FakeSocketModeEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/link/?ticket=fake-ticket"

    # ---- envelopes

    def push(self, envelope_type: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Queue one envelope for the app; returns its envelope id."""
        envelope_id = str(uuid.uuid4())
        self._outbox.put({
            "envelope_id": envelope_id,
            "type": envelope_type,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
            "payload": payload,
        })
        return envelope_id

    def push_event(self, event_callback: dict[str, Any], *, retry_attempt: int = 0) -> str:
        return self.push("events_api", event_callback, retry_attempt=retry_attempt)

    def wait_for_ack(self, envelope_id: str, *, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._acked:
            while True:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no acknowledgement for envelope {envelope_id}; acks: {self.acks}")
                self._acked.wait(remaining)

    # ---- the connection

    def _handle(self, connection: ServerConnection) -> None:
        self.connections += 1
        connection.send(json.dumps({
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
            "connection_info": {"app_id": "AGUNMANE"},
        }))
        receiver = threading.Thread(target=self._receive, args=(connection,), daemon=True)
        receiver.start()
        while receiver.is_alive():
            try:
                envelope = self._outbox.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                connection.send(json.dumps(envelope, ensure_ascii=False))
            except ConnectionClosed:
                self._outbox.put(envelope)
                break

    def _receive(self, connection: ServerConnection) -> None:
        try:
            for message in connection:
                try:
                    data = json.loads(message)
                except ValueError:
                    continue
                with self._acked:
                    self.acks.append(data)
                    self._acked.notify_all()
        except ConnectionClosed:
            pass
