"""Liveness and readiness, the same for every HTTP server.

``alive()`` answers as long as the process can answer at all. ``Probe.ready()``
is green only when this worker can serve a turn now: the database answers (a
``SELECT 1`` within a deadline), its schema is at the migrations' head, and —
when the worker has a vector store — every kind's index is loaded in memory.
A red answer names each failing check and how to fix it. Probes build
nothing and write nothing (an SQLite file that is missing is reported, not
created).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy import text

from knowledge.db import Database, current_revision, head_revision

log = logging.getLogger(__name__)
DATABASE_DEADLINE_S = 3.0
INDEX_KINDS = ("advisor", "case", "engineer", "training")


class LoadedIndexes(Protocol):
    """What readiness asks of ``matching.vector_index.VectorStore``."""

    def loaded_meta(self, kind: str) -> object | None: ...


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def as_json(self) -> dict[str, object]:
        return {"status": "ok" if self.ok else "unavailable",
                "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks}}


def missing_sqlite_file(db: Database) -> Path | None:
    """The path of an SQLite database file that is not there (connecting would create it empty)."""
    name = db.engine.url.database
    if db.engine.dialect.name != "sqlite" or not name or name == ":memory:":
        return None
    path = Path(name)
    return None if path.exists() else path


def alive() -> dict[str, str]:
    return {"status": "ok"}


class Probe:
    """The readiness check of one worker: its database and, if it has one, its vector store."""

    def __init__(self, db: Database, *, indexes: LoadedIndexes | None = None,
                 kinds: Sequence[str] = INDEX_KINDS, deadline_s: float = DATABASE_DEADLINE_S) -> None:
        self.db = db
        self.indexes = indexes
        self.kinds = tuple(kinds)
        self.deadline_s = deadline_s
        self._head = head_revision(db.engine)
        # One thread for the database check, so a hung connection cannot pile threads up.
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="gunmane-readyz")

    def ready(self) -> Readiness:
        database = self._database()
        checks = [database]
        if database.ok:
            checks.append(self._migrations())
        else:
            checks.append(Check("migrations", False, "not checked: the database does not answer"))
        if self.indexes is not None:
            checks.append(self._indexes())
        readiness = Readiness(tuple(checks))
        if not readiness.ok:
            log.warning("not ready: %s", "; ".join(f"{c.name}: {c.detail}" for c in checks if not c.ok))
        return readiness

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _database(self) -> Check:
        missing = self._missing_sqlite_file()
        if missing is not None:
            return Check("database", False, f"the SQLite file {missing} does not exist; restore it or run "
                                            "`gunmane db upgrade`")
        future = self._pool.submit(self._select_one)
        try:
            future.result(timeout=self.deadline_s)
        except concurrent.futures.TimeoutError:
            return Check("database", False, f"no answer within {self.deadline_s:g} s")
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            return Check("database", False, f"unreachable ({type(exc).__name__}: {first})")
        return Check("database", True, "answers")

    def _select_one(self) -> None:
        with self.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def _missing_sqlite_file(self) -> Path | None:
        return missing_sqlite_file(self.db)

    def _migrations(self) -> Check:
        try:
            current = current_revision(self.db.engine)
        except Exception as exc:
            return Check("migrations", False, f"cannot read the revision ({type(exc).__name__})")
        if current != self._head:
            return Check("migrations", False, f"the database is at {current or 'no revision'}, the code needs "
                                              f"{self._head}; run `gunmane db upgrade`")
        return Check("migrations", True, f"at {current}")

    def _indexes(self) -> Check:
        assert self.indexes is not None
        missing = [kind for kind in self.kinds if self.indexes.loaded_meta(kind) is None]
        if missing:
            return Check("indexes", False, f"not loaded yet: {', '.join(missing)} (the worker loads them at start; "
                                           "if this stays red, run `gunmane index build`)")
        return Check("indexes", True, f"loaded: {', '.join(self.kinds)}")
