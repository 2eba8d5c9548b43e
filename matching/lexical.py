"""BM25 over SudachiPy-normalised content tokens (bm25s), one in-memory index per kind.

The text of each record is ``matching.documents.document_text`` — the same text
FAISS embeds. An index is rebuilt when the kind's database version
(``knowledge.db.get_version``) moves; on the hot path the only cost is reading
that one version row.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import bm25s
import numpy as np
from sqlalchemy import select

from knowledge.db import Database, get_version
from knowledge.models import RECORD_MODELS
from matching.documents import document_text
from matching.tokenize import analyse
from matching.types import Kind

log = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import, which would flood every log with index details.
logging.getLogger("bm25s").setLevel(logging.WARNING)

_KEEP_POS = {"名詞", "動詞", "形容詞", "形状詞"}
# Sudachi marks light words that mostly carry grammar (為る, 居る, 有る, 成る, 事, 物 …) as
# 非自立可能; in BM25 they are noise, and in a "why" they read as nonsense.
_DROP_POS2 = {"非自立可能", "数詞"}
_STOP = {"為る", "居る", "有る", "成る", "出来る", "言う", "思う", "貰う", "呉れる", "遣る", "こと", "もの", "ところ"}


@lru_cache(maxsize=8192)
def _bm25_tokens(text: str) -> tuple[str, ...]:
    return tuple(
        t.normalized
        for t in analyse(text)
        if t.pos in _KEEP_POS and t.pos2 not in _DROP_POS2 and t.normalized.strip() and t.normalized not in _STOP
    )


def bm25_tokens(text: str) -> list[str]:
    """Normalised content words for BM25: the tokeniser's content words without light
    verbs, formal nouns, adverbs and numbers (``matching.tokenize.content_tokens`` keeps
    those for intake, where they can matter)."""
    return list(_bm25_tokens(text))


class LexicalIndex:
    """BM25 over a fixed list of documents, addressed by database id."""

    def __init__(self, db_ids: Sequence[int], token_lists: Sequence[Sequence[str]], *, version: int = 0) -> None:
        self.version = version
        self.db_ids = np.asarray(db_ids, dtype=np.int64)
        self._position = {int(db_id): i for i, db_id in enumerate(self.db_ids)}
        self._tokens = [frozenset(tokens) for tokens in token_lists]
        self._bm25: bm25s.BM25 | None = None
        self._vocab: dict[str, int] = {}
        if len(self.db_ids):
            self._bm25 = bm25s.BM25()
            # An empty document still needs a token for bm25s; "" is its placeholder.
            self._bm25.index([list(tokens) or [""] for tokens in token_lists], show_progress=False)
            self._vocab = dict(self._bm25.vocab_dict)
            n = len(self.db_ids)
            self._idf = {t: float(np.log(1 + (n - df + 0.5) / (df + 0.5))) for t, df in self._doc_freq().items()}
        else:
            self._idf = {}

    def __len__(self) -> int:
        return len(self.db_ids)

    def _doc_freq(self) -> dict[str, int]:
        df: dict[str, int] = {}
        for tokens in self._tokens:
            for token in tokens:
                df[token] = df.get(token, 0) + 1
        return df

    def known(self, query_tokens: Sequence[str]) -> list[str]:
        """Query tokens that occur in at least one document, without duplicates, in order."""
        return list(dict.fromkeys(t for t in query_tokens if t and t in self._vocab))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document (aligned with ``db_ids``)."""
        tokens = self.known(query_tokens)
        if self._bm25 is None or not tokens:
            return np.zeros(len(self.db_ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def ideal_score(self, query_tokens: Sequence[str]) -> float:
        """The score of a document of average length holding every known query word once (Σ idf).

        Dividing by it says how much of the query a document explains, instead of
        only how it compares with the best of a possibly weak lot."""
        if self._bm25 is None:
            return 0.0
        # bm25s "lucene": idf · tf / (tf + k1·(1 − b + b·dl/avgdl)) → idf / (1 + k1) for tf = 1, dl = avgdl
        return sum(self._idf.get(t, 0.0) for t in self.known(query_tokens)) / (1.0 + float(self._bm25.k1))

    def search(self, query_tokens: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents with a positive score, best first, as (db id, score)."""
        scores = self.scores(query_tokens)
        if k <= 0 or not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.db_ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def tokens_of(self, db_id: int) -> frozenset[str]:
        i = self._position.get(db_id)
        return frozenset() if i is None else self._tokens[i]

    def shared_terms(self, query_tokens: Sequence[str], db_id: int, limit: int = 3) -> list[str]:
        """Query words found in the document, rarest (most telling) first."""
        doc = self.tokens_of(db_id)
        found = [t for t in dict.fromkeys(query_tokens) if t in doc and len(t) > 1]
        found.sort(key=lambda t: -self._idf.get(t, 0.0))
        return found[:limit]


class LexicalStore:
    """One ``LexicalIndex`` per kind over the database, rebuilt when the kind's version moves."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._indexes: dict[str, LexicalIndex] = {}
        self._lock = threading.Lock()

    def index(self, kind: Kind) -> LexicalIndex:
        with self._db.session() as session:
            version = get_version(session, kind)
        current = self._indexes.get(kind)
        if current is not None and current.version == version:
            return current
        with self._lock:
            current = self._indexes.get(kind)
            if current is None or current.version != version:
                reason = "first use" if current is None else f"database version {current.version} → {version}"
                current = self._build(kind, version)
                log.info("BM25 index for %s built (%s): %d documents", kind, reason, len(current))
                self._indexes[kind] = current
            return current

    def _build(self, kind: Kind, version: int) -> LexicalIndex:
        model = RECORD_MODELS[kind]
        with self._db.session() as session:
            columns: Any = model   # a record model: every one has id (and people have forgotten)
            query = select(model).order_by(columns.id)
            if hasattr(model, "forgotten"):
                query = query.where(columns.forgotten.is_(False))
            rows: list[Any] = list(session.scalars(query))
            ids = [row.id for row in rows]
            tokens = [bm25_tokens(document_text(kind, row)) for row in rows]
        return LexicalIndex(ids, tokens, version=version)
