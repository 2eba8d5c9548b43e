"""The application's long-lived parts, built once by the app factory and shared by every request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from knowledge.db import Database
from knowledge.settings import Settings

if TYPE_CHECKING:
    from matching import Matcher
    from matching.embedders.base import Embedder

# Trainings and cases have no hard filters (the chat's 20 candidates per result are there for advisors and
# engineers a filter may drop), so the portal's matcher over-fetches 2 per result: the same fusion and
# preferences, a tenth of the rows to read.
PORTAL_CANDIDATES_PER_RESULT = 2


def portal_matcher(db: Database, embedder: Embedder, settings: Settings) -> Matcher:
    from matching import Matcher, RankingConfig

    return Matcher(db, embedder, settings, config=RankingConfig(candidates_per_result=PORTAL_CANDIDATES_PER_RESULT))


@dataclass
class WebState:
    settings: Settings
    db: Database
    templates: Environment
    secret: str
    matcher_factory: Any = None          # () -> Matcher; the real one by default (tests pass theirs)
    _matcher: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    caches: dict[str, Any] = field(default_factory=dict)

    @property
    def matcher(self) -> Matcher:
        """The hybrid matcher of the chat, built on first use (it loads the embedder)."""
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    if self.matcher_factory is not None:
                        self._matcher = self.matcher_factory()
                    else:
                        from matching import make_embedder

                        self._matcher = portal_matcher(self.db, make_embedder(self.settings), self.settings)
        return self._matcher
