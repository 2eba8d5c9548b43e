"""Console accounts, logins and sessions.

An account has a name, a role (``secretariat`` may change things, ``viewer`` only reads)
and an argon2 password hash. A login that fails is recorded; more than
``web_login_max_failures`` failures for one account name, or ten times that from one
client address, within ``web_login_window_minutes`` lock further tries out until the
window has passed (the right password included, so guessing cannot go on).

A session is a random token in the browser's cookie; the database keeps its sha256,
the account, the session's CSRF token and the expiry. Logout, disabling an account and a
password change delete sessions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.web.security import (
    check_password_rules,
    hash_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import utcnow
from knowledge.web_models import WEB_ROLES, WebLoginAttempt, WebSession, WebUser

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
ADDRESS_FACTOR = 10   # one address may fail this many times more than one account


@dataclass(frozen=True)
class Account:
    """What a request knows about its logged-in account."""

    id: int
    name: str
    role: str
    csrf_token: str

    @property
    def can_change(self) -> bool:
        return self.role == "secretariat"

    @property
    def actor(self) -> str:
        """The name written in the audit log."""
        return f"web:{self.name}"


@dataclass(frozen=True)
class LoginLimits:
    max_failures: int
    window: timedelta


class LoginLocked(Exception):
    """Too many failed logins for this account or address; try again after ``retry_after``."""

    def __init__(self, retry_after: datetime) -> None:
        super().__init__("too many failed logins")
        self.retry_after = retry_after


# ---------------------------------------------------------------- accounts (CLI)


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise ValidationFailed([f"name: {name!r} is not allowed; use 1–64 letters, digits, '_', '.', '@' or '-'"])


def _check_password(password: str) -> None:
    problem = check_password_rules(password)
    if problem:
        raise ValidationFailed([f"password: {problem}"])


def _user(session: Session, name: str) -> WebUser:
    user = session.scalar(select(WebUser).where(WebUser.name == name))
    if user is None:
        raise NotFound(f"No web account {name!r}. `gunmane web user list` shows the accounts.")
    return user


def add_user(session: Session, name: str, role: str, password: str, *, actor: str) -> WebUser:
    _check_name(name)
    if role not in WEB_ROLES:
        raise ValidationFailed([f"role: {role!r} is not allowed; use one of {', '.join(WEB_ROLES)}"])
    _check_password(password)
    if session.scalar(select(WebUser.id).where(WebUser.name == name)) is not None:
        raise ConflictError(f"A web account {name!r} already exists. Use `gunmane web user passwd {name}`.")
    user = WebUser(name=name, role=role, password_hash=hash_password(password), disabled=False)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="add", kind="web_user", record_id=name, after={"role": role})
    return user


def list_users(session: Session) -> list[WebUser]:
    return list(session.scalars(select(WebUser).order_by(WebUser.name)))


def set_disabled(session: Session, name: str, disabled: bool, *, actor: str) -> WebUser:
    user = _user(session, name)
    if user.disabled != disabled:
        user.disabled = disabled
        audit.record(session, actor=actor, action="status", kind="web_user", record_id=name,
                     before={"disabled": not disabled}, after={"disabled": disabled})
    if disabled:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return user


def set_password(session: Session, name: str, password: str, *, actor: str) -> WebUser:
    user = _user(session, name)
    _check_password(password)
    user.password_hash = hash_password(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    audit.record(session, actor=actor, action="passwd", kind="web_user", record_id=name)
    return user


# ---------------------------------------------------------------- login


def _failures_since(session: Session, since: datetime, *, account: str | None = None,
                    address: str | None = None) -> tuple[int, datetime | None]:
    query = select(func.count(WebLoginAttempt.id), func.min(WebLoginAttempt.at)).where(WebLoginAttempt.at >= since)
    if account is not None:
        query = query.where(WebLoginAttempt.account == account)
    if address is not None:
        query = query.where(WebLoginAttempt.address == address)
    count, first = session.execute(query).one()
    return int(count or 0), first


def _locked_until(session: Session, name: str, address: str, limits: LoginLimits, now: datetime) -> datetime | None:
    since = now - limits.window
    for filters, allowed in (({"account": name}, limits.max_failures),
                             ({"address": address}, limits.max_failures * ADDRESS_FACTOR)):
        count, first = _failures_since(session, since, **filters)
        if count >= allowed and first is not None:
            first = first if first.tzinfo else first.replace(tzinfo=now.tzinfo)
            return first + limits.window
    return None


def login(
    session: Session, name: str, password: str, *, address: str, limits: LoginLimits, session_hours: int,
    now: datetime | None = None,
) -> tuple[str, Account] | None:
    """A new session (cookie token, account) for a right name and password; None otherwise.

    Raises LoginLocked while the account or the address is over its failure limit.
    """
    now = now or utcnow()
    name, address = name[:64], address[:64]
    locked = _locked_until(session, name, address, limits, now)
    if locked is not None:
        raise LoginLocked(locked)
    user = session.scalar(select(WebUser).where(WebUser.name == name))
    if not verify_password(user.password_hash if user else None, password) or user is None or user.disabled:
        session.add(WebLoginAttempt(at=now, account=name, address=address))
        session.flush()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = new_token()
    web_session = WebSession(token_hash=token_hash(token), user_id=user.id, csrf_token=new_token(),
                             created_at=now, expires_at=now + timedelta(hours=session_hours))
    session.add(web_session)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.flush()
    return token, Account(user.id, user.name, user.role, web_session.csrf_token)


def account_for(session: Session, token: str | None, *, now: datetime | None = None) -> Account | None:
    """The account of a session cookie, or None when missing, unknown, expired or disabled."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    row = session.execute(
        select(WebSession, WebUser).join(WebUser, WebUser.id == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(token))
    ).one_or_none()
    if row is None:
        return None
    web_session, user = row
    expires = web_session.expires_at if web_session.expires_at.tzinfo else web_session.expires_at.replace(
        tzinfo=now.tzinfo)
    if expires <= now or user.disabled:
        return None
    return Account(user.id, user.name, user.role, web_session.csrf_token)


def logout(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def forget_old_attempts(session: Session, *, older_than: timedelta, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - older_than
    result = session.execute(delete(WebLoginAttempt).where(WebLoginAttempt.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
