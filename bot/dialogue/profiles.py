"""What the bot remembers of a user across conversations (table ``user_profiles``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue.replies import ConversationKey
from knowledge.cards import MunicipalityRef
from knowledge.models import UserProfile


def find(session: Session, platform: str, user_id: str) -> UserProfile | None:
    return session.scalar(select(UserProfile).where(UserProfile.platform == platform, UserProfile.user_id == user_id))


def place_of(session: Session, key: ConversationKey) -> MunicipalityRef | None:
    profile = find(session, key.platform, key.user)
    if profile is None or not profile.prefecture or not profile.municipality:
        return None
    return MunicipalityRef(prefecture=profile.prefecture, name=profile.municipality)


def remember_place(session: Session, key: ConversationKey, place: MunicipalityRef, language: str) -> None:
    profile = find(session, key.platform, key.user)
    if profile is None:
        profile = UserProfile(platform=key.platform[:16], user_id=key.user[:128], extra={})
        session.add(profile)
    profile.prefecture, profile.municipality, profile.language = place.prefecture, place.name, language
    session.flush()


def set_place(session: Session, platform: str, user_id: str, prefecture: str, municipality: str) -> None:
    """Used by `gunmane chat --municipality` to preset the terminal user's municipality."""
    remember_place(session, ConversationKey(platform, "", "", user_id),
                   MunicipalityRef(prefecture=prefecture, name=municipality), "ja")
