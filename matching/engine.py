"""``Matcher``: the public entry point of retrieval.

    query ─┬─ embed ── FAISS (VectorStore) ─┐
           └─ tokens ─ BM25 (LexicalStore) ─┴─ fuse ── hard filters ── soft preferences ── why

Candidates are over-fetched from both indexes, fused (method chosen by
measurement, see docs/ranking.md), checked against the current database rows
(hard filters: no score can bring back an inactive advisor, a non-consenting
engineer or an engineer from the asker's own municipality), reordered by soft
preferences and explained. If filters leave fewer than ``top`` results, the
search widens until the index is exhausted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, Protocol

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.db import Database
from knowledge.models import INTRO_ACTIVE_STATES, Introduction
from knowledge.municipalities import MunicipalityDirectory
from knowledge.settings import Settings
from matching.embedders.base import Embedder
from matching.explain import why
from matching.filters import Asker, load_rows, recommendable
from matching.fusion import FusionMethod, fuse
from matching.lexical import LexicalStore
from matching.preferences import QueryFocus, Weights, assess, is_online
from matching.query_terms import QueryTerms, sub_issue_texts, understand_query
from matching.schemes import SchemeAffinity
from matching.types import MatchQuery, MatchResult

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "lexical")


class DenseSearch(Protocol):
    """What the Matcher needs from the FAISS store (``matching.vector_index.VectorStore``)."""

    def search(self, kind: str, query_vector: np.ndarray, k: int) -> list[tuple[int, float]]: ...


@dataclass(frozen=True)
class RankingConfig:
    fusion: FusionMethod = "mix"       # chosen by measurement over "rrf" (docs/ranking.md)
    rrf_k: float = 60.0                # for fusion="rrf"
    dense_weight: float = 0.5          # for fusion="mix": middle of the flat optimum 0.45–0.65
    lexical_coverage: bool = True      # for fusion="mix": BM25 scaled by the query's ideal score, not the best hit
    weights: Weights = field(default_factory=Weights)
    min_candidates: int = 100          # over-fetch from each index
    candidates_per_result: int = 20


class Matcher:
    """Ranks advisors, cases, engineers, trainings and technologies for a described problem.

    Thread-safe for concurrent ``match`` calls; indexes reload themselves when
    the database's version of a kind moves.
    """

    def __init__(
        self,
        db: Database,
        embedder: Embedder,
        settings: Settings,
        *,
        vector_store: DenseSearch | None = None,
        lexical_store: LexicalStore | None = None,
        config: RankingConfig | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self.settings = settings
        if vector_store is None:
            from matching.vector_index import VectorStore

            vector_store = VectorStore(db, embedder, settings.data_dir, settings.approx_index_threshold)
        self.vector_store = vector_store
        self.lexical_store = lexical_store or LexicalStore(db)
        self.config = config or RankingConfig()
        self.today = today
        self.schemes = SchemeAffinity(embedder)
        self._directory: MunicipalityDirectory | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def match(self, query: MatchQuery, *, mode: Mode = "hybrid") -> list[MatchResult]:
        return self.match_many([query], mode=mode)[0]

    def match_many(self, queries: Sequence[MatchQuery], *, mode: Mode = "hybrid") -> list[list[MatchResult]]:
        """Rank each query; query texts are embedded in one batch (the model is loaded once)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        askers = [self.asker(q.prefecture, q.municipality) for q in queries]
        parts = [sub_issue_texts(q.text) for q in queries]
        terms = {text: understand_query(text) for texts in parts for text in texts}
        vectors: dict[str, np.ndarray] = {}
        if mode != "lexical" and queries:
            texts = list(dict.fromkeys(t.dense_text for t in terms.values()))  # each text embedded once
            vectors = dict(zip(texts, self.embedder.encode_queries(texts), strict=True))
        out = []
        for query, asker, texts in zip(queries, askers, parts, strict=True):
            rankings = [
                self._rank(replace(query, text=text), asker, terms[text], vectors.get(terms[text].dense_text), mode)
                for text in texts
            ]
            out.append(rankings[0] if len(rankings) == 1 else merge_sub_issues(rankings, query.top))
        return out

    @property
    def directory(self) -> MunicipalityDirectory:
        if self._directory is None:
            with self._lock, self.db.session() as session:
                if self._directory is None:
                    self._directory = MunicipalityDirectory(session)
        return self._directory

    def asker(self, prefecture: str | None, municipality: str | None) -> Asker:
        """Where the asker sits; an unknown municipality raises NotFound naming the closest names."""
        if municipality:
            place = self.directory.resolve(prefecture or None, municipality)
            return Asker(place.prefecture, place.name, place)
        if prefecture:
            self.directory.resolve(prefecture, prefecture)  # validates the prefecture's name
            return Asker(prefecture, None, None)
        return Asker()

    # ------------------------------------------------------------------ ranking

    def _rank(
        self, query: MatchQuery, asker: Asker, terms: QueryTerms, vector: np.ndarray | None, mode: Mode
    ) -> list[MatchResult]:
        if query.top <= 0:
            return []
        lexical = self.lexical_store.index(query.kind)
        total = len(lexical)
        if total == 0:
            return []
        focus = QueryFocus(
            fields=tuple(query.fields) or terms.fields,
            processes=tuple(query.processes) or terms.processes,
            scheme_z=self.schemes.z_scores(vector) if query.kind == "case" else {},
        )
        k = min(total, max(self.config.min_candidates, query.top * self.config.candidates_per_result))
        while True:
            dense = self.vector_store.search(query.kind, vector, k) if vector is not None else []
            words = lexical.search(terms.tokens, k) if mode != "dense" else []
            relevance = self._relevance(dense, words, mode, lexical.ideal_score(terms.tokens))
            results = self._filter_and_order(query, asker, focus, terms, relevance, lexical)
            if len(results) >= query.top or k >= total:
                return results[: query.top]
            k = min(total, k * 4)

    def _relevance(
        self, dense: list[tuple[int, float]], words: list[tuple[int, float]], mode: Mode, lexical_ideal: float
    ) -> dict[int, float]:
        # Single modes go through the same scale as the fusion, so the modes compare like for like.
        cfg = self.config
        return fuse(
            dense,
            words,
            method=cfg.fusion,
            rrf_k=cfg.rrf_k,
            dense_weight=cfg.dense_weight,
            lexical_ideal=lexical_ideal if cfg.lexical_coverage else None,
        )

    def _filter_and_order(
        self,
        query: MatchQuery,
        asker: Asker,
        focus: QueryFocus,
        terms: QueryTerms,
        relevance: dict[int, float],
        lexical: Any,
    ) -> list[MatchResult]:
        kind = query.kind
        today = self.today()
        with self.db.session() as session:
            rows = load_rows(session, kind, relevance)
            allowed = {db_id: row for db_id, row in rows.items() if recommendable(kind, row, asker)}
            loads = _open_loads(session, list(allowed)) if kind == "advisor" else {}
            scored = []
            for db_id, row in allowed.items():
                adjustment, evidence = assess(
                    kind,
                    row,
                    focus=focus,
                    asker=asker,
                    directory=self.directory,
                    today=today,
                    open_load=loads.get(db_id, 0),
                    weights=self.config.weights,
                )
                scored.append((relevance[db_id] + adjustment, db_id, row, evidence))
            scored.sort(key=lambda item: (-item[0], item[1]))
            results = []
            for score, db_id, row, ev in scored[: max(query.top, 0)]:
                ev.key_terms = lexical.shared_terms(terms.tokens, db_id)
                results.append(_result(kind, row, score, why(kind, row, ev, today=today), ev.distance_km, today))
            return results


