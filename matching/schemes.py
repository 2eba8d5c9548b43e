"""How strongly a query is about each collaboration scheme (連携の型), from its embedding.

Asking for a precedent case is mostly asking for a *way of working together*
(「隣の村と一緒になって」 → 広域連携, 「回数じゃなくて見た目で」 → 性能規定), and
colloquial questions seldom name the scheme. The scheme descriptions of the
taxonomy (knowledge/data/taxonomy.json) are embedded once per embedder as
passages; a query's affinity to each scheme is its cosine standardised over all
schemes (z-score), because E5 cosines are compressed and only the contrast
between schemes says anything. The query vector is the one the Matcher already
computed, so this costs one small matrix product per query.
"""

from __future__ import annotations

import threading

import numpy as np

from knowledge.taxonomy import get_taxonomy
from matching.embedders.base import Embedder


class SchemeAffinity:
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._codes: list[str] = []
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def _load(self, documents: Embedder | None = None) -> np.ndarray:
        if self._matrix is None:
            with self._lock:
                if self._matrix is None:
                    terms = get_taxonomy().terms("scheme")
                    texts = [f"{t.label}: {t.description}" for t in terms]
                    self._codes = [t.code for t in terms]
                    encoder = documents or self._embedder
                    self._matrix = np.asarray(encoder.encode_documents(texts), dtype=np.float32)
        return self._matrix

    def warm(self, documents: Embedder | None = None) -> None:
        """Embed the scheme descriptions now rather than on the first query; ``documents``: the same model
        behind another encoder (the database's embedding cache), so that the next start finds them stored."""
        if documents is not None and documents.model_id != self._embedder.model_id:
            raise ValueError(f"scheme vectors of {documents.model_id} cannot serve {self._embedder.model_id}")
        self._load(documents)

    def z_scores(self, query_vector: np.ndarray | None) -> dict[str, float]:
        """Scheme code → standardised similarity to the query (empty without a vector)."""
        if query_vector is None:
            return {}
        matrix = self._load()
        scores = matrix @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
        spread = float(scores.std())
        if spread <= 1e-9:
            return {}
        mean = float(scores.mean())
        return {code: (float(s) - mean) / spread for code, s in zip(self._codes, scores, strict=True)}
