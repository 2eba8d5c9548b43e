"""Do two bodies share a need? Codes of the intake analysis first, the text's embedding second.

A need is a cell of the 群マネ matrix (field × process). Two needs are the same when
they share a field *and* a process (橋梁・点検 and 橋梁・点検+発注 are; 橋梁・点検 and
舗装・巡回 are not, however near the bodies). When the intake could not name a field or a
process for one side, the embedding of the words decides, together with whatever codes are
known. Pains (人手不足, 予算 …) never make or break a need; they only make a pair closer.

``pair`` returns (same need?, weight in [0, 1]); the weight is what clustering maximises.
Similarity modes (compared in docs/groups.md): ``codes`` (matrix cells only), ``embedding``
(text only), ``hybrid`` (cells decide, text breaks ties and covers missing codes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.groups.types import BodyNeed, Params

PAIN_BONUS = 0.1


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def cosine_share(a: np.ndarray | None, b: np.ndarray | None, params: Params) -> float | None:
    """Text similarity spread over [0, 1] (E5 cosines are compressed into about 0.8–0.95)."""
    if a is None or b is None:
        return None
    cos = float(np.dot(a, b))
    span = params.cosine_full - params.cosine_floor
    return min(1.0, max(0.0, (cos - params.cosine_floor) / span))


def complete(need: BodyNeed) -> bool:
    return bool(need.fields) and bool(need.processes)


def code_share(a: BodyNeed, b: BodyNeed) -> float:
    """0 unless a field and a process are shared; then 0.5 … 1 by how much of both is shared."""
    if not (set(a.fields) & set(b.fields)) or not (set(a.processes) & set(b.processes)):
        return 0.0
    return 0.5 + 0.25 * jaccard(a.fields, b.fields) + 0.25 * jaccard(a.processes, b.processes)


def _partial_agreement(a: BodyNeed, b: BodyNeed) -> bool:
    """With a code missing on one side, the codes both sides do have must agree — and there must
    be some: a sub-issue without any code (「予算もない」) is never a need to group on."""
    shared_dimension = False
    for mine, theirs in ((a.fields, b.fields), (a.processes, b.processes)):
        if mine and theirs:
            if not set(mine) & set(theirs):
                return False
            shared_dimension = True
    return shared_dimension


def pair(a: BodyNeed, b: BodyNeed, params: Params) -> tuple[bool, float]:
    """Whether ``a`` and ``b`` are the same need, and how alike they are."""
    pains = PAIN_BONUS * jaccard(a.pains, b.pains)
    text = cosine_share(a.vector, b.vector, params)
    mode = params.similarity
    if mode == "embedding":
        score = text or 0.0
        return score >= params.min_similarity, min(1.0, score + pains)
    if complete(a) and complete(b):
        codes = code_share(a, b)
        if codes < params.min_similarity:
            return False, 0.0
        weight = codes if mode == "codes" or text is None else 0.5 * codes + 0.5 * text
        return True, min(1.0, weight + pains)
    if mode == "codes" or text is None or not _partial_agreement(a, b):
        return False, 0.0
    return text >= params.min_similarity, min(1.0, text + pains)
