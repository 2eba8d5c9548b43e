"""Backup and restore of the SQLite database, consistent while the bot runs.

``backup_sqlite`` copies the live database with SQLite's online backup API in
one step (a read transaction: in WAL mode writers go on meanwhile, and the
copy is the database as of one moment), into a temporary file that is
checked and then renamed into place, so a backup file is either whole or
absent. The copy is a single self-contained file (rollback journal, no WAL).

``restore_sqlite`` first checks that the file is a gunmane database at a
revision these migrations know, then copies it into the configured database
with the same API. It refuses while another process has the database open
(unless forced), and moves every record kind's version past both the old and
the restored one, so no worker keeps a vector index of the old data.

PostgreSQL is backed up with its own tools (pg_dump); see docs/deploy.md.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from knowledge.db import MIGRATIONS, version_key
from knowledge.errors import GunmaneError

log = logging.getLogger(__name__)
SQLITE_HEADER = b"SQLite format 3\x00"
REQUIRED_TABLES = ("alembic_version", "meta", "conversation_states", "consultations", "introductions", "advisors")
COUNTED_TABLES = ("advisors", "engineers", "cases", "trainings", "consultations", "conversation_states",
                  "introductions")
RECORD_KINDS = ("advisor", "case", "engineer", "training")
PG_DUMP_HINT = ("PostgreSQL is backed up with its own tools: `pg_dump --format=custom --file=gunmane.dump DBNAME` "
                "and restored with `pg_restore --clean --dbname=DBNAME gunmane.dump` (see docs/deploy.md)")


class BackupError(GunmaneError):
    """A backup or restore that cannot be done as asked; the message says what to do instead."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    size: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RestoreResult:
    info: BackupInfo
    head: str

    @property
    def needs_upgrade(self) -> bool:
        return self.info.revision != self.head


def sqlite_file(url: str) -> Path:
    """The file of an SQLite database URL; a clear refusal for anything else."""
    if url.startswith("postgresql"):
        raise BackupError(f"The database is PostgreSQL. {PG_DUMP_HINT}.")
    if not url.startswith("sqlite:///") or url.removeprefix("sqlite:///") in ("", ":memory:"):
        raise BackupError(f"Backups are made of an SQLite file or with pg_dump; {url.split('://')[0]} "
                          "databases are not supported.")
    return Path(url.removeprefix("sqlite:///"))


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def head() -> str:
    revision = _scripts().get_current_head()
    assert revision is not None
    return revision


# ---------------------------------------------------------------- checking a file


def inspect_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is a whole gunmane database at a known revision; raise BackupError saying why not."""
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not an SQLite database (a gunmane backup starts with 'SQLite format 3').")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened as an SQLite database ({exc}).") from None
    try:
        return _inspect(connection, path)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged ({exc}); use another backup.") from None
    finally:
        connection.close()


def _inspect(connection: sqlite3.Connection, path: Path) -> BackupInfo:
    check = connection.execute("PRAGMA quick_check").fetchone()
    if not check or check[0] != "ok":
        raise BackupError(f"{path} is damaged (integrity check: {check[0] if check else 'no answer'}); "
                          "use another backup.")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise BackupError(f"{path} is an SQLite database but not a gunmane one (no {', '.join(missing)} table).")
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) != 1:
        raise BackupError(f"{path} has no single schema revision ({len(rows)} found); it is not a gunmane backup.")
    revision = str(rows[0][0])
    if revision not in known_revisions():
        raise BackupError(f"{path} is at schema revision {revision!r}, which this gunmane does not know: it was "
                          "made by a newer version. Install that version (or newer), then restore.")
    counts = {name: int(connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
              for name in COUNTED_TABLES if name in tables}
    return BackupInfo(path, revision, path.stat().st_size, counts)


# ---------------------------------------------------------------- backup


def backup_sqlite(url: str, destination: Path, *, overwrite: bool = False) -> BackupInfo:
    """Copy the live database at ``url`` into ``destination`` (consistent, whole or absent)."""
    source = sqlite_file(url)
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist; nothing to back up.")
    destination = destination.expanduser()
    if destination.resolve() == source.resolve():
        raise BackupError("The backup file cannot be the database itself; name another file.")
    if destination.exists() and not overwrite:
        raise BackupError(f"{destination} exists already; name a new file or pass --force to replace it.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist; create it first.")
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        try:
            _copy(source, partial)
        except sqlite3.Error as exc:
            raise BackupError(f"The database file {source} could not be copied ({exc}); is it an SQLite "
                              "database? Check GUNMANE_DATABASE_URL.") from None
        info = inspect_backup(partial)
        _fsync(partial)
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    log.info("Backed up the database to %s (revision %s, %d bytes)", destination, info.revision, info.size)
    return BackupInfo(destination, info.revision, info.size, info.counts)


def _copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)   # pages=-1: the whole database in one step, as of one moment
        dst.execute("PRAGMA journal_mode=DELETE")   # one self-contained file, no -wal beside it
        dst.commit()
    finally:
        dst.close()
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- restore


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def database_in_use(path: Path) -> bool:
    """Whether another connection (a running server or command) has the database open.

    gunmane opens SQLite in WAL mode; leaving WAL needs the database to
    itself, so a refused switch means someone else has it open. The switch,
    when it succeeds, is harmless: the file is about to be replaced, and
    gunmane turns WAL back on at its next connection.
    """
    if not path.exists():
        return False
    connection = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            return False
        return str(connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower() == "wal"
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def restore_sqlite(backup: Path, url: str, *, force: bool = False) -> RestoreResult:
    """Replace the database at ``url`` by the backup's content, after checking the backup."""
    target = sqlite_file(url)
    info = inspect_backup(backup.expanduser())
    if target.exists() and target.resolve() == info.path.resolve():
        raise BackupError("The backup file is the database itself; nothing to restore.")
    if target.exists() and target.stat().st_size > 0 and not _is_sqlite(target):
        raise BackupError(f"The configured database file {target} is not an SQLite database; move it away "
                          "(or fix GUNMANE_DATABASE_URL), then restore again.")
    if database_in_use(target) and not force:
        raise BackupError(f"The database {target} is in use by a running gunmane process (a server or a command). "
                          "Stop it first, or pass --force to restore into it while it runs.")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = _versions(target) if target.exists() else {}
    src = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
        restored = _versions_of(dst)
        for kind in RECORD_KINDS:
            value = max(previous.get(kind, 0), restored.get(kind, 0)) + 1
            dst.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                        (version_key(kind), str(value), str(value)))
        dst.commit()
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()
    log.info("Restored the database %s from %s (revision %s)", target, info.path, info.revision)
    return RestoreResult(info, head())


def _versions(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return _versions_of(connection)
    except sqlite3.DatabaseError:
        return {}   # an empty or foreign file: nothing to move past
    finally:
        connection.close()


def _versions_of(connection: sqlite3.Connection) -> dict[str, int]:
    keys = {version_key(kind): kind for kind in RECORD_KINDS}
    found: dict[str, int] = {}
    for key, value in connection.execute(f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(keys))})",
                                         list(keys)):
        try:
            found[keys[key]] = int(value)
        except ValueError:
            continue
    return found
