"""The embedder interface.

Every backend returns float32 arrays of shape (n, dimension) whose rows are
L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from knowledge.errors import GunmaneError


class EmbedderError(GunmaneError):
    """A model could not be loaded or used (message says which setting to change)."""


@runtime_checkable
class Embedder(Protocol):
    @property
    def model_id(self) -> str:
        """Stable id of the model and its prefixes; indexes and the cache are keyed by it."""
        ...

    @property
    def dimension(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)
