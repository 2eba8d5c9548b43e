"""Retrieval: embedders, FAISS and BM25 indexes, fusion, filters, geography, explanations.

Depends on ``knowledge`` only; never imports ``bot`` or any chat SDK.

The public API is re-exported here (loaded on first use, so importing one
small module such as ``matching.types`` does not pull in FAISS):

    from matching import Matcher, MatchQuery
    matcher = Matcher(db, make_embedder(settings), settings)
    results = matcher.match(MatchQuery("橋の点検を外注したい", "advisor", "奈良県", "宇陀市"))
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Matcher": "matching.engine",
    "RankingConfig": "matching.engine",
    "MODES": "matching.engine",
    "MatchQuery": "matching.types",
    "MatchResult": "matching.types",
    "KINDS": "matching.types",
    "LexicalStore": "matching.lexical",
    "Weights": "matching.preferences",
    "haversine_km": "matching.geo",
    "document_text": "matching.documents",
    "make_embedder": "matching.embedders",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    return getattr(import_module(module), name)
