"""The introduction lifecycle: requested → accepted / declined → completed, or expired.

Every transition records who acted and when, and writes an audit entry.
Accepting an advisor's introduction counts against the advisor's capacity;
the advisor row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the write
lock on SQLite) so two workers accepting at once can never exceed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge import audit
from knowledge.errors import ConflictError, NotFound
from knowledge.models import Advisor, Engineer, Introduction, utcnow

OPEN_STATES = ("requested",)
ACTIVE_STATES = ("accepted",)  # accepted and not yet completed: counts against capacity


def _snapshot(intro: Introduction) -> dict[str, object]:
    return {"state": intro.state, "target_kind": intro.target_kind, "target_id": intro.target_id}


def get(session: Session, intro_id: int, *, lock: bool = False) -> Introduction:
    query = select(Introduction).where(Introduction.id == intro_id)
    if lock:
        query = query.with_for_update()
    intro = session.scalar(query)
    if intro is None:
        raise NotFound(f"Introduction {intro_id} does not exist. `gunmane intros list` shows the existing ones.")
    return intro


def request(
    session: Session,
    *,
    requester_platform: str,
    requester_id: str,
    target_kind: str,
    target_id: int,
    consultation_id: int | None = None,
    sub_issue_id: int | None = None,
    message: str | None = None,
) -> Introduction:
    """Create a requested introduction; the target must be recommendable right now."""
    if target_kind == "advisor":
        advisor = session.get(Advisor, target_id)
        if advisor is None or advisor.status != "active" or advisor.forgotten:
            raise ConflictError("This advisor is not available for introductions at the moment.")
    elif target_kind == "engineer":
        engineer = session.get(Engineer, target_id)
        if engineer is None or not engineer.discoverable or engineer.forgotten:
            raise ConflictError("This engineer is not available for introductions.")
    else:
        raise ValueError(f"unknown introduction target kind {target_kind!r}")
    existing = session.scalar(
        select(Introduction).where(
            Introduction.requester_platform == requester_platform,
            Introduction.requester_id == requester_id,
            Introduction.target_kind == target_kind,
            Introduction.target_id == target_id,
            Introduction.state.in_(OPEN_STATES + ACTIVE_STATES),
        )
    )
    if existing is not None:
        return existing
    intro = Introduction(
        requester_platform=requester_platform,
        requester_id=requester_id,
        target_kind=target_kind,
        target_id=target_id,
        consultation_id=consultation_id,
        sub_issue_id=sub_issue_id,
        message=message,
        state="requested",
        requested_at=utcnow(),
        extra={},
    )
    session.add(intro)
    session.flush()
    audit.record(session, actor=f"{requester_platform}:{requester_id}", action="intro_request",
                 kind="introduction", record_id=str(intro.id), after=_snapshot(intro))
    return intro


def open_load(session: Session, advisor_id: int) -> int:
    """Accepted, unfinished introductions of an advisor."""
    return session.scalar(
        select(func.count(Introduction.id)).where(
            Introduction.target_kind == "advisor",
            Introduction.target_id == advisor_id,
            Introduction.state.in_(ACTIVE_STATES),
        )
    ) or 0


def _transition(session: Session, intro_id: int, allowed: tuple[str, ...], new_state: str, actor: str) -> Introduction:
    intro = get(session, intro_id, lock=True)
    if intro.state not in allowed:
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; it cannot become {new_state}.")
    before = _snapshot(intro)
    intro.state = new_state
    intro.acted_by = actor
    setattr(intro, f"{new_state}_at", utcnow())
    session.flush()
    audit.record(session, actor=actor, action=f"intro_{new_state}", kind="introduction",
                 record_id=str(intro.id), before=before, after=_snapshot(intro))
    return intro


def accept(session: Session, intro_id: int, *, actor: str) -> Introduction:
    intro = get(session, intro_id, lock=True)
    if intro.target_kind == "advisor" and intro.state == "requested":
        advisor = session.scalar(select(Advisor).where(Advisor.id == intro.target_id).with_for_update())
        if advisor is None or advisor.status != "active":
            raise ConflictError("This advisor is no longer active, so the introduction cannot be accepted.")
        if open_load(session, advisor.id) >= advisor.capacity:
            raise ConflictError(
                f"The advisor already has {advisor.capacity} open introductions (their capacity). "
                "Complete one first, or ask the secretariat to raise the capacity."
            )
    return _transition(session, intro_id, ("requested",), "accepted", actor)


def decline(session: Session, intro_id: int, *, actor: str) -> Introduction:
    return _transition(session, intro_id, ("requested",), "declined", actor)


def complete(session: Session, intro_id: int, *, actor: str) -> Introduction:
    return _transition(session, intro_id, ("accepted",), "completed", actor)


def expire_overdue(session: Session, *, days: int, now: datetime | None = None, actor: str = "system") -> list[int]:
    """Expire requests nobody answered within ``days``; idempotent."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    overdue = session.scalars(
        select(Introduction.id).where(Introduction.state == "requested", Introduction.requested_at < cutoff)
    ).all()
    for intro_id in overdue:
        _transition(session, intro_id, ("requested",), "expired", actor)
    return list(overdue)
