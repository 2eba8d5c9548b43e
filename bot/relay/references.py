"""Stored ways to reach a chat user who is not talking right now, by platform and user id.

Teams lets a bot message a user proactively only in a conversation it
already knows, so the Teams adapter stores the conversation reference of
each user's 1:1 chat here (what a reference is, and which ones may be
stored, is the adapter's business). Erasure deletes a person's references.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from knowledge.db import Database
from knowledge.models import ConversationReference


class ReferenceStore:
    """Rows of ``conversation_references`` for one platform."""

    def __init__(self, db: Database, platform: str) -> None:
        self._db = db
        self.platform = platform

    def save(self, user: str, reference: dict[str, Any]) -> None:
        try:
            self._save(user, reference)
        except IntegrityError:  # another worker inserted the same user at the same moment
            self._save(user, reference)

    def _save(self, user: str, reference: dict[str, Any]) -> None:
        with self._db.session() as session:
            row = session.scalar(select(ConversationReference).where(
                ConversationReference.platform == self.platform, ConversationReference.user_id == user))
            if row is None:
                session.add(ConversationReference(platform=self.platform, user_id=user, reference=reference))
            elif row.reference != reference:
                row.reference = reference

    def get(self, user: str) -> dict[str, Any] | None:
        with self._db.session() as session:
            return session.scalar(select(ConversationReference.reference).where(
                ConversationReference.platform == self.platform, ConversationReference.user_id == user))
