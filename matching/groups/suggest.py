"""From the needs of stored consultations to group suggestions (pure: no database).

    needs ── merge each body's same needs ── compatibility graph ── size-bounded cliques
          ── shared need, largest distance, why (Japanese), candidate schemes, stable id

A body appears in at most one suggestion for one need: a body's sub-issues that are the
same need become one unit before grouping, and a unit is placed in at most one group. A
body with two different needs (橋の点検 and 除雪) can be in two suggestions.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

import networkx as nx
import numpy as np

from matching.documents import labels
from matching.groups.clustering import choose_groups, distance_km
from matching.groups.schemes import candidate_schemes
from matching.groups.similarity import pair
from matching.groups.types import Body, BodyNeed, Need, Params, Precedent, SuggestedMember, Suggestion
from matching.intake import code_label


def _merged(needs: Sequence[Need]) -> BodyNeed:
    def union(values: Sequence[Sequence[str]]) -> tuple[str, ...]:
        counts = Counter(code for codes in values for code in dict.fromkeys(codes))
        order = {code: i for i, code in enumerate(code for codes in values for code in codes)}
        return tuple(sorted(counts, key=lambda c: (-counts[c], order[c])))

    vectors = [n.vector for n in needs if n.vector is not None]
    vector = None
    if vectors:
        mean = np.mean(np.stack(vectors), axis=0)
        norm = float(np.linalg.norm(mean))
        vector = mean / norm if norm > 0 else mean
    return BodyNeed(body=needs[0].body, needs=tuple(needs), fields=union([n.fields for n in needs]),
                    processes=union([n.processes for n in needs]), pains=union([n.pains for n in needs]),
                    vector=vector)


def body_needs(needs: Sequence[Need], params: Params) -> list[BodyNeed]:
    """One unit per body and need: a body's sub-issues that are the same need are merged."""
    by_body: dict[tuple[str, str], list[Need]] = {}
    for need in sorted(needs, key=lambda n: (n.body.key, n.consultation_id, n.sub_issue_id)):
        by_body.setdefault(need.body.key, []).append(need)
    units: list[BodyNeed] = []
    for key in sorted(by_body):
        own = by_body[key]
        singles = [_merged([n]) for n in own]
        same: nx.Graph[int] = nx.Graph()
        same.add_nodes_from(range(len(own)))
        same.add_edges_from((i, j) for i, j in combinations(range(len(own)), 2)
                            if pair(singles[i], singles[j], params)[0])
        clusters = {min(c): [own[i] for i in sorted(c)] for c in nx.connected_components(same)}
        units.extend(_merged(members) for _, members in sorted(clusters.items()))
    return units


def _shared(values: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Codes every member has; if none, the codes most members have (at least half)."""
    counts = Counter(code for codes in values for code in dict.fromkeys(codes))
    order = {code: i for i, code in enumerate(code for codes in values for code in codes)}
    everyone = [c for c, n in counts.items() if n == len(values)]
    chosen = everyone or [c for c, n in counts.items() if n * 2 >= len(values) and n > 1]
    return tuple(sorted(chosen, key=lambda c: (-counts[c], order[c])))


def suggestion_id(members: Sequence[SuggestedMember], fields: Sequence[str], processes: Sequence[str]) -> str:
    """Stable for the same data: a digest of the member bodies, their consultations and the need."""
    key = json.dumps({"members": sorted([list(m.body.key), sorted(m.consultation_refs)] for m in members),
                      "fields": sorted(fields), "processes": sorted(processes)}, ensure_ascii=False, sort_keys=True)
    return "sg-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]


def _body_name(body: Body) -> str:
    return f"{body.prefecture}(県庁)" if body.municipality == body.prefecture else body.municipality


def _bodies_text(bodies: Sequence[Body]) -> str:
    prefectures = list(dict.fromkeys(b.prefecture for b in bodies))
    if len(prefectures) == 1:
        return f"{prefectures[0]}の" + "・".join(_body_name(b) for b in bodies)
    return "・".join(b.prefecture if b.municipality == b.prefecture else f"{b.prefecture}{b.municipality}"
                    for b in bodies)


def _km(value: float) -> str:
    return f"約{value:.0f}km" if value >= 1 else "1km未満"


def why_text(bodies: Sequence[Body], fields: Sequence[str], processes: Sequence[str], pains: Sequence[str],
             max_distance: float, params: Params) -> str:
    need = "・".join(labels(fields)) or "共通の分野"
    work = "・".join(labels(processes)) or "共通の業務"
    text = f"{_bodies_text(bodies)}の{len(bodies)}団体が、{need}の{work}について同じ課題を相談しています"
    if pains:
        text += "(共通の悩み: " + "・".join(code_label("pain", p) for p in pains) + ")"
    text += f"。最も離れた団体の間でも{_km(max_distance)}で、{params.max_km:g}km以内に収まります。"
    return text


def describe(units: Sequence[BodyNeed], params: Params, cases: Sequence[Precedent]) -> Suggestion:
    ordered = sorted(units, key=lambda u: u.body.key)
    members = tuple(
        SuggestedMember(
            body=u.body,
            consultation_refs=tuple(u.consultation_refs),
            consultation_ids=tuple(dict.fromkeys(n.consultation_id for n in u.needs)),
            sub_issue_ids=tuple(n.sub_issue_id for n in u.needs),
        )
        for u in ordered
    )
    fields = _shared([u.fields for u in ordered])
    processes = _shared([u.processes for u in ordered])
    pains = _shared([u.pains for u in ordered])
    pairs = list(combinations(ordered, 2))
    max_distance = max((distance_km(a, b) for a, b in pairs), default=0.0)
    cohesion = sum(pair(a, b, params)[1] for a, b in pairs) / len(pairs) if pairs else 0.0
    all_fields = list(dict.fromkeys(f for u in ordered for f in u.fields))
    schemes = candidate_schemes(
        prefectures=[u.body.prefecture for u in ordered], fields=fields, processes=processes,
        all_fields=all_fields if len(fields) < len(all_fields) else list(fields), size=len(ordered), cases=cases,
    )
    return Suggestion(
        id=suggestion_id(members, fields, processes),
        members=members,
        fields=fields,
        processes=processes,
        pains=pains,
        max_distance_km=max_distance,
        cohesion=cohesion,
        why=why_text([u.body for u in ordered], fields, processes, pains, max_distance, params),
        schemes=tuple(schemes),
    )


def suggest_groups(needs: Sequence[Need], params: Params, cases: Sequence[Precedent] = ()) -> list[Suggestion]:
    """Suggestions, best first: more members, then closer-knit, then smaller distances, then id."""
    problems = params.problems()
    if problems:
        raise ValueError("; ".join(problems))
    units = body_needs(needs, params)
    suggestions = [describe([units[i] for i in group], params, cases) for group in choose_groups(units, params)]
    return sorted(suggestions, key=lambda s: (-len(s.members), -round(s.cohesion, 6), s.max_distance_km, s.id))
