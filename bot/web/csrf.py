"""CSRF tokens: one per session for logged-in accounts, one per browser for everyone else.

A logged-in form carries the session's random token (stored with the session). An
anonymous form (the portal's, the login page's) carries an HMAC of a random cookie value,
keyed by the secret key, so a token from one browser never passes in another and an
attacker who can plant a cookie still cannot make a matching token. Every POST is checked.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from bot.web.security import new_token, same

if TYPE_CHECKING:
    from starlette.requests import Request

    from bot.web.context import Ctx

ANON_COOKIE = "gm_csrf"
ANON_MAX_AGE = 60 * 60 * 24 * 30


def anonymous_token(secret: str, anonymous_id: str) -> str:
    return hmac.new(secret.encode(), f"anon-csrf:{anonymous_id}".encode(), hashlib.sha256).hexdigest()


def anonymous_id(request: Request, ctx: Ctx) -> str:
    """This browser's random id (the cookie), made and set on the response when it has none."""
    current = request.cookies.get(ANON_COOKIE, "")
    if 20 <= len(current) <= 64:
        return current
    for name, value, _ in ctx.set_cookies:
        if name == ANON_COOKIE:
            return value
    fresh = new_token()
    ctx.set_cookies.append((ANON_COOKIE, fresh, ANON_MAX_AGE))
    return fresh


def valid(ctx: Ctx, submitted: str) -> bool:
    if not submitted or len(submitted) > 128:
        return False
    if ctx.account is not None:
        return same(submitted, ctx.account.csrf_token)
    current = ctx.request.cookies.get(ANON_COOKIE, "")
    if not 20 <= len(current) <= 64:
        return False
    return same(submitted, anonymous_token(ctx.web.secret, current))
