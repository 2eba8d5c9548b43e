"""`gunmane db backup|restore`: consistent under a running writer, checked on restore, same conversations after."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue.engine import DialogueEngine
from knowledge.backup import BackupError, backup_sqlite, database_in_use, inspect_backup, restore_sqlite
from knowledge.db import Database, alembic_config, get_version, make_engine, upgrade
from knowledge.reference import seed_reference
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from tests.dialogue.conversation import Conversation, all_choices, texts

WRITER = Path(__file__).with_name("sqlite_writer.py")
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _new_sqlite(path: Path, *, sample: bool = False) -> Database:
    db = Database(make_engine(f"sqlite:///{path}"))
    upgrade(db.engine)
    with db.session() as session:
        seed_reference(session)
        if sample:
            from knowledge import sample as sample_data

            sample_data.seed_sample(session)
    return db


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Database]:
    db = _new_sqlite(tmp_path / "live.db")
    yield db
    db.dispose()


def test_backup_is_consistent_while_another_process_writes(live: Database, tmp_path: Path) -> None:
    url = str(live.engine.url)
    writer = subprocess.Popen([sys.executable, str(WRITER), url], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert writer.stdout is not None and writer.stdin is not None
    try:
        while int(writer.stdout.readline() or 0) < 30:   # the writer is well under way
            assert writer.poll() is None, "the writer died"
        info = backup_sqlite(url, tmp_path / "copy.db")
        after = int(writer.stdout.readline() or 0)
        assert after > 30, "the writer kept writing during the backup"
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)
        writer.stdout.close()
    assert info.revision and inspect_backup(info.path).revision == info.revision
    copy = sqlite3.connect(info.path)
    try:
        halves = Counter(row[0] for row in copy.execute("SELECT record_id FROM audit_log WHERE actor = 'writer'"))
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        copy.close()
    assert len(halves) >= 30
    assert set(halves.values()) == {2}, "a transaction was torn in the copy"
    assert not Path(f"{info.path}-wal").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []


def test_a_restored_database_serves_the_same_conversations(tmp_path: Path) -> None:
    original = _new_sqlite(tmp_path / "original.db", sample=True)
    settings = Settings(data_dir=tmp_path / "data", embedder="fake")
    engine = DialogueEngine(original, settings, embedder=FakeEmbedder(), clock=lambda: NOW)
    alice = Conversation(engine, "U_BACKUP1")
    alice.say("奈良県宇陀市の技術職員です。村道の橋の点検が職員2人では回らず、外注の仕方も分かりません")
    first = all_choices(alice.last)
    assert first, "the bot asks something to answer"
    alice.press_value(first[0].value)
    backup = backup_sqlite(str(original.engine.url), tmp_path / "backup.db")

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'gunmane.db'}"
    result = restore_sqlite(backup.path, restored_url)
    assert not result.needs_upgrade
    restored = Database(make_engine(restored_url))
    try:
        twin = Conversation(DialogueEngine(restored, settings, embedder=FakeEmbedder(), clock=lambda: NOW),
                            "U_BACKUP1")
        assert twin.step() == alice.step()
        choices = all_choices(alice.last)
        assert choices, "the conversation goes on with a choice"
        on_original = alice.press_value(choices[0].value)
        on_restored = twin.press_value(choices[0].value)
        assert texts(on_restored) == texts(on_original) and texts(on_original)
        overviews = [e.user_overview("slack", "U_BACKUP1") for e in (engine, twin.engine)]
        summaries = [[(c.id, c.municipality, c.summary, c.status) for c in o.consultations] for o in overviews]
        assert summaries[0] and summaries[0] == summaries[1]   # created_at is the write's own time
        with original.session() as a, restored.session() as b:   # indexes of the old data cannot pass for current
            assert get_version(b, "advisor") > get_version(a, "advisor")
    finally:
        restored.dispose()
        original.dispose()


def test_restore_refuses_a_database_in_use_unless_forced(live: Database, tmp_path: Path) -> None:
    backup = backup_sqlite(str(live.engine.url), tmp_path / "b.db")
    target = tmp_path / "target.db"
    server = _new_sqlite(target)   # a "running server": a pooled connection stays open
    try:
        with server.session() as session:
            assert get_version(session, "advisor") == 0
        assert database_in_use(target)
        with pytest.raises(BackupError, match="in use by a running gunmane process"):
            restore_sqlite(backup.path, f"sqlite:///{target}")
        restore_sqlite(backup.path, f"sqlite:///{target}", force=True)
        with server.session() as session:   # the running process reads the restored content
            assert get_version(session, "advisor") == 1
    finally:
        server.dispose()
    assert not database_in_use(target)


@pytest.mark.parametrize("content, says", [
    (b"", "not an SQLite database"),
    (b"name,contact\nA,a@example.jp\n", "not an SQLite database"),
    (b"SQLite format 3\x00" + b"\xff" * 200, "damaged"),
])
def test_restore_refuses_files_that_are_not_gunmane_backups(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=says):
        restore_sqlite(path, f"sqlite:///{tmp_path / 'target.db'}")
    assert not (tmp_path / "target.db").exists()


def test_restore_refuses_foreign_and_future_databases(tmp_path: Path, live: Database) -> None:
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE notes (x TEXT)")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="not a gunmane one"):
        restore_sqlite(foreign, f"sqlite:///{tmp_path / 'target.db'}")
    future = backup_sqlite(str(live.engine.url), tmp_path / "future.db").path
    connection = sqlite3.connect(future)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="newer version"):
        restore_sqlite(future, f"sqlite:///{tmp_path / 'target.db'}")
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(future.read_bytes()[: 4096 * 3])
    with pytest.raises(BackupError, match="damaged|not a gunmane"):
        restore_sqlite(truncated, f"sqlite:///{tmp_path / 'target.db'}")
    with pytest.raises(BackupError, match="not a file"):
        restore_sqlite(tmp_path, f"sqlite:///{tmp_path / 'target.db'}")


def test_a_configured_file_that_is_no_database_is_neither_copied_nor_overwritten(tmp_path: Path,
                                                                                live: Database) -> None:
    stray = tmp_path / "notes.db"
    stray.write_text("meeting notes, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(BackupError, match="could not be copied"):
        backup_sqlite(f"sqlite:///{stray}", tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()
    backup = backup_sqlite(str(live.engine.url), tmp_path / "good.db")
    with pytest.raises(BackupError, match="not an SQLite database; move it away"):
        restore_sqlite(backup.path, f"sqlite:///{stray}")
    assert stray.read_text(encoding="utf-8").startswith("meeting notes")


def test_an_older_backup_is_restored_and_asks_for_an_upgrade(tmp_path: Path) -> None:
    old = Database(make_engine(f"sqlite:///{tmp_path / 'old.db'}"))
    command.upgrade(alembic_config(old.engine), "0001")
    old.dispose()
    result = restore_sqlite(tmp_path / "old.db", f"sqlite:///{tmp_path / 'target.db'}")
    assert result.needs_upgrade and result.info.revision == "0001"


def test_backup_refusals(live: Database, tmp_path: Path) -> None:
    url = str(live.engine.url)
    with pytest.raises(BackupError, match="pg_dump"):
        backup_sqlite("postgresql://postgres@127.0.0.1/x", tmp_path / "x.db")
    with pytest.raises(BackupError, match="does not exist"):
        backup_sqlite(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")
    with pytest.raises(BackupError, match="folder"):
        backup_sqlite(url, tmp_path / "no" / "such" / "dir.db")
    with pytest.raises(BackupError, match="database itself"):
        backup_sqlite(url, Path(live.engine.url.database or ""))
    backup_sqlite(url, tmp_path / "once.db")
    with pytest.raises(BackupError, match="--force"):
        backup_sqlite(url, tmp_path / "once.db")
    assert backup_sqlite(url, tmp_path / "once.db", overwrite=True).path.exists()


def test_the_commands(live: Database, tmp_path: Path) -> None:
    env = {"GUNMANE_DATABASE_URL": str(live.engine.url), "GUNMANE_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()
    made = runner.invoke(app, ["db", "backup", str(tmp_path / "cli.db")], env=env)
    assert made.exit_code == 0 and "schema revision" in made.stdout, made.output
    again = runner.invoke(app, ["db", "backup", str(tmp_path / "cli.db")], env=env)
    assert again.exit_code == 1 and "--force" in again.output
    live.dispose()   # the "bot" is stopped
    target_env = {**env, "GUNMANE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    restored = runner.invoke(app, ["db", "restore", str(tmp_path / "cli.db")], env=target_env)
    assert restored.exit_code == 0 and "Restored" in restored.stdout, restored.output
    bad = runner.invoke(app, ["db", "restore", str(tmp_path / "nothing.db")], env=target_env)
    assert bad.exit_code == 1 and "does not exist" in bad.output
    pg = runner.invoke(app, ["db", "backup", "x.db"], env={**env, "GUNMANE_DATABASE_URL": "postgresql://u@h/db"})
    assert pg.exit_code == 1 and "pg_dump" in pg.output
