"""Serving the app: HTTP (Events API, interactivity, slash commands on /slack/events) or Socket Mode.

HTTP runs bolt's WSGI adapter under waitress, a multi-threaded production
WSGI server (bolt's own ``App.start()`` is a development server that drops
malformed bodies without answering). The adapter checks the signature on the
raw bytes first — a request Slack did not sign gets 401 and nothing of it is
parsed or logged — then answers a body bolt cannot parse with 400 and a log
line: never a 500 or a dropped connection. ``GET /healthz`` answers 200 for load balancers.

Socket Mode uses bolt's built-in Socket Mode handler (no extra dependency);
``apps.connections.open`` goes through the same Web API client, so
``GUNMANE_SLACK_API_URL`` applies to it too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.wasyncore import close_all

from bot.monitoring import Monitor, MonitoringWSGI
from knowledge.settings import Settings

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_048_576   # Slack's payloads are a few KB; refuse anything absurd
SERVER_THREADS = 8
MAX_SIGNATURE_AGE_S = 300   # Slack's (and bolt's) replay window


_TIMESTAMP = re.compile(r"[0-9]{1,12}")   # Unix seconds, as Slack sends them; nothing else is parsed


def is_signed(secret: str, raw: bytes, timestamp: str, signature: str, *, now: float | None = None) -> bool:
    """Slack's v0 signature over raw bytes, checked before anything of the body is read.

    Any header Slack would not send — a timestamp that is not plain digits (``abc``, ``1e3``,
    ``1700000000.5``, empty), a signature with non-ASCII characters — is simply not signed.
    """
    if not secret or not _TIMESTAMP.fullmatch(timestamp):
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_SIGNATURE_AGE_S:
        return False
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class GunmaneRequestHandler(SlackRequestHandler):
    """bolt's WSGI adapter: the signature checked here on the raw body against the signing secret or, during a
    rotation, the previous one (401 when neither signed it; bolt's own check is off in HTTP mode, see
    bot/slack/app.py); unparseable signed bodies answered 400."""

    def __init__(self, app: App, signing_secret: str, path: str = EVENTS_PATH, *, previous_secret: str = "") -> None:
        super().__init__(app, path)
        self.secret = signing_secret
        self.secrets = [secret for secret in (signing_secret, previous_secret) if secret]

    def signed(self, raw: bytes, headers: dict[str, Any]) -> bool:
        timestamp, signature = _header(headers, "x-slack-request-timestamp"), _header(headers, "x-slack-signature")
        return any(is_signed(secret, raw, timestamp, signature) for secret in self.secrets)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        headers = request.get_headers()
        raw = request.environ["wsgi.input"].read(int(request.environ.get("CONTENT_LENGTH") or 0))
        if not self.signed(raw, headers):   # the signing secret, or the previous one during a rotation
            # Nothing of the body is read or logged: it comes from anyone.
            log.warning("Rejected an unsigned or stale request to %s (%d bytes); answered 401", self.path, len(raw))
            return BoltResponse(status=401, body={"error": "invalid request"})
        try:
            bolt_request = BoltRequest(body=raw.decode("utf-8"), query=request.query_string, headers=headers)
        except UnicodeDecodeError:
            return _malformed("the body is not UTF-8")
        except Exception as exc:  # bolt parses JSON / form / payload= here and raises on garbage
            return _malformed(f"the body cannot be parsed ({type(exc).__name__})")
        if not isinstance(bolt_request.body, dict):
            return _malformed("the body is not a JSON object or form")
        return self.app.dispatch(bolt_request)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok"]
        return super().__call__(environ, start_response)


def _header(headers: dict[str, Any], name: str) -> str:
    value = headers.get(name)
    return str(value[0] if isinstance(value, list) and value else value or "")


def _malformed(reason: str) -> BoltResponse:
    log.warning("Rejected a malformed Slack request: %s; answered 400", reason)
    return BoltResponse(status=400, body={"error": "malformed request", "detail": reason})


class HttpServer:
    """The app under waitress on ``host:port`` (port 0: a free one, see :attr:`port`)."""

    def __init__(self, app: App, settings: Settings, *, host: str = "0.0.0.0", port: int = 3000,
                 threads: int = SERVER_THREADS, monitor: Monitor | None = None) -> None:
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        previous = settings.slack_signing_secret_previous
        self.wsgi = GunmaneRequestHandler(app, secret, previous_secret=previous.get_secret_value() if previous else "")
        served = MonitoringWSGI(self.wsgi, monitor) if monitor is not None else self.wsgi   # /readyz, /metrics
        self._server: BaseWSGIServer | MultiSocketServer = create_server(
            served, host=host, port=port, threads=threads, ident="gunmane",
            max_request_body_size=MAX_BODY_BYTES, expose_tracebacks=False,
        )
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    def serve_forever(self) -> None:
        log.info("gunmane Slack app listening on port %s, path %s", self.port, EVENTS_PATH)
        self._server.run()

    def start(self) -> HttpServer:
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self._server.run, name="gunmane-slack-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection from inside the server's loop, then join it."""
        server = self._server
        server.task_dispatcher.shutdown()
        server.trigger.pull_trigger(lambda: close_all(server._map))  # type: ignore[union-attr]
        if self._thread is not None:
            self._thread.join(timeout=10)


def socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    """bolt's Socket Mode handler for ``app`` with ``SLACK_APP_TOKEN``; ``.start()`` blocks, ``.connect()`` does not."""
    from bot.slack.app import check_credentials

    check_credentials(settings, "socket")
    assert settings.slack_app_token is not None
    return SocketModeHandler(app, settings.slack_app_token.get_secret_value(), web_client=app.client)
