"""Candidate collaboration schemes (連携の型) for a group, each with precedent cases of that scheme.

Rules follow the guide's patterns (../shared/reference/gunmane-concepts.md):

- 共同発注 (joint_procurement): the bodies order the same work together but sign separate
  contracts — fits any work that is ordered (inspection, design, works, daily maintenance);
- 代行 (delegation) by the prefecture: one body (the prefecture) orders for the others, as
  奈良県 does for municipal bridges — fits when every member is in one prefecture and the
  need is in the periodic cycle (planning, inspection, design, works);
- 協議会 (council): a council carries the ordering, shared training or data — fits larger
  groups, groups across prefectures, and needs of training, data or planning;
- 多分野連携 (multi_field): when the members' needs span several fields.

Precedents are the cases whose ``scheme`` lists the code, those sharing the group's fields
and processes first.
"""

from __future__ import annotations

from collections.abc import Sequence

from matching.documents import labels
from matching.groups.types import Precedent, SchemeCandidate

ORDERED_WORK = {"inspection", "design", "construction", "patrol", "cleaning", "weeding", "pruning",
                "snow_removal", "procurement", "planning"}
PERIODIC_CYCLE = {"planning", "inspection", "design", "construction"}
SHARED_CAPACITY = {"training", "data", "planning", "new_tech"}
MAX_PRECEDENTS = 2


def precedents(code: str, fields: Sequence[str], processes: Sequence[str],
               cases: Sequence[Precedent]) -> list[Precedent]:
    fitting = [c for c in cases if code in c.schemes]
    def closeness(c: Precedent) -> tuple[int, int, str]:
        return (-len(set(c.fields) & set(fields)), -len(set(c.processes) & set(processes)), c.ext_id)
    return sorted(fitting, key=closeness)[:MAX_PRECEDENTS]


def _with_cases(reason: str, code: str, fields: Sequence[str], processes: Sequence[str],
                cases: Sequence[Precedent]) -> SchemeCandidate:
    found = precedents(code, fields, processes, cases)
    if found:
        reason += "先行事例: " + "、".join(f"{c.title}({c.ext_id})" for c in found) + "。"
    else:
        reason += "登録済みの先行事例はまだありません。"
    return SchemeCandidate(code, reason)


def candidate_schemes(
    *,
    prefectures: Sequence[str],
    fields: Sequence[str],
    processes: Sequence[str],
    all_fields: Sequence[str],
    size: int,
    cases: Sequence[Precedent],
) -> list[SchemeCandidate]:
    """Best first. ``fields``/``processes``: the shared need; ``all_fields``: every member's fields."""
    need = "・".join(labels(fields) + labels(processes)) or "共通の業務"
    out: list[SchemeCandidate] = []
    work = set(processes)
    if work & ORDERED_WORK or not work:
        out.append(_with_cases(
            f"{need}を各団体が同じ仕様・同じ時期にまとめて発注すれば、契約は別々のまま規模のメリットが出ます。",
            "joint_procurement", fields, processes, cases))
    if len(set(prefectures)) == 1 and (work & PERIODIC_CYCLE):
        out.append(_with_cases(
            f"全団体が{prefectures[0]}内にあるため、県が市町村に代わって{need}をまとめて発注・実施する代行が考えられます。",
            "delegation", fields, processes, cases))
    if size >= 4 or len(set(prefectures)) > 1 or work & SHARED_CAPACITY:
        out.append(_with_cases(
            "協議会を設ければ、発注や研修・データの共有を団体の枠を越えて継続的に進められます。",
            "council", fields, processes, cases))
    if len(set(all_fields)) > 1:
        spanned = "・".join(labels(sorted(set(all_fields), key=list(all_fields).index)))
        out.append(_with_cases(
            f"相談が{spanned}にまたがるため、分野を束ねた多分野連携で発注すると効率が上がります。",
            "multi_field", all_fields, processes, cases))
    return out
