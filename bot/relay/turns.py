"""Running turns for an adapter: one at a time per conversation, and a "working on it" note when slow.

Chat platforms deliver a user's quick second message while the first turn
still runs; ``KeyedLocks`` makes it wait, so replies stay in order.
``WorkingNotice`` posts a short note when a turn takes longer than a delay,
and hands back what it posted so the adapter can replace it with the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class WorkingNotice:
    """Posts "working on it" if the work takes longer than ``delay`` seconds (at once when 0)."""

    def __init__(self, post: Callable[[], str | None], delay: float) -> None:
        self._post = post
        self._delay = delay
        self._lock = threading.Lock()
        self._done = False
        self._timer: threading.Timer | None = None
        self.ts: str | None = None

    def _fire(self) -> None:
        with self._lock:
            if not self._done:
                self.ts = self._post()

    def start(self) -> WorkingNotice:
        if self._delay <= 0:
            self._fire()
        else:
            self._timer = threading.Timer(self._delay, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def finish(self) -> str | None:
        """Stop the timer; the posted note's ts (to replace with the answer), if one was posted."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True
            return self.ts


class KeyedLocks:
    """One lock per conversation key, so a user's quick second message waits for the first turn."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if users[0] == 0:
                    self._locks.pop(key, None)
