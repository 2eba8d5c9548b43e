"""What one turn's steps share: the session, the key, the state, the services, the replies."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.dialogue import choices, messages
from bot.dialogue.replies import Choice, ConversationKey, Question, Reply, Text
from bot.dialogue.state import DialogueState
from knowledge.cards import IntakeCard
from knowledge.db import Database
from knowledge.municipalities import MunicipalityDirectory
from knowledge.settings import Settings

if TYPE_CHECKING:
    from matching.embedders.base import Embedder
    from matching.engine import Matcher


class Services:
    """The engine's collaborators, each built once on first use and shared by all turns."""

    def __init__(self, db: Database, settings: Settings, *, matcher: Matcher | None, embedder: Embedder | None) -> None:
        self.db = db
        self.settings = settings
        self._matcher = matcher
        self._embedder = embedder
        self._directory: MunicipalityDirectory | None = None
        self._lock = threading.Lock()

    def directory(self) -> MunicipalityDirectory:
        if self._directory is None:
            with self._lock:
                if self._directory is None:
                    with self.db.session() as session:
                        self._directory = MunicipalityDirectory(session)
        return self._directory

    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    if self._matcher is not None:
                        self._embedder = self._matcher.embedder
                    else:
                        from matching.embedders import make_embedder

                        self._embedder = make_embedder(self.settings)
        return self._embedder

    def matcher(self) -> Matcher:
        if self._matcher is None:
            embedder = self.embedder()
            with self._lock:
                if self._matcher is None:
                    from matching.engine import Matcher

                    self._matcher = Matcher(self.db, embedder, self.settings)
        return self._matcher

    def analyze(self, text: str, *, prefecture: str | None = None, municipality: str | None = None) -> IntakeCard:
        from bot.dialogue.understand import analyze

        return analyze(text, directory=self.directory(), embedder=self.embedder(),
                       prefecture=prefecture, municipality=municipality)

    def extract(self, text: str) -> Any:
        """Codes found in a short answer: an object with fields, processes, pains, wanted."""
        from matching.intake import extract

        return extract(text, embedder=self.embedder())

    def language_of(self, text: str) -> str:
        from matching.intake import detect_language

        return detect_language(text)


@dataclass
class TurnContext:
    session: Session
    key: ConversationKey
    state: DialogueState
    now: datetime
    services: Services
    replies: list[Reply] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.state.language

    def text(self, key: str, **values: object) -> str:
        return messages.say(self.lang, key, **values)

    def say(self, key: str, **values: object) -> None:
        self.replies.append(Text(self.text(key, **values)))

    def say_text(self, text: str) -> None:
        """A text composed from several messages (the 見立て, an answer with its source)."""
        self.replies.append(Text(text))

    def ask(self, text: str, options: list[tuple[str, str]], *, hint: str | None = None,
            keep_id: bool = False, primary: str | None = None) -> None:
        """A question whose choices answer the current step; ``options`` are (label, answer)."""
        if not keep_id:
            self.state.question_id += 1
        self.replies.append(Question(text, self.choices(options, primary=primary), hint))

    def choices(self, options: list[tuple[str, str]], *, primary: str | None = None) -> tuple[Choice, ...]:
        return tuple(
            Choice(label, choices.answer(self.state.nonce, self.state.question_id, value),
                   "primary" if value == primary else "default")
            for label, value in options
        )

