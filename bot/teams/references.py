"""Stored conversation references: how to reach a Teams user who is not talking right now.

Teams lets a bot message a user proactively only in a conversation the bot
already knows, so every time someone talks to the bot in a 1:1 chat (or
installs it for themselves) the reference of that chat is saved under their
user id. Channel conversations are never saved: an introduction request or a
contact card must never be posted where others read.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ConversationReference
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from knowledge.db import Database
from knowledge.models import ConversationReference as ReferenceRow

from bot.teams.activities import PLATFORM, is_personal, user_id


def reference_json(activity: Activity) -> dict[str, Any]:
    reference = activity.get_conversation_reference()
    reference.activity_id = None  # a proactive message starts a new thread of its own
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True)


def is_personal_reference(reference: dict[str, Any]) -> bool:
    conversation = reference.get("conversation") or {}
    if conversation.get("conversationType"):
        return bool(conversation.get("conversationType") == "personal")
    return not conversation.get("isGroup", False)


class ReferenceStore:
    """Conversation references of Teams users, in the ``conversation_references`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(self, activity: Activity) -> bool:
        """Save how to reach this activity's sender, if it comes from their 1:1 chat with the bot."""
        if not is_personal(activity):
            return False
        self.save(user_id(activity), reference_json(activity))
        return True

    def save(self, user: str, reference: dict[str, Any]) -> None:
        if not is_personal_reference(reference):
            raise ValueError("only references of 1:1 chats are stored")
        try:
            self._save(user, reference)
        except IntegrityError:  # another worker inserted the same user at the same moment
            self._save(user, reference)

    def _save(self, user: str, reference: dict[str, Any]) -> None:
        with self._db.session() as session:
            row = session.scalar(
                select(ReferenceRow).where(ReferenceRow.platform == PLATFORM, ReferenceRow.user_id == user)
            )
            if row is None:
                session.add(ReferenceRow(platform=PLATFORM, user_id=user, reference=reference))
            elif row.reference != reference:
                row.reference = reference

    def get(self, user: str) -> dict[str, Any] | None:
        with self._db.session() as session:
            return session.scalar(
                select(ReferenceRow.reference).where(ReferenceRow.platform == PLATFORM, ReferenceRow.user_id == user)
            )

    def conversation_reference(self, user: str) -> ConversationReference | None:
        stored = self.get(user)
        return ConversationReference.model_validate(stored) if stored else None
