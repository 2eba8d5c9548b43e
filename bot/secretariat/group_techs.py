"""Technologies for a group's combined need (`gunmane groups techs GROUP_OR_SUGGESTION_ID`).

Each of the group's sub-issues that carries the shared need is one hybrid query
(FAISS + BM25, the Matcher's fusion) for kind ``technology``, with the group's fields and
processes as the field/process-agreement hints; retired technologies are never returned
(the Matcher's hard filter). A technology's group score is its mean score over those
queries (a query that did not return it adds 0), so what fits the whole group beats what
fits one member very well. ``why`` is the best query's reason plus how many of the
group's consultations it fits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from bot.secretariat.groups import get_group, get_suggestion
from knowledge.db import Database
from knowledge.errors import NotFound
from knowledge.models import SubIssue
from matching.engine import Matcher
from matching.types import MatchQuery, MatchResult

PER_QUERY = 30          # candidates kept per sub-issue before aggregating


@dataclass(frozen=True)
class GroupNeed:
    label: str                                   # the id as given (group number or sg-…)
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    queries: tuple[tuple[str, str, str], ...]    # (text, prefecture, municipality) per sub-issue


def _shares_need(sub: SubIssue, fields: tuple[str, ...], processes: tuple[str, ...]) -> bool:
    has_field = not fields or not sub.fields or bool(set(sub.fields) & set(fields))
    has_process = not processes or not sub.processes or bool(set(sub.processes) & set(processes))
    return has_field and has_process


def group_need(db: Database, target: str) -> GroupNeed:
    """The sub-issues behind a stored group (a number) or a suggestion (``sg-…``)."""
    target = target.strip()
    with db.session() as session:
        if target.startswith("sg-"):
            data = get_suggestion(session, target).data
            fields, processes = tuple(data["fields"]), tuple(data["processes"])
            places = [(m["prefecture"], m["municipality"]) for m in data["members"]]
            sub_ids = [(sid, place) for internal, place in zip(data["internal"], places, strict=True)
                       for sid in internal["sub_issue_ids"]]
            subs = [(session.get(SubIssue, sid), place) for sid, place in sub_ids]
        elif target.isdigit():
            group = get_group(session, target)
            fields, processes = tuple(group.fields), tuple(group.processes)
            subs = []
            for member in group.members:
                for sub in session.scalars(select(SubIssue).where(SubIssue.consultation_id.in_(member.consultation_ids))
                                           .order_by(SubIssue.id)):
                    if _shares_need(sub, fields, processes):
                        subs.append((sub, (member.prefecture, member.municipality)))
        else:
            raise NotFound(f"{target!r} is neither a group id (a number, `gunmane groups list`) nor a suggestion id "
                           "(sg-…, `gunmane groups suggest`).")
        queries = tuple((sub.text, place[0], place[1]) for sub, place in subs if sub is not None and sub.text.strip())
    if not queries:
        raise NotFound(f"{target} has no consultations left to rank technologies for (were they deleted?).")
    return GroupNeed(target, fields, processes, queries)


def rank_for_group(matcher: Matcher, need: GroupNeed, *, top: int = 5, mode: Any = "hybrid") -> list[MatchResult]:
    """Technologies ranked for the whole group, best first."""
    queries = [MatchQuery(text, "technology", prefecture, municipality, max(PER_QUERY, top),
                          need.fields, need.processes) for text, prefecture, municipality in need.queries]
    rankings = matcher.match_many(queries, mode=mode)
    total: dict[str, float] = {}
    hits: dict[str, int] = {}
    best: dict[str, MatchResult] = {}
    for ranking in rankings:
        for position, result in enumerate(ranking):
            total[result.id] = total.get(result.id, 0.0) + result.score
            if position < top:   # "fits" a consultation: among that query's own top results
                hits[result.id] = hits.get(result.id, 0) + 1
            if result.id not in best or result.score > best[result.id].score:
                best[result.id] = result
    n = len(queries)
    ordered = sorted(total, key=lambda tid: (-total[tid] / n, tid))[:top]
    return [replace(best[tid], score=total[tid] / n, why=_why(best[tid].why, hits.get(tid, 0), n)) for tid in ordered]


def _why(reason: str, hits: int, n: int) -> str:
    return f"{reason} / グループの{hits}/{n}件の相談で上位" if hits else reason


def output_object(need: GroupNeed, results: list[MatchResult]) -> dict[str, Any]:
    """The ``match --json`` shape with ``"kind": "technology"``; ``query`` is the group or suggestion id."""
    return {"query": need.label, "kind": "technology", "results": [r.to_json() for r in results]}
