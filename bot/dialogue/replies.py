"""Platform-neutral conversation types: what comes in, what goes out.

Adapters translate platform events into ``Incoming*`` values and these replies
into Block Kit, Adaptive Cards or terminal text. A ``Choice.value`` is an
opaque token (at most 150 characters) that the adapter hands back unchanged
as ``IncomingChoice.value`` when the user picks it.

A turn may also raise a ``Notice`` (an introduction was requested, accepted,
…): the people involved must hear of it elsewhere. The engine turns a notice
into ``Delivery`` values — who gets which replies, in which language, and
what the secretariat is told (bot/dialogue/deliveries.py) — and the relay
hands them to each platform's sender (bot/relay). ``Overview`` is a user's
consultations and introductions (Slack App Home).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from bot.secretariat.contacts import ChatUser, Outbox, Recipient, Secretariat

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MAX_CHOICE_VALUE = 150


@dataclass(frozen=True)
class ConversationKey:
    platform: str          # "slack", "teams", "terminal"
    workspace: str         # Slack team id, Teams tenant id, "local"
    channel: str           # channel or thread id (DMs: the DM channel)
    user: str              # the platform user id of the person talking

    def as_string(self) -> str:
        return "|".join((self.platform, self.workspace, self.channel, self.user))


@dataclass(frozen=True)
class IncomingMessage:
    text: str


@dataclass(frozen=True)
class IncomingChoice:
    value: str


Incoming = IncomingMessage | IncomingChoice


@dataclass(frozen=True)
class Choice:
    label: str
    value: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[Choice, ...]
    free_text_hint: str | None = None   # shown when the user may also type an answer


@dataclass(frozen=True)
class Card:
    """A titled card of label/value fields, e.g. the 課題カード."""

    title: str
    fields: tuple[tuple[str, str], ...]
    actions: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ResultItem:
    kind: str              # advisor | case | engineer | training | technology | window
    id: str
    title: str
    why: str
    detail: str = ""
    distance_km: float | None = None
    actions: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ResultList:
    title: str
    items: tuple[ResultItem, ...]
    more: Choice | None = None


@dataclass(frozen=True)
class Notice:
    """Not shown as such: something others must hear of, delivered outside this conversation.

    ``event`` names what happened (``intro_requested``, ``intro_accepted``,
    ``intro_declined``, ``intro_expired``, ``intro_brokered``, ``intro_reminder``,
    ``intro_followup``; the composers in bot/dialogue/deliveries.py list them
    all) and ``subject_id`` the record it is about (an introduction's id).
    """

    event: str
    subject_id: int


Reply = Text | Question | Card | ResultList | Notice


@dataclass
class Turn:
    """Everything the engine answers to one incoming message or choice.

    ``card`` is the conversation's current intake card in the contract's
    "Intake analysis" shape (``IntakeCard.to_json()``), or ``None`` before there is one.
    """

    replies: list[Reply] = field(default_factory=list)
    language: str = "ja"
    card: dict[str, Any] | None = None


# ---------------------------------------------------------------- deliveries and overview


@dataclass(frozen=True)
class Delivery:
    """What to send to whom for one notice; the adapters only render and send it.

    ``recipients`` get the replies together — one group conversation where the
    platform has one (a Slack group DM), else each their own. A recipient is a
    chat user, the ``Outbox`` (the secretariat sends it by mail) or the
    ``Secretariat``'s own place on each platform. After sending, ``reached``
    follows when every recipient got it, ``unreached`` otherwise (e.g. the
    secretariat note that says who must be written to by mail).
    """

    notice: Notice
    recipients: tuple[Recipient, ...]
    replies: tuple[Reply, ...]
    language: str = "ja"
    role: str = ""                      # requester | target | participants | secretariat (logs, outbox)
    reached: tuple[Delivery, ...] = ()
    unreached: tuple[Delivery, ...] = ()

    @property
    def text(self) -> str:
        """The plain text of the replies (the outbox listing, notification previews)."""
        lines: list[str] = []
        for reply in self.replies:
            if isinstance(reply, Text | Question):
                lines.append(reply.text)
            elif isinstance(reply, Card):
                lines += [reply.title] + [f"{name}: {value}" for name, value in reply.fields]
            elif isinstance(reply, ResultList):
                lines += [reply.title] + [f"- {item.title}" for item in reply.items]
        return "\n".join(lines)


Composer = Callable[["Session", Notice], list[Delivery]]   # a notice → its deliveries (bot/dialogue/deliveries.py)


@dataclass(frozen=True)
class ConsultationSummary:
    id: int
    created_at: datetime
    municipality: str          # "奈良県宇陀市", or "" when unknown
    summary: str               # one line: the sub-issues' fields/processes and text
    status: str                # recommended | lookup | …


@dataclass(frozen=True)
class IntroductionSummary:
    id: int
    role: Literal["requester", "target"]
    counterpart: str           # the other side's display name (never a contact)
    target_kind: str           # advisor | engineer
    state: str                 # requested | accepted | declined | expired | completed
    requested_at: datetime
    topic: str = ""            # the sub-issue text, shortened


@dataclass
class Overview:
    """A user's consultations and introductions, newest first (for Slack App Home)."""

    platform: str
    user_id: str
    consultations: list[ConsultationSummary] = field(default_factory=list)
    introductions: list[IntroductionSummary] = field(default_factory=list)
    language: str = "ja"


__all__ = [
    "Card", "ChatUser", "Choice", "Composer", "ConsultationSummary", "ConversationKey", "Delivery", "Incoming",
    "IncomingChoice", "IncomingMessage", "IntroductionSummary", "Notice", "Outbox", "Overview", "Question",
    "Recipient", "Reply", "ResultItem", "ResultList", "Secretariat", "Text", "Turn",
]
