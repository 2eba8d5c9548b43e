"""Engineers' own profiles, reached through a signed, expiring link the bot gives in chat.

``make_profile_link(platform, user_id, settings=…)`` is what the chat engine hands out: a
URL under ``GUNMANE_WEB_BASE_URL`` whose token names the chat user, expires after
``GUNMANE_WEB_PROFILE_LINK_DAYS`` and is signed with ``GUNMANE_WEB_SECRET_KEY`` (nothing is
stored until the engineer saves). Through it the engineer registers or updates their
engineer record (validated like an imported row, through ``bot.secretariat.curation``), gives or
withdraws consent to be found (``discoverable``), or has it erased. Each chat user owns at
most one engineer record (``profile_owners``); the audit log names the chat user as actor.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat import curation
from bot.secretariat.contacts import ChatUser
from bot.secretariat.signed_links import BadSignature, sign, unsign
from knowledge.errors import ConfigError, NotFound
from knowledge.models import Engineer, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.settings import Settings
from knowledge.web_models import ProfileOwner

PURPOSE = "engineer-profile"
PLATFORM = re.compile(r"^[a-z][a-z0-9_]{0,15}$")   # slack, teams, lineworks … (profile_owners.platform: 16)
USER_ID_MAX = 128


def _secret(settings: Settings) -> str:
    if settings.web_secret_key is None:
        raise ConfigError("GUNMANE_WEB_SECRET_KEY is not set; profile links cannot be signed. Set it to a long "
                          "random value (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`).")
    return settings.web_secret_key.get_secret_value()


def make_profile_link(platform: str, user_id: str, *, settings: Settings, now: datetime | None = None) -> str:
    """The URL where this chat user registers or updates their engineer profile."""
    if not settings.web_base_url:
        raise ConfigError("GUNMANE_WEB_BASE_URL is not set; set it to the portal's public address "
                          "(e.g. https://gunmane.example.org) so the bot can hand out profile links.")
    if not PLATFORM.match(platform) or not user_id or len(user_id) > USER_ID_MAX:
        raise ValueError(f"make_profile_link: {platform!r} / a user id of {len(user_id)} characters is not a chat "
                         f"user (platform: lowercase letters, at most 16; user id: 1–{USER_ID_MAX} characters)")
    expires = (now or utcnow()) + timedelta(days=settings.web_profile_link_days)
    token = sign(_secret(settings), PURPOSE, {"p": platform, "u": user_id}, expires=expires)
    return f"{settings.web_base_url.rstrip('/')}/profile/{token}"


def read_profile_token(token: str, *, settings: Settings, now: datetime | None = None) -> tuple[str, str]:
    """(platform, user id) of a valid link; NotFound when it was altered or has expired."""
    try:
        data = unsign(_secret(settings), PURPOSE, token, now=now)
    except BadSignature as exc:
        raise NotFound(f"This profile link is not valid ({exc}). Ask the bot for a new link.") from None
    platform, user_id = data.get("p"), data.get("u")
    if (not isinstance(platform, str) or not isinstance(user_id, str) or not PLATFORM.match(platform)
            or not user_id or len(user_id) > USER_ID_MAX):
        raise NotFound("This profile link is not valid. Ask the bot for a new one.")
    return platform, user_id


def owned_ext_id(platform: str, user_id: str) -> str:
    """The engineer id a chat user's own profile gets: stable, and naming no chat id."""
    digest = hashlib.sha256(f"{platform}:{user_id}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"self-{digest}"


def engineer_of(session: Session, platform: str, user_id: str) -> Engineer | None:
    owner = session.scalar(select(ProfileOwner).where(ProfileOwner.platform == platform,
                                                      ProfileOwner.user_id == user_id))
    if owner is None:
        return None
    return session.scalar(select(Engineer).where(Engineer.ext_id == owner.engineer_ext_id))


def chat_contact(platform: str, user_id: str) -> str:
    """The contact that lets introductions reach this user in chat (``contacts.parse_contact`` reads it)."""
    return ChatUser(platform, user_id).as_contact()


def save_profile(session: Session, platform: str, user_id: str, data: dict[str, Any], *,
                 directory: MunicipalityDirectory) -> tuple[Engineer, bool]:
    """Register or update the user's engineer record; returns it and whether it is new."""
    actor = f"{platform}:{user_id}"
    current = engineer_of(session, platform, user_id)
    if current is not None:
        changes = {k: v for k, v in data.items() if k != "id"}
        row, _changed = curation.edit(session, "engineer", current.ext_id, changes, actor=actor, directory=directory)
        return row, False
    ext_id = owned_ext_id(platform, user_id)
    taken = set(session.scalars(select(Engineer.ext_id).where(Engineer.ext_id.like(f"{ext_id}%"))))
    for number in range(2, len(taken) + 2):   # an erased earlier profile keeps its id: take the next free one
        if ext_id not in taken:
            break
        ext_id = f"{owned_ext_id(platform, user_id)}-{number}"
    row = curation.add(session, "engineer", {**data, "id": ext_id}, actor=actor, directory=directory)
    session.add(ProfileOwner(platform=platform, user_id=user_id, engineer_ext_id=ext_id))
    session.flush()
    return row, True


def withdraw_consent(session: Session, platform: str, user_id: str, *,
                     directory: MunicipalityDirectory) -> Engineer:
    current = engineer_of(session, platform, user_id)
    if current is None:
        raise NotFound("There is no profile to withdraw.")
    row, _ = curation.edit(session, "engineer", current.ext_id, {"discoverable": False},
                           actor=f"{platform}:{user_id}", directory=directory)
    return row  # type: ignore[no-any-return]
