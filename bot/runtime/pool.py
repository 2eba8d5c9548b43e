"""Engine turns off the request path, with a backlog counter and a polite busy reply.

    pool = TurnPool.for_settings(settings, db)      # GUNMANE_TURN_PROCESSES=0: turns in this process
    turn = pool.handle(key, incoming)               # blocks the calling (listener) thread only

With ``processes`` > 0 the turns run in a ``ProcessPoolExecutor`` (spawn context): each pool process opens
its own database and builds and warms its own :class:`~bot.dialogue.engine.DialogueEngine` in the
initializer, and returns the platform-neutral, picklable :class:`~bot.dialogue.replies.Turn`; the server
process only waits on the future, so its request threads — the acknowledgements — never queue behind
embedding, tokenising or the database work of a turn on the same GIL (docs/benchmarks.md, "Where to run
the slow work": ack p99 25.5 ms with a pool of 2 against 540 ms with threads). With 0 (the default, small
installations: one process, no extra service) the turn runs in the calling thread, as before.

Back-pressure: :attr:`backlog` counts the turns handed in and not yet answered; when it reaches
``busy_backlog`` the adapter first says :func:`busy_reply` and the turn still waits its turn — nothing is
dropped. The same counter is the ``gunmane_queue_depth`` gauge.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

from bot.dialogue import messages
from bot.dialogue.replies import ConversationKey, Incoming, IncomingMessage, Overview, Text, Turn
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)


class EngineLike(Protocol):
    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn: ...
    def user_overview(self, platform: str, user_id: str) -> Overview: ...
    def reset(self, key: ConversationKey) -> None: ...
    def language_of(self, text: str) -> str: ...


class TurnMetrics(Protocol):
    def timed_turn(self, platform: str, handle: Callable[[], Turn]) -> Turn: ...


# ---------------------------------------------------------------- inside a pool process

_ENGINE: EngineLike | None = None


def _start_pool_process(settings: Settings, warm: bool) -> None:
    """The pool's initializer: this process's own database and engine (never one inherited by fork)."""
    global _ENGINE
    from bot.dialogue.engine import DialogueEngine
    from bot.monitoring.logs import configure_logging
    from knowledge.db import open_database

    configure_logging(settings)
    engine = DialogueEngine(open_database(settings, "turn pool"), settings)
    if warm:
        engine.warm_up()
    _ENGINE = engine


def _turn_in_pool_process(key: ConversationKey, incoming: Incoming) -> Turn:
    assert _ENGINE is not None, "the pool's initializer builds the engine"
    return _ENGINE.handle(key, incoming)


def _ping() -> bool:
    return _ENGINE is not None


# ---------------------------------------------------------------- in the server process


class TurnPool:
    """Engine-like: ``handle`` runs a turn in the pool (or here), the rest of the engine's calls run here."""

    def __init__(self, engine: EngineLike, *, processes: int = 0, settings: Settings | None = None,
                 busy_backlog: int = 8, warm: bool = True) -> None:
        if processes < 0:
            raise ValueError("processes must be 0 (turns in this process) or more")
        if processes and settings is None:
            raise ValueError("a pool of processes needs the settings to build its engines")
        self.engine = engine
        self.processes = processes
        self.busy_backlog = max(1, busy_backlog)
        self._lock = threading.Lock()
        self._backlog = 0
        self._executor: ProcessPoolExecutor | None = None
        self.metrics: TurnMetrics | None = None   # set by the server runtime
        if processes:
            assert settings is not None
            self._executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=functools.partial(_start_pool_process, settings, warm))

    @classmethod
    def for_settings(cls, settings: Settings, db: Database, engine: EngineLike | None = None) -> TurnPool:
        if engine is None:
            from bot.dialogue.engine import DialogueEngine

            engine = DialogueEngine(db, settings)
        return cls(engine, processes=settings.turn_processes, settings=settings,
                   busy_backlog=settings.busy_backlog)

    @property
    def backlog(self) -> int:
        """Turns handed in and not yet answered."""
        return self._backlog

    @property
    def busy(self) -> bool:
        return self._backlog >= self.busy_backlog

    def start(self) -> None:
        """Start the pool processes now and wait until each has its engine (at server start)."""
        if self._executor is not None:
            futures = [self._executor.submit(_ping) for _ in range(self.processes)]
            ready = sum(bool(f.result()) for f in futures)
            log.info("turn pool: %d process(es) ready", ready)

    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn:
        with self._lock:
            self._backlog += 1
        try:
            if self.metrics is not None:   # turns counted and timed (waiting in the pool included)
                return self.metrics.timed_turn(key.platform, lambda: self._handle(key, incoming))
            return self._handle(key, incoming)
        finally:
            with self._lock:
                self._backlog -= 1

    def _handle(self, key: ConversationKey, incoming: Incoming) -> Turn:
        if self._executor is None:
            return self.engine.handle(key, incoming)
        try:
            return self._executor.submit(_turn_in_pool_process, key, incoming).result()
        except Exception:  # a pool process died (BrokenProcessPool) or the turn could not be sent
            log.exception("the turn pool failed on a %s; answered with an apology", type(incoming).__name__)
            language = self.engine.language_of(incoming.text) if isinstance(incoming, IncomingMessage) else "ja"
            return Turn([Text(messages.say(language, "internal_error"))], language)

    def user_overview(self, platform: str, user_id: str) -> Overview:
        return self.engine.user_overview(platform, user_id)

    def reset(self, key: ConversationKey) -> None:
        self.engine.reset(key)

    def language_of(self, text: str) -> str:
        return self.engine.language_of(text)

    def warm_up(self) -> None:
        """Warm the engine of this process (the pool processes warm their own in the initializer)."""
        warm = getattr(self.engine, "warm_up", None)
        if warm is not None:
            warm()

    def shutdown(self) -> None:
        """Cancel what waits, let a running turn finish, and close the pool's processes and pipes now: a pool
        left to close in its manager thread later closes its pipes while the server (or the next test) has
        opened others."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def busy_reply(engine: object, language: str) -> str | None:
    """The catalogue's busy reply when ``engine`` is a :class:`TurnPool` with a long backlog, else None.

    The adapters post it before they hand the turn in (the turn is still answered, in order)."""
    if isinstance(engine, TurnPool) and engine.busy:
        return messages.say(language, "queue_busy")
    return None
