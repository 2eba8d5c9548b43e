"""Passwords and random tokens of the web application.

- Passwords are hashed with argon2id (argon2-cffi's defaults: RFC 9106 low-memory profile).
- Random tokens (session cookies, CSRF tokens, host management keys) come from ``secrets``;
  the database keeps only their sha256 where a token works as a key.
- Signed, expiring links are bot/secretariat/signed_links.py (the chat bot makes them too).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
_hasher = PasswordHasher()
# Verified against when an account does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("gunmane-no-such-account")


def check_password_rules(password: str) -> str | None:
    """Why a new password is not acceptable (in English, for the CLI), or None."""
    if len(password) < PASSWORD_MIN:
        return f"the password must have at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"the password must have at most {PASSWORD_MAX} characters"
    if not password.strip():
        return "the password cannot be only spaces"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing account still spends the time of one check."""
    if len(password) > PASSWORD_MAX:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token() -> str:
    """32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two texts."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))
