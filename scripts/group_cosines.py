#!/usr/bin/env python3
"""How far apart are the words of the same need and of different needs? (calibrates matching/groups)

    .venv/bin/python scripts/group_cosines.py eval/groups

For every pair of consultations of the labelled set (DIR/consultations.jsonl, DIR/labels.jsonl)
the cosine of their first sub-issues' embeddings (the configured embedder, as
``groups suggest`` embeds them: passages through ``encode_documents``), split into pairs
planted in the same group and pairs that are not; prints quantiles and, for thresholds on
the scaled similarity ``(cos − floor) / (full − floor)``, how many pairs of each kind pass.
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

import numpy as np

from knowledge.settings import load_settings
from matching.embedders import make_embedder
from matching.groups.types import Params
from matching.intake import split_sub_issues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    args = parser.parse_args()
    rows = [json.loads(x) for x in (args.dir / "consultations.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = [json.loads(x) for x in (args.dir / "labels.jsonl").read_text(encoding="utf-8").splitlines() if x]
    together = {frozenset(p) for label in labels for p in combinations(label["consultations"], 2)}
    texts = [(split_sub_issues(r["text"]) or [r["text"]])[0] for r in rows]
    vectors = make_embedder(load_settings()).encode_documents(texts)
    same, other = [], []
    for i, j in combinations(range(len(rows)), 2):
        cos = float(np.dot(vectors[i], vectors[j]))
        (same if frozenset((rows[i]["id"], rows[j]["id"])) in together else other).append(cos)
    for name, values in (("same need", same), ("different", other)):
        q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
        print(f"{name:<10} n={len(values):>5}  q05 {q[0]:.3f}  q25 {q[1]:.3f}  median {q[2]:.3f}  "
              f"q75 {q[3]:.3f}  q95 {q[4]:.3f}")
    params = Params()
    span = params.cosine_full - params.cosine_floor
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        cos = params.cosine_floor + threshold * span
        print(f"scaled ≥ {threshold:.1f} (cos ≥ {cos:.3f}): same need {np.mean(np.array(same) >= cos):.1%} pass, "
              f"different {np.mean(np.array(other) >= cos):.1%} pass")


if __name__ == "__main__":
    main()
