"""Signed, expiring values for links the bot hands out (an engineer's profile link).

A value is ``payload.signature``: the payload is URL-safe base64 of a small JSON object with
an expiry, the signature HMAC-SHA256 over it with a key derived from
``GUNMANE_WEB_SECRET_KEY`` and a purpose, so a value signed for one use is never accepted
for another, and nothing needs storing to check it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any


class BadSignature(Exception):
    """A signed value that was altered, signed for another purpose, or has expired."""


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two texts."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, payload: str) -> str:
    key = hashlib.sha256(f"gunmane:{purpose}:{secret}".encode()).digest()
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def sign(secret: str, purpose: str, data: dict[str, Any], *, expires: datetime) -> str:
    """``data`` with an expiry, signed for ``purpose``: safe to put in a URL."""
    body = {**data, "exp": int(expires.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
    return f"{payload}.{_mac(secret, purpose, payload)}"


def unsign(secret: str, purpose: str, value: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The data of a value made by ``sign``; BadSignature when altered, misused or expired."""
    if len(value) > 2048 or value.count(".") != 1:
        raise BadSignature("malformed")
    payload, mac = value.split(".")
    if not same(mac, _mac(secret, purpose, payload)):
        raise BadSignature("signature does not match")
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError):
        raise BadSignature("malformed payload") from None
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
        raise BadSignature("malformed payload")
    if (now or datetime.now(UTC)).timestamp() > data["exp"]:
        raise BadSignature("expired")
    return data
