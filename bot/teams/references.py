"""Which Teams conversations may be used to reach a user later: only their 1:1 chat with the bot.

Teams lets a bot message a user proactively only in a conversation the bot
already knows, so every time someone talks to the bot in a 1:1 chat (or
installs it for themselves) the reference of that chat is saved under their
user id (storage: bot/relay/references.py). Channel conversations are never
saved: an introduction request or a contact card must never be posted where
others read.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ConversationReference

from bot.relay.references import ReferenceStore as StoredReferences
from bot.teams.activities import PLATFORM, is_personal, user_id
from knowledge.db import Database


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
    """Conversation references of Teams users' 1:1 chats with the bot."""

    def __init__(self, db: Database) -> None:
        self._stored = StoredReferences(db, PLATFORM)

    def remember(self, activity: Activity) -> bool:
        """Save how to reach this activity's sender, if it comes from their 1:1 chat with the bot."""
        if not is_personal(activity):
            return False
        self.save(user_id(activity), reference_json(activity))
        return True

    def save(self, user: str, reference: dict[str, Any]) -> None:
        if not is_personal_reference(reference):
            raise ValueError("only references of 1:1 chats are stored")
        self._stored.save(user, reference)

    def get(self, user: str) -> dict[str, Any] | None:
        return self._stored.get(user)

    def conversation_reference(self, user: str) -> ConversationReference | None:
        stored = self.get(user)
        return ConversationReference.model_validate(stored) if stored else None
