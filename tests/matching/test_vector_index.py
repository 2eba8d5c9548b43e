"""VectorStore: per-kind FAISS indexes that follow the database and rebuild when they must."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import event, select

from knowledge import models
from knowledge.db import Database, bump_version
from matching.embedders import FakeEmbedder
from matching.embedders.base import normalise
from matching.vector_index import VectorIndexError, VectorStore

EXPERTISE = [
    "橋梁の定期点検と長寿命化修繕計画",
    "下水道管路の包括的民間委託",
    "河川堤防の除草と巡回",
    "道路の除雪と共同発注",
    "公園遊具の点検と更新",
]


def add_advisors(db: Database, texts: list[str] = EXPERTISE, **extra: object) -> dict[str, int]:
    """Insert advisors (one per text), bump the version; return text → db id."""
    with db.session() as session:
        rows = [models.Advisor(ext_id=f"adv-{i}-{abs(hash(t)) % 10**6}", name=f"相談員{i}", expertise=t, **extra)
                for i, t in enumerate(texts)]
        session.add_all(rows)
        bump_version(session, "advisor")
        session.flush()
        return {row.expertise: row.id for row in rows}


def query(embedder: FakeEmbedder, text: str) -> np.ndarray:
    return embedder.encode_queries([text])[0]


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def store(db: Database, embedder: FakeEmbedder, data_dir: Path) -> VectorStore:
    return VectorStore(db, embedder, data_dir, approx_threshold=1000)


def test_search_returns_database_ids_best_first(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    ids = add_advisors(db)
    hits = store.search("advisor", query(embedder, "下水道管路の包括的民間委託"), 3)
    assert hits[0][0] == ids["下水道管路の包括的民間委託"]
    assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)


def test_k_larger_than_the_index_returns_every_record(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    ids = add_advisors(db)
    hits = store.search("advisor", query(embedder, "点検"), 50)
    assert sorted(i for i, _ in hits) == sorted(ids.values())


def test_empty_kind_searches_to_nothing(store: VectorStore, embedder: FakeEmbedder) -> None:
    assert store.search("training", query(embedder, "研修"), 5) == []


def test_forgotten_people_are_left_out(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    add_advisors(db, EXPERTISE[:3])
    forgotten = add_advisors(db, ["トンネル覆工の打音点検"], forgotten=True)
    hits = store.search("advisor", query(embedder, "トンネル覆工の打音点検"), 10)
    assert len(hits) == 3 and forgotten["トンネル覆工の打音点検"] not in {i for i, _ in hits}


def test_filtered_records_stay_indexed_for_the_ranker_to_filter(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    paused = add_advisors(db, ["トンネル覆工の打音点検"], status="paused")
    assert store.search("advisor", query(embedder, "トンネル"), 1)[0][0] == paused["トンネル覆工の打音点検"]


def test_index_files_and_metadata_are_written(store: VectorStore, db: Database, embedder: FakeEmbedder, data_dir: Path) -> None:
    add_advisors(db)
    meta = store.build("advisor")
    saved = json.loads((data_dir / "index" / "advisor.json").read_text(encoding="utf-8"))
    assert (data_dir / "index" / "advisor.faiss").is_file()
    assert saved["model_id"] == embedder.model_id and saved["dimension"] == 64
    assert saved["count"] == 5 and saved["db_version"] == meta.db_version == 1
    assert saved["index_type"] == "flat-ip" and saved["built_at"]


def test_first_use_builds_with_a_logged_reason(store: VectorStore, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    add_advisors(db)
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        reason = store.ensure_current("advisor")
    assert reason is not None and "missing" in reason
    assert any("Rebuilding the advisor index" in r.getMessage() and "missing" in r.getMessage() for r in caplog.records)
    assert store.ensure_current("advisor") is None


def test_a_new_process_loads_the_saved_index_without_embedding(db: Database, data_dir: Path) -> None:
    add_advisors(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    fresh = FakeEmbedder()
    store = VectorStore(db, fresh, data_dir)
    assert store.ensure_current("advisor") is None
    assert fresh.texts_encoded == 0
    assert len(store.search("advisor", query(FakeEmbedder(), "点検"), 5)) == 5


def test_version_bump_rebuilds(store: VectorStore, db: Database, embedder: FakeEmbedder, caplog: pytest.LogCaptureFixture) -> None:
    add_advisors(db, EXPERTISE[:2])
    store.ensure_current("advisor")
    added = add_advisors(db, ["トンネル覆工の打音点検"])
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        reason = store.ensure_current("advisor")
    assert reason == "database version moved from 1 to 2"
    assert any("database version moved" in r.getMessage() for r in caplog.records)
    assert store.search("advisor", query(embedder, "トンネル覆工の打音点検"), 1)[0][0] == added["トンネル覆工の打音点検"]


def test_stale_file_is_rebuilt_on_load(db: Database, data_dir: Path) -> None:
    add_advisors(db, EXPERTISE[:2])
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    add_advisors(db, EXPERTISE[2:])
    reason = VectorStore(db, FakeEmbedder(), data_dir).ensure_current("advisor")
    assert reason is not None and reason.startswith("stale: built at database version 1")


def test_count_mismatch_without_version_bump_rebuilds(db: Database, data_dir: Path) -> None:
    add_advisors(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    with db.session() as session:  # a row removed behind the bot's back, no version bump
        session.delete(session.scalars(select(models.Advisor)).first())
    reason = VectorStore(db, FakeEmbedder(), data_dir).ensure_current("advisor")
    assert reason == "stale: holds 5 vectors, the database has 4 advisor records"


class OtherModel(FakeEmbedder):
    @property
    def model_id(self) -> str:
        return "another-model-64"


def test_index_of_another_embedder_is_rebuilt_with_a_logged_reason(
    db: Database, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_advisors(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    other = OtherModel()
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        reason = VectorStore(db, other, data_dir).ensure_current("advisor")
    assert reason == "built by embedder 'fake-ngram-64', the current one is 'another-model-64'"
    assert any("another-model-64" in r.getMessage() for r in caplog.records)
    assert other.texts_encoded == 5
    assert json.loads((data_dir / "index" / "advisor.json").read_text())["model_id"] == "another-model-64"


def test_index_of_another_dimension_is_rebuilt(db: Database, data_dir: Path) -> None:
    add_advisors(db)
    VectorStore(db, FakeEmbedder(dimension=32), data_dir).build("advisor")
    store = VectorStore(db, FakeEmbedder(dimension=64), data_dir)
    assert "fake-ngram-32" in (store.ensure_current("advisor") or "")
    assert len(store.search("advisor", query(FakeEmbedder(64), "点検"), 2)) == 2


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda p: p.write_bytes(b"\x00" * 100), "does not match its metadata"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "does not match its metadata"),
        (lambda p: p.unlink(), "advisor.faiss is missing"),
        (lambda p: p.with_suffix(".json").write_text("{not json"), "metadata advisor.json is unreadable"),
        (lambda p: p.with_suffix(".json").write_text('{"format_version": 1}'), "metadata advisor.json is unreadable"),
    ],
    ids=["garbage", "truncated", "index-deleted", "meta-not-json", "meta-incomplete"],
)
def test_damaged_files_are_rebuilt_with_a_logged_reason(
    db: Database, data_dir: Path, caplog: pytest.LogCaptureFixture, damage, expected: str  # type: ignore[no-untyped-def]
) -> None:
    add_advisors(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    damage(data_dir / "index" / "advisor.faiss")
    store = VectorStore(db, FakeEmbedder(), data_dir)
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        reason = store.ensure_current("advisor")
    assert reason is not None and expected in reason
    assert any(expected in r.getMessage() for r in caplog.records)
    assert len(store.search("advisor", query(FakeEmbedder(), "点検"), 10)) == 5
    assert VectorStore(db, FakeEmbedder(), data_dir).ensure_current("advisor") is None


def test_unreadable_index_with_matching_digest_is_rebuilt(db: Database, data_dir: Path) -> None:
    """Metadata that vouches for a file FAISS cannot read (a bad copy written with it)."""
    from matching.vector_index.files import IndexMeta, file_digest

    add_advisors(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    index_path, meta_path = data_dir / "index" / "advisor.faiss", data_dir / "index" / "advisor.json"
    index_path.write_bytes(b"not a faiss index at all")
    meta = json.loads(meta_path.read_text())
    meta["index_bytes"], meta["index_sha256"] = file_digest(index_path)
    meta_path.write_text(IndexMeta(**meta).to_json())
    reason = VectorStore(db, FakeEmbedder(), data_dir).ensure_current("advisor")
    assert reason is not None and reason.startswith("corrupt: FAISS cannot read advisor.faiss")


def test_another_worker_reloads_a_rebuilt_file_instead_of_embedding(
    db: Database, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    add_advisors(db)
    first, second = FakeEmbedder(), FakeEmbedder()
    worker_a, worker_b = VectorStore(db, first, data_dir), VectorStore(db, second, data_dir)
    worker_a.ensure_current("advisor")
    worker_b.ensure_current("advisor")
    add_advisors(db, ["トンネル覆工の打音点検"])
    assert worker_a.ensure_current("advisor") is not None
    second.texts_encoded = 0
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        assert worker_b.ensure_current("advisor") is None
    assert second.texts_encoded == 0
    assert any("Reloaded the advisor index" in r.getMessage() for r in caplog.records)
    assert len(worker_b.search("advisor", query(FakeEmbedder(), "点検"), 10)) == 6


def test_search_on_a_current_index_reads_only_the_version_row(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    add_advisors(db)
    store.ensure_current("advisor")
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(3):
            store.search("advisor", query(embedder, "点検"), 3)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 3
    assert all("meta" in s and "advisors" not in s for s in statements)


def test_query_of_the_wrong_dimension_is_refused(store: VectorStore, db: Database) -> None:
    add_advisors(db)
    with pytest.raises(VectorIndexError, match="dimension 32"):
        store.search("advisor", FakeEmbedder(32).encode_queries(["点検"])[0], 3)


def test_unknown_kind_is_refused(store: VectorStore) -> None:
    with pytest.raises(VectorIndexError, match="unknown record kind 'bridge'"):
        store.ensure_current("bridge")


def test_status_reports_each_kind(store: VectorStore, db: Database, embedder: FakeEmbedder) -> None:
    add_advisors(db)
    store.build("advisor")
    add_advisors(db, ["トンネル覆工の打音点検"])
    by_kind = {s.kind: s for s in store.status()}
    advisor = by_kind["advisor"]
    assert not advisor.up_to_date and advisor.reason and "stale" in advisor.reason
    assert (advisor.count, advisor.db_count, advisor.version, advisor.db_version) == (5, 6, 1, 2)
    assert advisor.model_id == embedder.model_id and advisor.index_type == "flat-ip"
    assert by_kind["engineer"].count is None and "missing" in (by_kind["engineer"].reason or "")
    store.ensure_current("advisor")
    assert next(s for s in store.status() if s.kind == "advisor").up_to_date


def test_above_the_threshold_the_index_is_approximate(db: Database, data_dir: Path) -> None:
    texts = [f"{a}の{b}" for a in ("橋梁", "道路", "河川", "下水道", "公園") for b in ("点検", "設計", "工事", "除草", "発注")]
    ids = add_advisors(db, texts)
    embedder = FakeEmbedder()
    store = VectorStore(db, embedder, data_dir, approx_threshold=10)
    meta = store.build("advisor")
    assert meta.index_type == "hnsw-ip"
    assert store.search("advisor", query(embedder, "下水道の設計"), 1)[0][0] == ids["下水道の設計"]
    assert VectorStore(db, FakeEmbedder(), data_dir, approx_threshold=10).ensure_current("advisor") is None


def test_approximate_index_recall_at_10_against_exact_search(db: Database, tmp_path: Path) -> None:
    """4,000 random unit vectors (through the cache, so nothing is embedded): HNSW vs exact search."""
    from matching.documents import document_text
    from matching.embedding_cache import store_vectors

    with db.session() as session:
        rows = [models.Advisor(ext_id=f"rnd-{i}", name="x", expertise=f"記録{i}") for i in range(4000)]
        session.add_all(rows)
        bump_version(session, "advisor")
        session.flush()
        texts = [document_text("advisor", row) for row in rows]
    embedder = FakeEmbedder(dimension=384)
    rng = np.random.default_rng(20261124)
    store_vectors(db, embedder.model_id, texts, normalise(rng.standard_normal((len(texts), 384))))

    approximate = VectorStore(db, embedder, tmp_path / "approx", approx_threshold=100)
    exact = VectorStore(db, embedder, tmp_path / "exact", approx_threshold=1_000_000)
    assert approximate.build("advisor").index_type == "hnsw-ip" and exact.build("advisor").index_type == "flat-ip"
    assert embedder.texts_encoded == 0
    reloaded = VectorStore(db, embedder, tmp_path / "approx", approx_threshold=100)  # efSearch set on load too
    recalls = []
    for q in normalise(rng.standard_normal((200, 384))):
        truth = {i for i, _ in exact.search("advisor", q, 10)}
        recalls.append(len(truth & {i for i, _ in reloaded.search("advisor", q, 10)}) / 10)
    assert float(np.mean(recalls)) >= 0.95


def test_workers_take_turns_so_only_one_rebuilds(db: Database, data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """While one worker rebuilds (holding the index lock), another waits, then loads its file."""
    import threading

    from matching.vector_index.files import IndexPaths, exclusive_lock

    add_advisors(db)
    rebuilder, waiter = VectorStore(db, FakeEmbedder(), data_dir), VectorStore(db, FakeEmbedder(), data_dir)
    rebuilder.ensure_current("advisor")
    waiter.ensure_current("advisor")
    add_advisors(db, ["トンネル覆工の打音点検"])
    waiter.embedder.texts_encoded = 0  # type: ignore[attr-defined]
    outcome: list[str | None] = []
    thread = threading.Thread(target=lambda: outcome.append(waiter.ensure_current("advisor")))
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        with exclusive_lock(IndexPaths.of(data_dir / "index", "advisor").lock):  # the rebuilding worker's turn
            thread.start()
            thread.join(timeout=1.0)
            assert thread.is_alive(), "the second worker must wait for the lock, not rebuild too"
            rebuilder._build("advisor", None)
        thread.join(timeout=30)
    assert outcome == [None]
    assert waiter.embedder.texts_encoded == 0  # type: ignore[attr-defined]
    assert waiter.loaded_meta("advisor").db_version == 2  # type: ignore[union-attr]
    assert any("another worker rebuilt" in r.getMessage() for r in caplog.records)
