"""Platform-neutral conversation types: what comes in, what goes out.

Adapters translate platform events into ``Incoming*`` values and these replies
into Block Kit, Adaptive Cards or terminal text. A ``Choice.value`` is an
opaque token (at most 1,000 characters) that the adapter hands back unchanged
as ``IncomingChoice.value`` when the user picks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


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

    ``event`` is one of ``intro_requested``, ``intro_accepted``, ``intro_declined``;
    ``introduction_id`` names the introduction record.
    """

    event: str
    introduction_id: int


Reply = Text | Question | Card | ResultList | Notice


@dataclass
class Turn:
    """Everything the engine answers to one incoming message or choice."""

    replies: list[Reply] = field(default_factory=list)
    language: str = "ja"
