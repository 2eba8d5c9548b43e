"""Fusing the dense (FAISS) and lexical (BM25) candidate lists into one relevance in [0, 1].

Two methods, compared on the evaluation set (docs/ranking.md):

- ``rrf`` — reciprocal rank fusion, Σ 1 / (k + rank); only ranks count, so the
  compressed E5 cosines (mostly 0.80–0.90) and unbounded BM25 scores need no
  calibration.
- ``mix`` — a weighted sum of the two scores after normalising each list
  (dense: min–max over the candidates; BM25: divided by the best score).

Both return scores scaled so that the best possible candidate gets 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

FusionMethod = Literal["rrf", "mix"]
Ranked = Sequence[tuple[int, float]]  # (db id, score), best first


TIE = 1e-6


def tied_ranks(ranked: Ranked) -> list[tuple[int, int]]:
    """(db id, rank) with equal scores sharing the better rank (1, 1, 3 …), so order among ties is not evidence."""
    out: list[tuple[int, int]] = []
    rank, previous = 0, None
    for position, (db_id, score) in enumerate(ranked, start=1):
        if previous is None or abs(score - previous) > TIE:
            rank, previous = position, score
        out.append((db_id, rank))
    return out


def rrf(lists: Sequence[Ranked], *, k: float = 60.0) -> dict[int, float]:
    """Reciprocal rank fusion of ranked lists, scaled to [0, 1] (1 = first in every list)."""
    best = sum(1.0 / (k + 1) for _ in lists) or 1.0
    fused: dict[int, float] = {}
    for ranked in lists:
        for db_id, rank in tied_ranks(ranked):
            fused[db_id] = fused.get(db_id, 0.0) + 1.0 / (k + rank)
    return {db_id: value / best for db_id, value in fused.items()}


def normalised_dense(ranked: Ranked) -> dict[int, float]:
    """Cosines min–max scaled over the candidates (E5 cosines are compressed, so spread them)."""
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    low, high = min(scores), max(scores)
    span = high - low
    return {db_id: (s - low) / span if span > 1e-9 else 1.0 for db_id, s in ranked}


def normalised_lexical(ranked: Ranked, ideal: float | None = None) -> dict[int, float]:
    """BM25 scores divided by the larger of the best one and ``ideal`` (the score of a document
    holding every query word, ``LexicalIndex.ideal_score``): a weak best match stays weak.
    0 stays 0: no shared word is no evidence."""
    if not ranked:
        return {}
    high = max(max(s for _, s in ranked), ideal or 0.0)
    return {db_id: s / high if high > 0 else 0.0 for db_id, s in ranked}


def mix(dense: Ranked, lexical: Ranked, *, dense_weight: float = 0.7, ideal: float | None = None) -> dict[int, float]:
    """Weighted sum of normalised dense and lexical scores; missing from a list counts as 0."""
    d, lx = normalised_dense(dense), normalised_lexical(lexical, ideal)
    return {
        db_id: dense_weight * d.get(db_id, 0.0) + (1.0 - dense_weight) * lx.get(db_id, 0.0)
        for db_id in d.keys() | lx.keys()
    }


def fuse(
    dense: Ranked,
    lexical: Ranked,
    *,
    method: FusionMethod,
    rrf_k: float = 60.0,
    dense_weight: float = 0.7,
    lexical_ideal: float | None = None,
) -> dict[int, float]:
    """Relevance in [0, 1] from both lists; with one list empty, that single list on the same scale."""
    if method == "rrf":
        return rrf([lst for lst in (dense, lexical) if lst], k=rrf_k)
    if method == "mix":
        if not lexical:
            return normalised_dense(dense)
        if not dense:
            return normalised_lexical(lexical)
        return mix(dense, lexical, dense_weight=dense_weight, ideal=lexical_ideal)
    raise ValueError(f"unknown fusion method {method!r}; use 'rrf' or 'mix'")
