"""The secretariat's lists: introductions waiting for an answer, whom a request can go to instead, all rows.

Each entry is a plain value, ready for a chat renderer, the CLI table or a
web page. Entries meant to be posted in chat (``pending``) describe the
requester by place, never by a contact or chat id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.introductions import days_since, get, list_introductions, requester_place, target_of
from knowledge.models import Advisor, Case, Introduction, utcnow

MAX_CANDIDATES = 100  # a Slack select holds 100 options; nobody scrolls further anyway


@dataclass(frozen=True)
class PendingIntroduction:
    id: int
    target_kind: str
    target_ext_id: str | None
    target_name: str
    requester_place: str | None
    waiting_days: int
    reminded: bool


@dataclass(frozen=True)
class Candidate:
    kind: str
    ext_id: str
    name: str


def pending(session: Session, *, now: datetime | None = None) -> list[PendingIntroduction]:
    """Requests nobody has answered yet, oldest first."""
    now = now or utcnow()
    out = []
    for intro in list_introductions(session, state="requested"):
        target = target_of(session, intro)
        out.append(PendingIntroduction(
            intro.id, intro.target_kind, target.ext_id if target is not None else None,
            target.name if target is not None else f"#{intro.target_id}", requester_place(session, intro),
            days_since(intro.requested_at, now), intro.reminder_sent_at is not None,
        ))
    return out


def reassign_candidates(session: Session, intro_id: int) -> list[Candidate]:
    """Active advisors a request can be handed to (not the person it asks now)."""
    intro = get(session, intro_id)
    query = select(Advisor).where(Advisor.status == "active", Advisor.forgotten.is_(False))
    if intro.target_kind == "advisor":
        query = query.where(Advisor.id != intro.target_id)
    advisors = session.scalars(query.order_by(Advisor.ext_id).limit(MAX_CANDIDATES))
    return [Candidate("advisor", a.ext_id, a.name) for a in advisors]


def introduction_row(session: Session, intro: Introduction) -> dict[str, Any]:
    """One introduction for the secretariat's own table (`gunmane intros list`): it names the requester."""
    return {
        "id": intro.id, "state": intro.state, "target_kind": intro.target_kind,
        "target": _target_id(session, intro),
        "requester": f"{intro.requester_platform}:{intro.requester_id}",
        "requested_at": intro.requested_at.isoformat(timespec="seconds"),
        "rating": intro.rating, "reminded": intro.reminder_sent_at is not None,
        "followed_up": intro.followup_sent_at is not None,
    }


def _target_id(session: Session, intro: Introduction) -> str | None:
    """The target's external id; a brokered request about a body names the municipality (it has no record)."""
    if intro.target_kind == "body":
        body = (intro.extra or {}).get("body") or {}
        return f"{body.get('prefecture', '')}{body.get('name', '')}" or None
    if intro.target_kind == "case":
        case = session.get(Case, intro.target_id)
        return case.ext_id if case is not None else None
    target = target_of(session, intro)
    return target.ext_id if target else None


def introduction_rows(session: Session, *, state: str | None = None) -> list[dict[str, Any]]:
    return [introduction_row(session, intro) for intro in list_introductions(session, state=state)]
