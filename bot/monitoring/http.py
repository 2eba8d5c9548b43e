"""``/healthz``, ``/readyz`` and ``/metrics`` for any HTTP server, around one :class:`Monitor`.

- WSGI (Slack under waitress): ``MonitoringWSGI(app, monitor)`` answers the
  three paths and passes everything else to ``app``.
- aiohttp (Teams): ``add_monitoring(web_app, monitor)`` adds the routes and
  the request-id middleware.
- ASGI (FastAPI/Starlette, the web): ``MonitoringASGI(app, monitor)``, also
  usable as ``app.add_middleware(MonitoringASGI, monitor=monitor)``.

Each request runs inside :func:`bot.monitoring.logs.request_context`, with the
id from a proxy's ``X-Request-Id`` when it is a plain token, and answers it in
the same header. ``/readyz`` answers 200 or 503 with the checks as JSON.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.monitoring.health import Probe, alive
from bot.monitoring.logs import REQUEST_ID_HEADER, request_context, usable_request_id
from bot.monitoring.metrics import CONTENT_TYPE as METRICS_TYPE
from bot.monitoring.metrics import Metrics

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from aiohttp import web

HEALTH_PATH, READY_PATH, METRICS_PATH = "/healthz", "/readyz", "/metrics"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


@dataclass
class Monitor:
    """What the three paths answer from: the readiness probe and (optionally) the metrics."""

    probe: Probe
    metrics: Metrics | None = None

    def answer(self, path: str) -> Answer | None:
        """The answer for a monitoring path, or None for any other path. Blocking (database check)."""
        if path == HEALTH_PATH:
            return Answer(200, JSON_TYPE, _json(alive()))
        if path == READY_PATH:
            readiness = self.probe.ready()
            return Answer(200 if readiness.ok else 503, JSON_TYPE, _json(readiness.as_json()))
        if path == METRICS_PATH and self.metrics is not None:
            return Answer(200, METRICS_TYPE, self.metrics.render())
        return None

    def handles(self, path: str) -> bool:
        return path in (HEALTH_PATH, READY_PATH) or (path == METRICS_PATH and self.metrics is not None)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


# ---------------------------------------------------------------- WSGI


class MonitoringWSGI:
    def __init__(self, app: WSGIApplication, monitor: Monitor) -> None:
        self.app = app
        self.monitor = monitor

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = usable_request_id(environ.get("HTTP_X_REQUEST_ID"))
        with request_context(request_id):
            path = environ.get("PATH_INFO", "")
            if self.monitor.handles(path):
                found = self.monitor.answer(path) if environ.get("REQUEST_METHOD") in ("GET", "HEAD") else None
                answer = found or Answer(405, "text/plain; charset=utf-8", b"use GET")
                start_response(f"{answer.status} {_REASONS.get(answer.status, '')}".strip(), [
                    ("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body))),
                    (REQUEST_ID_HEADER, request_id), ("Cache-Control", "no-store")])
                return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else answer.body]

            def start_with_id(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                return start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)], exc_info)

            return self.app(environ, start_with_id)


# ---------------------------------------------------------------- aiohttp


def add_monitoring(web_app: web.Application, monitor: Monitor) -> None:
    """Add the GET routes and the request-id middleware to an aiohttp application (before it starts)."""
    from aiohttp import web

    @web.middleware
    async def request_id_middleware(request: web.Request,
                                    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                                    ) -> web.StreamResponse:
        request_id = usable_request_id(request.headers.get(REQUEST_ID_HEADER))
        with request_context(request_id):
            response = await handler(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    async def monitoring(request: web.Request) -> web.Response:
        # The readiness probe blocks on the database: keep it off the event loop.
        answer = await asyncio.get_running_loop().run_in_executor(None, monitor.answer, request.path)
        assert answer is not None
        return web.Response(status=answer.status, body=answer.body, headers={
            "Content-Type": answer.content_type, "Cache-Control": "no-store"})

    web_app.middlewares.append(request_id_middleware)
    for path in (HEALTH_PATH, READY_PATH) + ((METRICS_PATH,) if monitor.metrics is not None else ()):
        web_app.router.add_get(path, monitoring)


# ---------------------------------------------------------------- ASGI

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class MonitoringASGI:
    def __init__(self, app: ASGIApp, monitor: Monitor) -> None:
        self.app = app
        self.monitor = monitor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        request_id = usable_request_id(headers.get(REQUEST_ID_HEADER.lower()))
        id_header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())
        with request_context(request_id):
            path = scope.get("path", "")
            if not self.monitor.handles(path):
                async def send_with_id(message: MutableMapping[str, Any]) -> None:
                    if message["type"] == "http.response.start":
                        message = {**message, "headers": [*message.get("headers", []), id_header]}
                    await send(message)

                await self.app(scope, receive, send_with_id)
                return
            if scope.get("method") not in ("GET", "HEAD"):
                answer = Answer(405, "text/plain; charset=utf-8", b"use GET")
            else:
                found = await asyncio.get_running_loop().run_in_executor(None, self.monitor.answer, path)
                assert found is not None
                answer = found
            await send({"type": "http.response.start", "status": answer.status, "headers": [
                (b"content-type", answer.content_type.encode()), (b"content-length", str(len(answer.body)).encode()),
                (b"cache-control", b"no-store"), id_header]})
            await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else answer.body})
