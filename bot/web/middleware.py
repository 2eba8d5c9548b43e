"""ASGI middleware: a size limit on every request body, and the security headers.

The body limit counts the bytes as they arrive (a missing or false Content-Length does not
get past it) and answers 413 with a page that says the limit; the import upload has a
larger limit than the forms. The headers are a strict Content-Security-Policy (no script
at all, styles and images from this site only, forms posted here only, never framed) and
the usual companions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bot.web.i18n import language_of, translate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FORM_LIMIT = 1024 * 1024            # 1 MiB: every form of the portal and the console
UPLOAD_LIMIT = 20 * 1024 * 1024     # 20 MiB: the console's import upload
UPLOAD_PATHS = ("/admin/import",)

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class BodyTooLarge(Exception):
    pass


def _limit_for(scope: Scope) -> int:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    return UPLOAD_LIMIT if path.startswith(UPLOAD_PATHS) else FORM_LIMIT


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    lang = language_of(_headers(scope).get(b"accept-language", b"").decode("latin-1"))
    text = translate(lang, "error.body_too_large", limit=f"{limit // (1024 * 1024)} MB")
    body = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>413</title>'
            f"<main><h1>413</h1><p>{text}</p></main></html>").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"connection", b"close"), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit_for(scope)
        declared = _headers(scope).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(scope, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def secure_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(HEADERS)]
                headers.extend(HEADERS)
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, secure_send)
        except BodyTooLarge:
            if not started:
                await _too_large(scope, send, limit)
