"""Crash safety: a write that dies half-way never leaves an index that is searched broken."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge import models
from knowledge.db import Database, bump_version
from matching.embedders import FakeEmbedder
from matching.vector_index import VectorStore
from matching.vector_index.files import file_digest

TEXTS = ["橋梁の定期点検", "下水道の包括委託", "河川の除草と巡回", "道路の除雪"]


def seed(db: Database, texts: list[str] = TEXTS) -> None:
    with db.session() as session:
        start = len(session.scalars(select(models.Advisor.id)).all())
        session.add_all(models.Advisor(ext_id=f"adv-{start + i}", name="名前", expertise=t) for i, t in enumerate(texts))
        bump_version(session, "advisor")


def index_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((data_dir / "index").iterdir())}


def failing_replace(fail_on_call: int):  # type: ignore[no-untyped-def]
    real_replace = os.replace
    calls = [0]

    def replace(src, dst):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == fail_on_call:
            raise OSError(28, "No space left on device (simulated)")
        return real_replace(src, dst)

    return replace


def test_failed_index_rename_keeps_the_previous_index(db: Database, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    before = index_files(data_dir)
    seed(db, ["トンネルの打音点検"])
    monkeypatch.setattr(os, "replace", failing_replace(fail_on_call=1))
    with pytest.raises(OSError, match="simulated"):
        VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    monkeypatch.undo()
    assert index_files(data_dir) == before  # untouched, and no temporary file left behind
    store = VectorStore(db, FakeEmbedder(), data_dir)
    reason = store.ensure_current("advisor")
    assert reason is not None and reason.startswith("stale")  # the old index was valid, just behind
    assert len(store.search("advisor", FakeEmbedder().encode_queries(["点検"])[0], 10)) == 5


def test_crash_between_index_and_metadata_is_detected_and_rebuilt(
    db: Database, data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seed(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    old_meta = (data_dir / "index" / "advisor.json").read_bytes()
    # A new row: the rebuild renames a 5-vector index into place, then dies before its metadata.
    seed(db, ["トンネルの打音点検"])
    monkeypatch.setattr(os, "replace", failing_replace(fail_on_call=2))
    with pytest.raises(OSError):
        VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    monkeypatch.undo()
    assert (data_dir / "index" / "advisor.json").read_bytes() == old_meta
    with db.session() as session:  # make the old metadata otherwise current again
        session.delete(session.scalars(select(models.Advisor).where(models.Advisor.expertise == "トンネルの打音点検")).one())
        session.get(models.Meta, "version:advisor").value = "1"
    store = VectorStore(db, FakeEmbedder(), data_dir)
    with caplog.at_level(logging.INFO, logger="matching.vector_index"):
        reason = store.ensure_current("advisor")
    assert reason == "corrupt: advisor.faiss does not match its metadata (size or sha256 differs)"
    assert any("does not match its metadata" in r.getMessage() for r in caplog.records)
    assert len(store.search("advisor", FakeEmbedder().encode_queries(["点検"])[0], 10)) == 4


CRASHING_BUILD = """
import sys, time
from pathlib import Path
from knowledge.db import Database, make_engine
from matching.embedders import FakeEmbedder
from matching.vector_index import VectorStore, faiss_index

url, data_dir, ready = sys.argv[1:4]
real_write = faiss_index.write_index

def half_write_then_hang(index, path):
    real_write(index, path)
    data = Path(path).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    Path(ready).write_text("half written")
    time.sleep(120)

faiss_index.write_index = half_write_then_hang
VectorStore(Database(make_engine(url)), FakeEmbedder(), Path(data_dir)).build("advisor")
"""


def test_process_killed_mid_write_leaves_the_previous_index_usable(
    db: Database, data_dir: Path, tmp_path: Path, database_url: str
) -> None:
    seed(db)
    VectorStore(db, FakeEmbedder(), data_dir).build("advisor")
    digest_before = file_digest(data_dir / "index" / "advisor.faiss")
    script, ready = tmp_path / "crash.py", tmp_path / "ready"
    script.write_text(CRASHING_BUILD)
    process = subprocess.Popen([sys.executable, str(script), database_url, str(data_dir), str(ready)])
    try:
        deadline = time.monotonic() + 120
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the build subprocess never reached its write"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    leftovers = [p for p in (data_dir / "index").iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1  # the half-written temporary file, never renamed into place
    assert file_digest(data_dir / "index" / "advisor.faiss") == digest_before

    store = VectorStore(db, FakeEmbedder(), data_dir)
    assert store.ensure_current("advisor") is None  # the previous index loads as it is
    assert len(store.search("advisor", FakeEmbedder().encode_queries(["点検"])[0], 10)) == 4

    os.utime(leftovers[0], (time.time() - 7200, time.time() - 7200))
    store.build("advisor")  # an old leftover is swept by the next write
    assert not leftovers[0].exists()
