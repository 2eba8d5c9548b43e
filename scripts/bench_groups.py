#!/usr/bin/env python3
"""Compare the grouping methods on synthetic demand: placement, cohesion, time, determinism.

    .venv/bin/python scripts/bench_groups.py [--needs 400] [--prefectures 長野県,新潟県,群馬県] [--seed 1]

Random sub-issues over the real municipalities of a few prefectures, each with one of a
handful of needs (field × process) and a random extra process now and then, are grouped
by each method of ``matching.groups`` with the default bounds (60 km, 3–8 bodies). Every
method must respect the bounds (checked here); what differs is how many body-needs end up in
a group, how alike the members are, and the time. Codes only (no embedder), so the figures
are about the clustering, not the model. Results: docs/groups.md.
"""

from __future__ import annotations

import argparse
import random
import time
from itertools import combinations

from knowledge.reference import municipality_coordinates
from matching.geo import haversine_km
from matching.groups import METHODS, Body, Need, Params, body_needs, suggest_groups

Cell = tuple[tuple[str, ...], tuple[str, ...]]
CELLS: list[Cell] = [(("bridge",), ("inspection",)), (("road",), ("snow_removal",)), (("sewerage",), ("inspection",)),
         (("pavement",), ("patrol",)), (("river",), ("weeding",)), (("park",), ("inspection",))]
EXTRA = ("procurement", "planning", "data")


def synthetic(n: int, prefectures: list[str], seed: int) -> list[Need]:
    rng = random.Random(seed)
    places = [(p, m, lat, lng) for (p, m), (lat, lng) in municipality_coordinates().items() if p in prefectures]
    needs = []
    for i in range(n):
        prefecture, name, lat, lng = rng.choice(places)
        fields, processes = rng.choice(CELLS)
        if rng.random() < 0.3:
            processes = processes + (rng.choice(EXTRA),)
        needs.append(Need(i, i, f"c{i}", Body(prefecture, name, lat, lng), fields, processes))
    return needs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--prefectures", default="長野県,新潟県,群馬県")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    needs = synthetic(args.needs, args.prefectures.split(","), args.seed)
    units = len(body_needs(needs, Params(similarity="codes")))
    print(f"{args.needs} sub-issues, {units} body-needs in {args.prefectures} (seed {args.seed})")
    print(f"{'method':<8} {'groups':>6} {'placed':>7} {'share':>6} {'cohesion':>8} {'max km':>7} {'seconds':>8} same?")
    for method in METHODS:
        params = Params(method=method, similarity="codes")
        started = time.perf_counter()
        suggestions = suggest_groups(needs, params)
        seconds = time.perf_counter() - started
        again = [s.id for s in suggest_groups(needs, params)]
        for s in suggestions:   # the bounds hold for every method
            bodies = [m.body for m in s.members]
            assert 3 <= len(bodies) <= 8
            assert all(haversine_km(a.lat, a.lng, b.lat, b.lng) <= 60 for a, b in combinations(bodies, 2))
        placed = sum(len(s.members) for s in suggestions)
        cohesion = sum(s.cohesion * len(s.members) for s in suggestions) / placed if placed else 0.0
        widest = max((s.max_distance_km for s in suggestions), default=0.0)
        print(f"{method:<8} {len(suggestions):>6} {placed:>7} {placed / units:>6.1%} {cohesion:>8.3f} {widest:>7.1f} "
              f"{seconds:>8.2f} {'yes' if again == [s.id for s in suggestions] else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
