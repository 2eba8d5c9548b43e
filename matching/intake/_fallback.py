"""When the lexicon finds no field (or no process): the closest taxonomy description.

The message is embedded as a query and compared with each code's label and
description (knowledge/data/taxonomy.json) embedded as passages. Embedding
scores are compressed (E5 cosines sit around 0.80–0.90), so the best code is
taken only when it stands out from the others: its score must lie ``min_z``
standard deviations above the mean of the rest. Vague messages
(「とりあえず誰かと話したい」) stay empty.
"""

from __future__ import annotations

import threading

import numpy as np

from knowledge.taxonomy import get_taxonomy
from matching.embedders.base import Embedder

DEFAULT_MIN_Z = 3.0
_cache: dict[tuple[str, str], tuple[list[str], np.ndarray]] = {}
_lock = threading.Lock()


def _descriptions(embedder: Embedder, kind: str) -> tuple[list[str], np.ndarray]:
    key = (embedder.model_id, kind)
    with _lock:
        if key not in _cache:
            tax = get_taxonomy()
            terms = tax.terms(kind)
            texts = [f"{t.label}: {t.description}" for t in terms]
            _cache[key] = ([t.code for t in terms], np.asarray(embedder.encode_documents(texts), dtype=np.float32))
        return _cache[key]


def closest_code(text: str, kind: str, embedder: Embedder, *, min_z: float = DEFAULT_MIN_Z) -> tuple[str, float] | None:
    """The ``kind`` code whose description clearly stands out as closest to ``text``, with its cosine; else None."""
    codes, matrix = _descriptions(embedder, kind)
    query = np.asarray(embedder.encode_queries([text]), dtype=np.float32)
    if query.shape[0] != 1 or matrix.shape[0] < 3:
        return None
    scores = matrix @ query[0]
    best = int(np.argmax(scores))
    rest = np.delete(scores, best)
    spread = float(rest.std())
    if spread <= 1e-9:
        return None
    z = (float(scores[best]) - float(rest.mean())) / spread
    return (codes[best], float(scores[best])) if z >= min_z else None
