"""A scripted conversation with the engine: say(), press(label), and the last turn's texts."""

from __future__ import annotations

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import (
    Card,
    Choice,
    ConversationKey,
    IncomingChoice,
    IncomingMessage,
    Notice,
    Question,
    ResultList,
    Text,
    Turn,
)


def texts(turn: Turn) -> str:
    """Every human-readable string of a turn, joined (for asserting on wording)."""
    parts: list[str] = []
    for r in turn.replies:
        if isinstance(r, (Text, Question)):
            parts.append(r.text)
        if isinstance(r, Card):
            parts.append(r.title)
            parts.extend(f"{a}: {b}" for a, b in r.fields)
        if isinstance(r, ResultList):
            parts.append(r.title)
            for item in r.items:
                parts.extend([item.title, item.why, item.detail])
    return "\n".join(parts)


def all_choices(turn: Turn) -> list[Choice]:
    out: list[Choice] = []
    for r in turn.replies:
        if isinstance(r, Question):
            out.extend(r.choices)
        elif isinstance(r, Card):
            out.extend(r.actions)
        elif isinstance(r, ResultList):
            for item in r.items:
                out.extend(item.actions)
            if r.more is not None:
                out.append(r.more)
    return out


def notices(turn: Turn) -> list[Notice]:
    return [r for r in turn.replies if isinstance(r, Notice)]


def results(turn: Turn) -> list[ResultList]:
    return [r for r in turn.replies if isinstance(r, ResultList)]


class Conversation:
    def __init__(self, engine: DialogueEngine, user: str = "U_ALICE", *, platform: str = "slack",
                 workspace: str = "T1", channel: str = "D1") -> None:
        self.engine = engine
        self.key = ConversationKey(platform, workspace, channel, user)
        self.turns: list[Turn] = []

    @property
    def last(self) -> Turn:
        return self.turns[-1]

    def say(self, text: str) -> Turn:
        return self._record(self.engine.handle(self.key, IncomingMessage(text)))

    def press_value(self, value: str) -> Turn:
        return self._record(self.engine.handle(self.key, IncomingChoice(value)))

    def _record(self, turn: Turn) -> Turn:
        assert turn.replies, "every turn answers something"
        for c in all_choices(turn):
            assert len(c.value) <= 150, c.value
        self.turns.append(turn)
        return turn

    def transcript(self) -> str:
        return "\n".join(texts(t) for t in self.turns)

    def choice(self, label: str, turn: Turn | None = None) -> Choice:
        options = all_choices(turn or self.last)
        for c in options:
            if c.label == label or c.label.startswith(label):
                return c
        raise AssertionError(f"no choice {label!r} in {[c.label for c in options]}")

    def press(self, label: str, turn: Turn | None = None) -> Turn:
        return self.press_value(self.choice(label, turn).value)

    def step(self) -> str:
        from bot.dialogue.state import StateStore

        with self.engine.db.session() as session:
            _, state = StateStore.load(session, self.key)
        assert state is not None
        return state.step
