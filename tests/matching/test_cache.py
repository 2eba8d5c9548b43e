"""The embedding cache: each (model, text) is embedded once, whatever re-indexes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

from knowledge import models
from knowledge.db import Database, bump_version
from matching.embedders import FakeEmbedder
from matching.embedding_cache import CachedEmbedder, cached_count, embed_documents, text_hash
from matching.vector_index import VectorStore

TEXTS = ["橋梁の点検計画", "下水道の包括委託", "河川の除草", "除雪の共同発注"]


def test_first_call_embeds_everything_and_matches_the_embedder(db: Database) -> None:
    embedder = FakeEmbedder()
    vectors = embed_documents(db, embedder, TEXTS)
    assert embedder.texts_encoded == len(TEXTS)
    assert np.allclose(vectors, FakeEmbedder().encode_documents(TEXTS))
    assert cached_count(db, embedder.model_id) == len(TEXTS)


def test_second_call_embeds_nothing_and_returns_the_same_vectors(db: Database) -> None:
    first = embed_documents(db, FakeEmbedder(), TEXTS)
    embedder = FakeEmbedder()
    again = embed_documents(db, embedder, list(reversed(TEXTS)))
    assert embedder.texts_encoded == 0
    assert np.array_equal(again, first[::-1])


def test_only_new_texts_are_embedded_in_batches(db: Database) -> None:
    embed_documents(db, FakeEmbedder(), TEXTS[:2])
    embedder = FakeEmbedder()
    progress: list[tuple[int, int]] = []
    embed_documents(db, embedder, TEXTS + ["公園の遊具点検"], batch_size=2, progress=lambda d, t: progress.append((d, t)))
    assert embedder.texts_encoded == 3 and embedder.calls == 2
    assert progress == [(0, 3), (2, 3), (3, 3)]


def test_duplicate_texts_are_embedded_once(db: Database) -> None:
    embedder = FakeEmbedder()
    vectors = embed_documents(db, embedder, ["同じ文", "同じ文", "別の文"])
    assert embedder.texts_encoded == 2
    assert np.array_equal(vectors[0], vectors[1])


def test_entries_are_keyed_by_model_id(db: Database) -> None:
    embed_documents(db, FakeEmbedder(dimension=64), TEXTS)
    other = FakeEmbedder(dimension=32)
    vectors = embed_documents(db, other, TEXTS)
    assert other.texts_encoded == len(TEXTS) and vectors.shape == (len(TEXTS), 32)
    with db.session() as session:
        stored = session.scalars(select(models.EmbeddingCacheEntry.text_hash).where(
            models.EmbeddingCacheEntry.model_id == other.model_id)).all()
    assert sorted(stored) == sorted(text_hash(t) for t in TEXTS)


def test_cached_embedder_caches_documents_not_queries(db: Database) -> None:
    inner = FakeEmbedder()
    cached = CachedEmbedder(db, inner)
    assert cached.model_id == inner.model_id and cached.dimension == inner.dimension
    cached.encode_documents(TEXTS)
    cached.encode_documents(TEXTS)
    cached.encode_queries(["橋梁の点検計画"])
    cached.encode_queries(["橋梁の点検計画"])
    assert inner.texts_encoded == len(TEXTS) + 2


def test_reindexing_after_editing_one_record_embeds_exactly_one_text(db: Database, data_dir: Path) -> None:
    with db.session() as session:
        for i in range(30):
            session.add(models.Advisor(ext_id=f"adv-{i}", name=f"相談員{i}", expertise=f"分野{i}の維持管理と点検", fields=["road"]))
        bump_version(session, "advisor")
    embedder = FakeEmbedder()
    VectorStore(db, embedder, data_dir).build("advisor")
    assert embedder.texts_encoded == 30

    with db.session() as session:
        advisor = session.scalars(select(models.Advisor).where(models.Advisor.ext_id == "adv-7")).one()
        advisor.expertise = "下水道管路の更生工法と包括的民間委託"
        bump_version(session, "advisor")
    before = embedder.texts_encoded
    store = VectorStore(db, embedder, data_dir)
    reason = store.ensure_current("advisor")
    assert reason is not None and "version" in reason
    assert embedder.texts_encoded - before == 1
    query = embedder.encode_queries(["下水道管路の更生工法と包括的民間委託"])[0]
    with db.session() as session:
        edited_id = session.scalar(select(models.Advisor.id).where(models.Advisor.ext_id == "adv-7"))
    assert store.search("advisor", query, 1)[0][0] == edited_id


def test_vectors_made_elsewhere_can_be_stored_and_found(db: Database) -> None:
    embedder = FakeEmbedder()
    made_elsewhere = FakeEmbedder().encode_documents(TEXTS[:3])
    from matching.embedding_cache import cached_vectors, store_vectors

    store_vectors(db, embedder.model_id, TEXTS[:3], made_elsewhere)
    found = cached_vectors(db, embedder, TEXTS)
    assert set(found) == set(TEXTS[:3])
    assert np.array_equal(found[TEXTS[1]], made_elsewhere[1])
    embed_documents(db, embedder, TEXTS)
    assert embedder.texts_encoded == 1
