"""Platform-neutral conversation types: what comes in, what goes out.

Adapters translate platform events into ``Incoming*`` values and these replies
into Block Kit, Adaptive Cards or terminal text. A ``Choice.value`` is an
opaque token (at most 150 characters) that the adapter hands back unchanged
as ``IncomingChoice.value`` when the user picks it.

Besides the per-turn ``Turn``, the engine answers three introduction views
(``IntroView``: what to post to whom when an introduction is requested,
accepted or declined) and a per-user ``Overview`` (Slack App Home).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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
    kind: str              # advisor | case | engineer | training | window
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
    """Not shown as such: tells the adapter to do something on another channel.

    ``event`` is one of ``intro_requested``, ``intro_accepted``, ``intro_declined``,
    ``intro_brokered`` (a request the secretariat must find someone for: tell the secretariat);
    ``introduction_id`` names the introduction record.
    """

    event: str
    introduction_id: int


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


# ---------------------------------------------------------------- introductions and overview

PlatformUser = tuple[str, str]      # (platform, user id), e.g. ("slack", "U012AB3CD")


@dataclass
class IntroView:
    """What an adapter posts for one introduction, and to whom.

    - request view: ``recipient`` is the requested person when their contact is a
      chat user id (else ``None``: the secretariat handles it by mail); ``replies``
      show the intake card (no requester contact) and Accept/Decline choices.
    - accepted view: ``participants`` are the requester and the target (those on
      a chat platform); ``replies`` carry the card and both contacts.
    - declined view: ``recipient`` is the requester; ``replies`` give the news
      and the next candidate with a 紹介を依頼 choice.
    """

    introduction_id: int
    recipient: PlatformUser | None = None
    participants: tuple[PlatformUser, ...] = ()
    replies: list[Reply] = field(default_factory=list)
    language: str = "ja"

    def participant_ids(self, platform: str) -> list[str]:
        """The participants' user ids on one platform (e.g. for a Slack group DM)."""
        return [user for p, user in self.participants if p == platform]


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
