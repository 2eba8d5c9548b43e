"""Where a person is reached: a contact field → a chat user, or the secretariat's outbox.

A contact that names a chat user — ``slack:U…`` or a bare Slack member id
``U…``/``W…``, ``teams:<Entra object id>``, ``terminal:<user>``,
``lineworks:<user id>`` — is reached on that platform. Anything else (an
e-mail address, a phone number, nothing at all) is the *outbox*: the
secretariat sends it by mail. ``parse_contact`` is the only place that reads
contacts; everything that delivers a message asks it.

``Secretariat`` is the third kind of recipient: the secretariat's own place
on each platform (a Slack channel, the Teams members listed in the settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHAT_PLATFORMS = ("slack", "teams", "terminal", "lineworks")
_SLACK_MEMBER = re.compile(r"[UW][A-Z0-9]{2,}")


@dataclass(frozen=True)
class ChatUser:
    """A person on a chat platform, by the id that platform knows them by."""

    platform: str
    user_id: str

    def as_contact(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True)
class Outbox:
    """Someone the secretariat reaches itself (by mail); ``contact`` is what the record says, if anything."""

    contact: str | None = None


@dataclass(frozen=True)
class Secretariat:
    """The secretariat's own place on each platform that has one configured."""


Recipient = ChatUser | Outbox | Secretariat


def parse_contact(contact: str | None) -> ChatUser | Outbox:
    """The chat user a contact names, or the outbox when it names none."""
    value = (contact or "").strip()
    prefix, sep, rest = value.partition(":")
    if sep and prefix.lower() in CHAT_PLATFORMS and rest.strip():
        return ChatUser(prefix.lower(), rest.strip())
    if _SLACK_MEMBER.fullmatch(value):
        return ChatUser("slack", value)
    return Outbox(value or None)


def contact_forms(user: ChatUser) -> list[str]:
    """Every way a contact field may name this chat user (for finding their records)."""
    forms = [user.as_contact()]
    if user.platform == "slack":
        forms.append(user.user_id)
    return forms
