"""Readiness turns red with its reason when the database, the schema or the indexes are not there, green again after."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from alembic import command

from bot.monitoring import Metrics, Probe
from knowledge.db import Database, alembic_config, make_engine, upgrade
from matching.embedders.fake import FakeEmbedder
from matching.vector_index import VectorStore
from tests.ops.tcp_proxy import TcpProxy


def _sqlite(path: Path, revision: str = "head") -> Database:
    engine = make_engine(f"sqlite:///{path}")
    if revision == "head":
        upgrade(engine)
    else:
        command.upgrade(alembic_config(engine), revision)
    return Database(engine)


def _checks(probe: Probe) -> dict[str, tuple[bool, str]]:
    return {c.name: (c.ok, c.detail) for c in probe.ready().checks}


def test_sqlite_file_gone_and_back(tmp_path: Path) -> None:
    path = tmp_path / "gunmane.db"
    db = _sqlite(path)
    probe = Probe(db)
    try:
        assert probe.ready().ok
        db.dispose()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                os.rename(f"{path}{suffix}", f"{path}{suffix}.away")
        readiness = probe.ready()
        assert not readiness.ok
        assert "does not exist" in _checks(probe)["database"][1]
        assert readiness.as_json()["status"] == "unavailable"
        assert not path.exists(), "the probe must not create an empty database"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}.away").exists():
                os.rename(f"{path}{suffix}.away", f"{path}{suffix}")
        assert probe.ready().ok
    finally:
        probe.close()
        db.dispose()


def test_schema_behind_the_code_is_red_until_upgraded(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "old.db", revision="0001")
    probe = Probe(db)
    try:
        ok, detail = _checks(probe)["migrations"]
        assert not ok and "gunmane db upgrade" in detail and "0001" in detail
        upgrade(db.engine)
        assert probe.ready().ok
    finally:
        probe.close()
        db.dispose()


def test_indexes_must_be_loaded(db: Database, data_dir: Path) -> None:
    store = VectorStore(db, FakeEmbedder(), data_dir, 50_000)
    probe = Probe(db, indexes=store)
    try:
        ok, detail = _checks(probe)["indexes"]
        assert not ok and "advisor" in detail and "gunmane index build" in detail
        for kind in ("advisor", "case", "engineer", "training"):
            store.ensure_current(kind)
        assert probe.ready().ok
    finally:
        probe.close()


@pytest.mark.postgres_only
def test_postgres_going_away_and_coming_back(database_url: str, _migrated: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs GUNMANE_TEST_DATABASE_URL=postgresql://…")
    url = urlsplit(database_url)
    proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432))
    port = proxy.port
    db = Database(make_engine(database_url.replace(f"{url.hostname}:{url.port or 5432}", f"127.0.0.1:{port}")))
    probe = Probe(db, deadline_s=5)
    metrics = Metrics(db)
    try:
        assert probe.ready().ok
        assert "gunmane_database_up 1.0" in metrics.render().decode()
        proxy.close()
        ok, detail = _checks(probe)["database"]
        assert not ok and "unreachable" in detail
        assert "gunmane_database_up 0.0" in metrics.render().decode()
        proxy = TcpProxy((url.hostname or "127.0.0.1", url.port or 5432), port=port)
        assert probe.ready().ok
    finally:
        proxy.close()
        probe.close()
        db.dispose()
