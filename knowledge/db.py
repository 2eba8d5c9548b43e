"""Database engine, sessions, migrations and the schema check.

``Database`` is the one handle the rest of the code receives. ``open_database``
refuses to hand it out while the schema is behind the migrations, naming the
command that was run, so nobody works on a half-migrated database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.errors import SchemaOutOfDate
from knowledge.models import Meta
from knowledge.settings import Settings

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_S = 30  # SQLite: how long a writer (or a checkpoint) waits for the others


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.execute("PRAGMA secure_delete=ON")  # deleted and overwritten content is zeroed, not left in free space
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    """Apply every pending migration; return (before, after) revisions."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return before, current_revision(engine)


class Database:
    """The engine and a session factory; one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def check_schema(self, command_name: str) -> None:
        current, head = current_revision(self.engine), head_revision(self.engine)
        if current != head:
            state = "has no schema yet" if current is None else f"is at revision {current}, the code needs {head}"
            raise SchemaOutOfDate(
                f"The database {self.engine.url.render_as_string(hide_password=True)} {state}. "
                f"Run `gunmane db upgrade`, then `gunmane {command_name}` again."
            )

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, command_name: str | None = None) -> Database:
    """Open the configured database; with ``command_name``, insist on an up-to-date schema."""
    db = Database(make_engine(settings.effective_database_url))
    if command_name is not None:
        db.check_schema(command_name)
    return db


# ---------------------------------------------------------------- erasure on disk


def flush_erased_after_commit(session: Session) -> None:
    """Once ``session`` commits, rewrite SQLite's files so erased values leave no copy on disk.

    ``secure_delete`` (set on every connection) zeroes the old bytes in the
    pages an erasure rewrites, but in WAL mode those pages go to the ``-wal``
    file first and the main file keeps its old pages until a checkpoint. A
    ``wal_checkpoint(TRUNCATE)`` copies the new pages into the main file and
    empties the ``-wal``; it waits (busy_timeout) for readers of an older
    snapshot, so a server that keeps the database open does not keep the
    copies. It must run outside the erasing transaction, hence after commit,
    on a connection of its own. PostgreSQL: see docs/reliability.md (VACUUM).
    """
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return

    def checkpoint(_session: Session) -> None:
        try:
            with engine.connect() as conn:
                busy, _log_frames, _copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        except SQLAlchemyError as exc:  # the erasure has committed: report, do not turn it into a failure
            log.warning("after an erasure the SQLite checkpoint failed (%s); the -wal file keeps old pages "
                        "until the next checkpoint", exc.__class__.__name__)
            return
        if busy:
            log.warning("after an erasure the SQLite checkpoint could not finish (a reader held the database for "
                        "%s s); the -wal file keeps old pages until the next checkpoint", BUSY_TIMEOUT_S)

    event.listen(session, "after_commit", checkpoint, once=True)


# ---------------------------------------------------------------- data versions

def version_key(kind: str) -> str:
    return f"version:{kind}"


def bump_version(session: Session, kind: str) -> int:
    """Mark that records of ``kind`` changed; workers compare this to reload indexes."""
    row = session.get(Meta, version_key(kind))
    if row is None:
        row = Meta(key=version_key(kind), value="1")
        session.add(row)
        session.flush()
        return 1
    value = int(row.value) + 1
    row.value = str(value)
    session.flush()
    return value


def get_version(session: Session, kind: str) -> int:
    value = session.scalar(select(Meta.value).where(Meta.key == version_key(kind)))
    return int(value) if value is not None else 0