def merge_sub_issues(rankings: Sequence[list[MatchResult]], top: int) -> list[MatchResult]:
    """One list from the rankings of a message's separate problems: each problem's best comes
    first (interleaved), judged by how far a result falls behind the best of its own problem."""
    best: dict[str, tuple[float, int, MatchResult]] = {}
    ceiling = max((ranking[0].score for ranking in rankings if ranking), default=0.0)
    for ranking in rankings:
        if not ranking:
            continue
        head = ranking[0].score
        for position, result in enumerate(ranking):
            gap = result.score - head
            if result.id not in best or (-gap, position) < (-best[result.id][0], best[result.id][1]):
                best[result.id] = (gap, position, result)
    ordered = sorted(best.values(), key=lambda item: (-item[0], item[1]))
    return [replace(result, score=ceiling + gap) for gap, _position, result in ordered[:top]]


def _open_loads(session: Session, advisor_ids: list[int]) -> dict[int, int]:
    """Accepted, unfinished introductions per advisor, in one query (cf. introductions.open_load)."""
    if not advisor_ids:
        return {}
    rows = session.execute(
        select(Introduction.target_id, func.count(Introduction.id))
        .where(
            Introduction.target_kind == "advisor",
            Introduction.target_id.in_(advisor_ids),
            Introduction.state.in_(INTRO_ACTIVE_STATES),
        )
        .group_by(Introduction.target_id)
    )
    return {int(target): int(count) for target, count in rows}


def _details(kind: str, row: Any, today: date) -> dict[str, Any]:
    """Display facts of a result. Never contacts."""
    common = {"fields": list(row.fields or ()), "processes": list(row.processes or ())}
    if kind == "advisor":
        return common | {
            "affiliation": row.affiliation,
            "advisor_kind": row.kind,
            "prefecture": row.prefecture,
            "regions": list(row.regions or ()),
            "capacity": row.capacity,
        }
    if kind == "engineer":
        return common | {
            "prefecture": row.prefecture,
            "municipality": row.municipality,
            "department": row.department,
            "years": row.years,
        }
    if kind == "case":
        return common | {
            "prefecture": row.prefecture,
            "municipalities": list(row.municipalities or ()),
            "scheme": list(row.scheme or ()),
            "source": row.source,
            "is_reference": bool(row.is_reference),
        }
    if kind == "technology":
        return common | {"vendor": row.vendor, "catalogue": row.catalogue, "url": row.url, "status": row.status}
    last_day = row.end_date or row.start_date
    return common | {
        "training_kind": row.kind,
        "organizer": row.organizer,
        "prefecture": row.prefecture,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "end_date": row.end_date.isoformat() if row.end_date else None,
        "online": is_online(row),
        "upcoming": None if last_day is None else last_day >= today,
        "url": row.url,
    }


def _result(kind: Any, row: Any, score: float, reason: str, distance_km: float | None, today: date) -> MatchResult:
    title = row.name if kind in ("advisor", "engineer", "technology") else row.title
    summary = {"advisor": "expertise", "engineer": "expertise", "case": "summary", "training": "description",
               "technology": "description"}[kind]
    return MatchResult(
        kind=kind,
        id=row.ext_id,
        db_id=row.id,
        score=float(score),
        why=reason,
        title=title,
        summary=getattr(row, summary),
        distance_km=distance_km if kind == "engineer" else None,
        details=_details(kind, row, today),
    )
