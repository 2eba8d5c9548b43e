"""Shared fixtures: one migrated, reference-seeded database per test session.

``GUNMANE_TEST_DATABASE_URL`` picks the server (PostgreSQL in CI's second
pass); empty means a SQLite file in a temporary directory. Each test gets the
reference data (prefectures, municipalities, windows, MLIT cases) and nothing
else: tables written by tests are emptied after every test.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from knowledge import models, web_models
from knowledge.db import Database, make_engine, upgrade
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder

# Tables the tests write to, children first.
MUTABLE_TABLES = [
    web_models.VisitRequest,
    web_models.VisitDate,
    web_models.VisitHost,
    web_models.TrainingSubmission,
    web_models.SupporterApplication,
    web_models.ProfileOwner,
    web_models.OutboxMessage,
    web_models.WebSession,
    web_models.WebLoginAttempt,
    web_models.WebUser,
    models.JobRun,
    models.AdoptionAnswer,
    models.EventParticipant,
    models.EventTechnology,
    models.TechEvent,
    models.GroupMember,
    models.MunicipalGroup,
    models.GroupSuggestion,
    models.ConsultationImport,
    models.Introduction,
    models.SubIssue,
    models.Consultation,
    models.ConversationState,
    models.ConversationReference,
    models.UserProfile,
    models.ProcessedEvent,
    models.AuditEntry,
    models.EmbeddingCacheEntry,
    models.Meta,
    models.Advisor,
    models.Engineer,
    models.Training,
    models.Technology,
]


def _reset_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("GUNMANE_TEST_DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    return url


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> Iterator[str]:
    from knowledge.reference import seed_reference

    _reset_schema(database_url)
    engine = make_engine(database_url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
    engine.dispose()
    yield database_url


@pytest.fixture
def db(_migrated: str) -> Iterator[Database]:
    database = Database(make_engine(_migrated))
    try:
        yield database
    finally:
        with database.session() as session:
            for model in MUTABLE_TABLES:
                session.execute(delete(model))
            session.execute(delete(models.Case).where(models.Case.is_reference.is_(False)))
        database.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(_migrated: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=_migrated, embedder="fake")


@pytest.fixture
def cli_env(_migrated: str, data_dir: Path) -> dict[str, str]:
    """Environment for CliRunner / subprocess runs of `gunmane` against the test database."""
    return {"GUNMANE_DATABASE_URL": _migrated, "GUNMANE_DATA_DIR": str(data_dir), "GUNMANE_EMBEDDER": "fake"}


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A command under test may install gunmane's log handler (configure_logging): undo it afterwards,
    so one test's logging set-up never leaks into another's captured output."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user settings, no .env, no model hub."""
    for name in list(os.environ):
        if name.startswith(("GUNMANE_", "SLACK_")) and name != "GUNMANE_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
