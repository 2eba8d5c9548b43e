"""Size-bounded groups of bodies that share a need and sit within ``max_km`` of each other.

The compatibility graph links two body-needs when they are the same need
(``matching.groups.similarity``) and at most ``max_km`` apart (haversine). A group must be
a clique of it — every pair shares the need and is within reach, so the largest distance
between members never exceeds the bound — with ``min_size``…``max_size`` members, and a
body-need is in at most one group. Three ways to choose the groups (measured in
docs/groups.md):

- ``cpsat``: OR-Tools CP-SAT, per connected component that is not already one group: each unit in at most one group
  slot, non-adjacent units never share a slot, slot sizes within the bounds; maximise the
  members' pairwise weights plus a bonus per unit placed. Deterministic (one worker, fixed
  seed, a *deterministic* time limit), so the same data gives the same groups.
- ``louvain``: networkx's Louvain communities of the weighted graph, each then cut into
  cliques greedily.
- ``greedy``: repeatedly take the heaviest clique (networkx ``max_weight_clique``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import networkx as nx

from matching.geo import haversine_km
from matching.groups.similarity import pair
from matching.groups.types import BodyNeed, Params

WEIGHT_SCALE = 1000      # CP-SAT works on integers
PLACED_BONUS = 0.3       # per unit placed in a group, so a loose member beats leaving it out
DISTANCE_DISCOUNT = 0.25  # a pair at max_km weighs 25 % less than a pair in the same place


def distance_km(a: BodyNeed, b: BodyNeed) -> float:
    return haversine_km(a.body.lat, a.body.lng, b.body.lat, b.body.lng)


def compatibility_graph(units: Sequence[BodyNeed], params: Params) -> nx.Graph[int]:
    graph: nx.Graph[int] = nx.Graph()
    graph.add_nodes_from(range(len(units)))
    for i, j in combinations(range(len(units)), 2):
        a, b = units[i], units[j]
        km = distance_km(a, b)
        if a.body.key == b.body.key or km > params.max_km:
            continue
        same, weight = pair(a, b, params)
        if same:   # nearer pairs weigh a little more: of two equally alike groupings, the more compact wins
            graph.add_edge(i, j, weight=weight * (1.0 - DISTANCE_DISCOUNT * km / params.max_km))
    return graph


def choose_groups(units: Sequence[BodyNeed], params: Params) -> list[list[int]]:
    """Groups as lists of indices into ``units``, each sorted, in a deterministic order."""
    graph = compatibility_graph(units, params)
    groups: list[list[int]] = []
    for component in sorted(nx.connected_components(graph), key=min):
        if len(component) < params.min_size:
            continue
        sub = graph.subgraph(component)
        if _is_clique(sub) and len(component) <= params.max_size:
            groups.append(sorted(component))
        elif params.method == "cpsat":
            groups.extend(_cpsat(sub, params))
        elif params.method == "louvain":
            for community in sorted(nx.community.louvain_communities(sub, weight="weight", seed=0), key=min):
                groups.extend(_greedy(sub.subgraph(community), params))
        else:
            groups.extend(_greedy(sub, params))
    return [sorted(g) for g in groups]


def _is_clique(graph: nx.Graph[int]) -> bool:
    n = graph.number_of_nodes()
    return bool(graph.number_of_edges() == n * (n - 1) // 2)


def _greedy(graph: nx.Graph[int], params: Params) -> list[list[int]]:
    """Peel off the heaviest clique (capped at max_size by weighted degree) until none is big enough."""
    left: nx.Graph[int] = nx.Graph(graph)
    out: list[list[int]] = []
    while left.number_of_nodes() >= params.min_size:
        for node in left.nodes:
            left.nodes[node]["w"] = int(WEIGHT_SCALE * sum(d["weight"] for *_, d in left.edges(node, data=True))) + 1
        clique, _ = nx.max_weight_clique(left, weight="w")
        if len(clique) < params.min_size:
            break
        if len(clique) > params.max_size:
            inner = left.subgraph(clique)
            strength = {n: sum(d["weight"] for *_, d in inner.edges(n, data=True)) for n in clique}
            clique = sorted(clique, key=lambda n: (-strength[n], n))[: params.max_size]
        out.append(sorted(clique))
        left.remove_nodes_from(clique)
    return out


def _cpsat(graph: nx.Graph[int], params: Params) -> list[list[int]]:
    from ortools.sat.python import cp_model

    nodes = sorted(graph.nodes)
    slots = range(len(nodes) // params.min_size)
    model = cp_model.CpModel()
    y = {(n, g): model.new_bool_var(f"y{n}_{g}") for n in nodes for g in slots}
    used = [model.new_bool_var(f"used{g}") for g in slots]
    for n in nodes:
        model.add_at_most_one(y[n, g] for g in slots)
    for g in slots:
        size = sum(y[n, g] for n in nodes)
        model.add(size >= params.min_size * used[g])
        model.add(size <= params.max_size * used[g])
        if g:
            model.add(used[g] <= used[g - 1])   # symmetry: slots fill in order
    for position, n in enumerate(nodes):         # symmetry: the k-th unit uses one of the first k+1 slots
        for g in slots:
            if g > position:
                model.add(y[n, g] == 0)
    for a, b in combinations(nodes, 2):
        if not graph.has_edge(a, b):
            for g in slots:
                model.add(y[a, g] + y[b, g] <= 1)
    objective = []
    for a, b, data in graph.edges(data=True):
        weight = int(round(WEIGHT_SCALE * data["weight"]))
        for g in slots:
            both = model.new_bool_var(f"z{a}_{b}_{g}")
            model.add_implication(both, y[a, g])
            model.add_implication(both, y[b, g])
            objective.append(weight * both)
    bonus = int(WEIGHT_SCALE * PLACED_BONUS)
    objective.extend(bonus * y[n, g] for n in nodes for g in slots)
    model.maximize(sum(objective))
    _hint(model, y, used, nodes, slots, _greedy(graph, params))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = params.solver_time
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _greedy(graph, params)
    groups = [[n for n in nodes if solver.value(y[n, g])] for g in slots]
    return [g for g in groups if len(g) >= params.min_size]


def _hint(model: Any, y: dict[tuple[int, int], Any], used: list[Any], nodes: list[int], slots: range,
          greedy: list[list[int]]) -> None:
    """Start the search from the greedy answer, so the result is never worse than it.

    Slots must respect the symmetry rule (a unit only in a slot up to its position), so
    greedy groups are placed in the order of their smallest member."""
    position = {n: i for i, n in enumerate(nodes)}
    slot_of: dict[int, int] = {}
    for g, members in enumerate(sorted(greedy, key=lambda m: min(position[n] for n in m))):
        if g >= len(slots) or any(position[n] < g for n in members):
            return                                    # cannot be expressed under the symmetry rule: no hint
        slot_of.update((n, g) for n in members)
    for n in nodes:
        for g in slots:
            model.add_hint(y[n, g], slot_of.get(n) == g)
    for g in slots:
        model.add_hint(used[g], any(v == g for v in slot_of.values()))
