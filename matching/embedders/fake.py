"""A deterministic embedder for fast tests: hashed character n-grams.

Texts that share characters and bigrams get similar vectors, so ranking tests
behave sensibly, with no model and no time spent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from matching.embedders.base import normalise


class FakeEmbedder:
    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension
        self.calls = 0
        self.texts_encoded = 0

    @property
    def model_id(self) -> str:
        return f"fake-ngram-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dimension, dtype=np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self._dimension
            sign = 1.0 if digest[4] & 1 else -1.0
            vec[slot] += sign
        if not grams:
            vec[0] = 1.0
        return vec

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return normalise(np.stack([self._one(t) for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)
