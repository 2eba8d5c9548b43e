"""One logging set-up for every command and server: ``configure_logging(settings)``.

``GUNMANE_LOG_FORMAT=text`` (default) writes ``time level logger [request id]: message``;
``json`` writes one JSON object per line (``ts``, ``level``, ``logger``,
``message``, ``request_id``, ``exc``). Every line carries the request id of
the request or turn it belongs to (a context variable set per request by the
HTTP handlers, or by :func:`request_context`), and passes the contact filter
(:mod:`bot.monitoring.redact`) — a safety net: nothing of a contact or a
message body is logged at INFO on purpose.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO

from bot.monitoring.redact import redact
from knowledge.settings import Settings

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("gunmane_request_id", default=None)
REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_HANDLER_NAME = "gunmane"
# Libraries that narrate every step at INFO; their warnings still come through.
QUIET_LOGGERS = ("apscheduler", "waitress.queue", "urllib3", "httpx", "msal", "alembic.runtime.migration")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def usable_request_id(incoming: str | None) -> str:
    """An id from a proxy's ``X-Request-Id`` when it is a plain token, else a new one."""
    if incoming and _SAFE_ID.match(incoming):
        return incoming
    return new_request_id()


@contextmanager
def request_context(request_id: str | None = None) -> Iterator[str]:
    """Every log line inside the block carries ``request_id`` (a new one when None)."""
    value = request_id or new_request_id()
    token = REQUEST_ID.set(value)
    try:
        yield value
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class RedactingFilter(logging.Filter):
    """Replaces contact patterns in the rendered message (and any traceback) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_text:
            line["exc"] = record.exc_text
        elif record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not when the handler was made:
    a command run inside another program (a test runner, an embedding app) may swap stderr and close
    the old one, and a handler holding the closed stream would fail on every later line."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _: IO[str]) -> None:   # StreamHandler.__init__ assigns it; the property always reads anew
        pass


class BodyGuard(logging.Filter):
    """For a library that logs request bodies (bolt does, at INFO, for a badly signed or failing request;
    the Teams SDK logs an invalid activity's values at ERROR): its INFO lines, and any line that mentions a
    body or quotes input values, go to DEBUG — dropped unless DEBUG is on — and a line
    is cut to ``DEBUG_LIMIT`` characters. Its warnings and errors without a body pass as they are."""

    DEBUG_LIMIT = 1000
    # "input_value": pydantic's errors quote the value (the Teams SDK logs every invalid activity so)
    WORDS = ("body", "unhandled request", "input_value")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        lowered = message.lower()
        if record.levelno < logging.WARNING or any(word in lowered for word in self.WORDS):
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            record.exc_info, record.exc_text = None, None   # a traceback would repeat the values uncut
        if len(message) > self.DEBUG_LIMIT:
            record.msg, record.args = message[: self.DEBUG_LIMIT] + f"… ({len(message):,} characters)", None
        return True


def guarded_logger(name: str) -> logging.Logger:
    """A logger to hand to a library as its base logger, with :class:`BodyGuard` on it."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, BodyGuard) for f in logger.filters):
        logger.addFilter(BodyGuard())
    return logger


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    handler: logging.StreamHandler = logging.StreamHandler(stream) if stream is not None else _CurrentStderrHandler()  # type: ignore[type-arg]
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(settings: Settings, *, stream: IO[str] | None = None) -> logging.Handler:
    """Install gunmane's one handler on the root logger (replacing an earlier one of ours)."""
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = make_handler(settings.log_format, stream)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    return handler
