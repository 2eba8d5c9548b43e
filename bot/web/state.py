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
                        from matching import Matcher, make_embedder

                        self._matcher = Matcher(self.db, make_embedder(self.settings), self.settings)
        return self._matcher
