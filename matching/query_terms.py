"""What a query is about, for ranking: BM25 tokens, the text to embed, inferred taxonomy codes.

Colloquial questions rarely use the words records are written in (「道の穴」
vs 舗装, 「草刈り」 vs 除草). Intake's extraction (``matching.intake.extract``)
maps them to taxonomy codes; the Japanese labels of those codes are added to
the BM25 query (every record's text carries its labels, see
``matching.documents``) and the codes drive the field/process-agreement
preference.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matching.documents import labels
from matching.intake import extract, split_sub_issues
from matching.lexical import bm25_tokens


@dataclass(frozen=True)
class QueryTerms:
    tokens: tuple[str, ...]          # BM25 query: the text's content words, then expansions
    dense_text: str                  # what is embedded
    fields: tuple[str, ...] = ()     # inferred field codes
    processes: tuple[str, ...] = ()  # inferred process codes


def _inferred_codes(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = extract(text)
    return tuple(found.fields), tuple(found.processes)


def sub_issue_texts(text: str) -> list[str]:
    """The separate problems of a message (「…の件と、…の件」 → two); a single problem stays whole."""
    parts = [p for p in split_sub_issues(text) if p.strip()]
    return parts if len(parts) > 1 else [text]


@lru_cache(maxsize=2048)
def understand_query(text: str) -> QueryTerms:
    fields, processes = _inferred_codes(text)
    tokens = list(bm25_tokens(text))
    for label in labels(fields) + labels(processes):
        tokens.extend(t for t in bm25_tokens(label) if t not in tokens)
    return QueryTerms(tokens=tuple(tokens), dense_text=text, fields=fields, processes=processes)
