"""One worker at a time per job, however many processes run the scheduler.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on
a connection of its own for the whole run; if the worker dies, the server
ends its session and the lock goes with it. SQLite: an exclusive ``flock`` on
a file beside the database (``<file>.locks/<job>.lock``), released by the
kernel when the process dies. Nobody waits: a busy lock means another worker
is running the job right now.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from knowledge.db import Database

log = logging.getLogger(__name__)
_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for the job (Python's hash() changes per process)."""
    return int.from_bytes(hashlib.sha256(f"gunmane.job:{name}".encode()).digest()[:8], "big", signed=True)


def sqlite_lock_path(db: Database, name: str) -> Path | None:
    database = db.engine.url.database
    if db.engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    path = Path(database)
    return path.with_name(f"{path.name}.locks") / f"{name}.lock"


@contextmanager
def job_lock(db: Database, name: str) -> Iterator[bool]:
    """Yield True while this worker holds the job's lock, False when another worker holds it."""
    if db.engine.dialect.name == "postgresql":
        with _advisory_lock(db, name) as held:
            yield held
        return
    path = sqlite_lock_path(db, name)
    if path is not None:
        with _file_lock(path) as held:
            yield held
        return
    with _local_lock(name) as held:   # in-memory SQLite: one process is all there is
        yield held


@contextmanager
def _advisory_lock(db: Database, name: str) -> Iterator[bool]:
    key = advisory_key(name)
    with db.engine.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()
        try:
            yield held
        finally:
            if held:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except Exception:
                    # Closing the session for good releases the lock on the server.
                    log.warning("could not release the lock of job %s; dropping its connection", name)
                    connection.invalidate()


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def _local_lock(name: str) -> Iterator[bool]:
    with _LOCAL_GUARD:
        lock = _LOCAL_LOCKS.setdefault(name, threading.Lock())
    held = lock.acquire(blocking=False)
    try:
        yield held
    finally:
        if held:
            lock.release()
