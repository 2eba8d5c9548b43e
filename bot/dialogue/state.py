"""The state of one conversation, kept in table ``conversation_states``.

Saved after every turn as JSON. The row's ``version`` column is SQLAlchemy's
version counter: when two workers handle the same conversation at once, the
second save fails (StaleDataError) instead of silently overwriting the first,
and the engine runs that turn again on the fresh state.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.dialogue.replies import ConversationKey
from knowledge.cards import IntakeCard
from knowledge.models import ConversationState

HISTORY_LIMIT = 12     # snapshots kept for 戻る/back
OLD_NONCES_LIMIT = 8   # earlier nonces of this conversation, to tell "expired" from "someone else's"


def new_nonce() -> str:
    return secrets.token_hex(4)


@dataclass
class DialogueState:
    """Everything the engine remembers between two turns of one conversation.

    ``step`` is what the engine waits for (``idle``, ``municipality``,
    ``municipality_pick``, ``missing``, ``confirm``, ``edit_pick``,
    ``edit_item``, ``edit_value``, ``edit_text``, ``results``, ``counsel``,
    ``answered``, ``named``); ``ask`` holds
    that step's details (which sub-issue, which item, the candidates offered).
    """

    nonce: str = field(default_factory=new_nonce)
    step: str = "idle"
    language: str = "ja"
    question_id: int = 0
    card: dict[str, Any] | None = None          # IntakeCard.model_dump()
    ask: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)   # "<sub>:<item>" already asked once
    history: list[dict[str, Any]] = field(default_factory=list)
    old_nonces: list[str] = field(default_factory=list)
    consultation_id: int | None = None
    counsel: dict[str, Any] = field(default_factory=dict)   # belief, facts and quotes of the counselling (counsel.py)
    awaiting: dict[str, Any] = field(default_factory=dict)  # a typed answer wanted outside the steps (followups.py)
    last_at: str | None = None                   # ISO time of the last turn
    turns: int = 0

    # ------------------------------------------------------------ card helpers

    def intake_card(self) -> IntakeCard | None:
        return None if self.card is None else IntakeCard.model_validate(self.card)

    def set_card(self, card: IntakeCard | None) -> None:
        self.card = None if card is None else card.model_dump()

    # ------------------------------------------------------------ history (戻る)

    def snapshot(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("history", "old_nonces", "last_at", "turns", "nonce", "question_id"):
            data.pop(name)
        return copy.deepcopy(data)

    def checkpoint(self) -> None:
        """Remember the state as it is now, so 戻る returns to it."""
        self.history.append(self.snapshot())
        del self.history[:-HISTORY_LIMIT]

    def go_back(self) -> bool:
        if not self.history:
            return False
        previous = self.history.pop()
        for name, value in previous.items():
            setattr(self, name, value)
        return True

    def fresh(self, *, language: str | None = None) -> DialogueState:
        """A new conversation that still recognises this one's buttons as expired."""
        old = ([self.nonce] + self.old_nonces)[:OLD_NONCES_LIMIT]
        return DialogueState(language=language or self.language, old_nonces=old, turns=self.turns)

    def last_time(self) -> datetime | None:
        if not self.last_at:
            return None
        at = datetime.fromisoformat(self.last_at)
        return at if at.tzinfo else at.replace(tzinfo=UTC)

    # ------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DialogueState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**copy.deepcopy(known))


class StateStore:
    """Load and save conversation states (the caller's session commits)."""

    @staticmethod
    def load(session: Session, key: ConversationKey) -> tuple[ConversationState | None, DialogueState | None]:
        row = session.get(ConversationState, key.as_string())
        if row is None:
            return None, None
        try:
            return row, DialogueState.from_json(row.state or {})
        except (TypeError, ValueError):
            # A state written by an incompatible version: start afresh rather than fail every turn.
            return row, None

    @staticmethod
    def save(
        session: Session, key: ConversationKey, row: ConversationState | None, state: DialogueState, now: datetime
    ) -> None:
        state.last_at = now.isoformat()
        if row is None:
            row = ConversationState(
                key=key.as_string(), platform=key.platform[:16], workspace=key.workspace[:128],
                channel=key.channel[:256], user_id=key.user[:128],
            )
            session.add(row)
        row.state = state.to_json()
        row.updated_at = now
        session.flush()
