"""The introduction lifecycle: requested → accepted / declined → completed, or expired.

Every transition records who acted and when, and writes an audit entry.
Accepting an advisor's introduction counts against the advisor's capacity;
the advisor row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the write
lock on SQLite) so two workers accepting at once can never exceed it.

Around the transitions: reminders to the person asked when a request waits
(``due_reminders`` / ``mark_reminded``), a follow-up to both sides some time
after acceptance (``due_followups`` / ``mark_followup_sent``) whose answers —
a rating 1–5 and a free comment — are stored on the introduction
(``record_feedback``), and ``reassign`` for the secretariat to hand a request
to someone else. Delivering the messages is the front ends' job
(bot/secretariat/notify.py); this module only decides what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from knowledge import audit
from knowledge.errors import ConflictError, NotFound
from knowledge.models import INTRO_STATES, Advisor, Engineer, Introduction, utcnow

OPEN_STATES = ("requested",)
ACTIVE_STATES = ("accepted",)  # accepted and not yet completed: counts against capacity
FOLLOWUP_STATES = ("accepted", "completed")
REASSIGNABLE_STATES = ("requested", "declined", "expired", "brokered")
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000
Side = Literal["requester", "target"]


def _snapshot(intro: Introduction) -> dict[str, object]:
    return {"state": intro.state, "target_kind": intro.target_kind, "target_id": intro.target_id}


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _locked(session: Session, model: type[Introduction] | type[Advisor], row_id: int) -> Any:
    """The row, re-read and held until commit, so concurrent workers act on it one at a time.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite ignores FOR UPDATE and would let
    two readers see the same state, so there a no-op UPDATE takes the database
    write lock first; the read that follows then sees every committed change.
    """
    query = select(model).where(model.id == row_id).execution_options(populate_existing=True)
    if _is_sqlite(session):
        session.execute(
            update(model)
            .where(model.id == row_id)
            .values(updated_at=model.updated_at)
            .execution_options(synchronize_session=False)
        )
        return session.scalar(query)
    return session.scalar(query.with_for_update())


def get(session: Session, intro_id: int, *, lock: bool = False) -> Introduction:
    if lock:
        intro = _locked(session, Introduction, intro_id)
    else:
        intro = session.scalar(select(Introduction).where(Introduction.id == intro_id))
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


def _lock_advisor(session: Session, advisor_id: int) -> Advisor | None:
    """Hold the advisor's row until commit, so capacity checks run one at a time."""
    locked: Advisor | None = _locked(session, Advisor, advisor_id)
    return locked


def accept(session: Session, intro_id: int, *, actor: str) -> Introduction:
    intro = get(session, intro_id, lock=True)
    if intro.target_kind == "advisor" and intro.state == "requested":
        advisor = _lock_advisor(session, intro.target_id)
        if advisor is None or advisor.status != "active" or advisor.forgotten:
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


# ---------------------------------------------------------------- listing


def list_introductions(
    session: Session,
    *,
    state: str | None = None,
    target_kind: str | None = None,
    target_id: int | None = None,
) -> list[Introduction]:
    query = select(Introduction).order_by(Introduction.requested_at, Introduction.id)
    if state:
        if state not in INTRO_STATES:
            raise ValueError(f"unknown state {state!r}; use one of {', '.join(INTRO_STATES)}")
        query = query.where(Introduction.state == state)
    if target_kind:
        query = query.where(Introduction.target_kind == target_kind)
    if target_id is not None:
        query = query.where(Introduction.target_id == target_id)
    return list(session.scalars(query))


# ---------------------------------------------------------------- reminders and follow-ups


def due_reminders(session: Session, *, days: int, now: datetime | None = None) -> list[Introduction]:
    """Requests unanswered for ``days`` whose target has not been reminded yet."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(session.scalars(
        select(Introduction)
        .where(Introduction.state == "requested", Introduction.requested_at < cutoff,
               Introduction.reminder_sent_at.is_(None))
        .order_by(Introduction.id)
    ))


def mark_reminded(session: Session, intro_id: int, *, actor: str = "system", now: datetime | None = None) -> Introduction:
    intro = get(session, intro_id, lock=True)
    intro.reminder_sent_at = now or utcnow()
    session.flush()
    audit.record(session, actor=actor, action="intro_remind", kind="introduction", record_id=str(intro.id),
                 after={"reminder_sent_at": intro.reminder_sent_at.isoformat()})
    return intro


def due_followups(session: Session, *, days: int, now: datetime | None = None) -> list[Introduction]:
    """Accepted (or completed) introductions ``days`` after acceptance, not yet followed up."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(session.scalars(
        select(Introduction)
        .where(Introduction.state.in_(FOLLOWUP_STATES), Introduction.accepted_at.is_not(None),
               Introduction.accepted_at < cutoff, Introduction.followup_sent_at.is_(None))
        .order_by(Introduction.id)
    ))


def mark_followup_sent(session: Session, intro_id: int, *, actor: str = "system",
                       now: datetime | None = None) -> Introduction:
    intro = get(session, intro_id, lock=True)
    intro.followup_sent_at = now or utcnow()
    session.flush()
    audit.record(session, actor=actor, action="intro_followup", kind="introduction", record_id=str(intro.id),
                 after={"followup_sent_at": intro.followup_sent_at.isoformat()})
    return intro


@dataclass(frozen=True)
class Feedback:
    side: Side
    rating: int | None
    comment: str | None


def record_feedback(
    session: Session,
    intro_id: int,
    *,
    side: Side,
    rating: int | None,
    comment: str | None,
    actor: str,
    now: datetime | None = None,
) -> Introduction:
    """Store one side's answer to the follow-up (did it help? 1–5, and a comment).

    Both answers live in ``extra["feedback"][side]``; the ``rating`` and
    ``comment`` columns hold the requester's answer (the municipality's view of
    whether it helped), or the target's while the requester has not answered.
    """
    if side not in ("requester", "target"):
        raise ValueError(f"side must be 'requester' or 'target', not {side!r}")
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise ConflictError(f"The rating must be a whole number from {RATING_MIN} to {RATING_MAX}; got {rating}.")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ConflictError(f"The comment is {len(comment)} characters long; shorten it to {COMMENT_MAX} or fewer.")
    if rating is None and comment is None:
        raise ConflictError("Give a rating (1–5), a comment, or both.")
    intro = get(session, intro_id, lock=True)
    if intro.state not in FOLLOWUP_STATES:
        raise ConflictError(
            f"Introduction {intro_id} is {intro.state}; feedback is only asked after it was accepted."
        )
    before = {"rating": intro.rating, "comment_given": intro.comment is not None}
    extra = dict(intro.extra or {})
    feedback = dict(extra.get("feedback") or {})
    feedback[side] = {"rating": rating, "comment": comment, "at": (now or utcnow()).isoformat()}
    extra["feedback"] = feedback
    intro.extra = extra
    chosen = feedback.get("requester") or feedback.get("target") or {}
    intro.rating = chosen.get("rating")
    intro.comment = chosen.get("comment")
    session.flush()
    # The audit entry keeps the rating but not the free text, which may name people.
    audit.record(session, actor=actor, action="intro_feedback", kind="introduction", record_id=str(intro.id),
                 before=before, after={"side": side, "rating": rating, "comment_given": comment is not None})
    return intro


def feedback_of(intro: Introduction) -> list[Feedback]:
    stored = (intro.extra or {}).get("feedback") or {}
    return [Feedback(side, entry.get("rating"), entry.get("comment"))  # type: ignore[arg-type]
            for side, entry in sorted(stored.items())]


# ---------------------------------------------------------------- reassignment


def reassign(session: Session, intro_id: int, *, target_kind: str, target_id: int, actor: str) -> Introduction:
    """Hand a request to another advisor or engineer; returns the new introduction.

    The old request (requested, declined or expired) is closed as declined by
    the secretariat and points to its successor (``extra["reassigned_to"]``);
    the new one carries the same requester, consultation, sub-issue and message.
    """
    old = get(session, intro_id, lock=True)
    if old.state == "brokered":
        return assign_brokered(session, intro_id, target_kind=target_kind, target_id=target_id, actor=actor)
    if old.state not in REASSIGNABLE_STATES:
        raise ConflictError(
            f"Introduction {intro_id} is {old.state}; only requested, declined or expired introductions "
            "can be reassigned."
        )
    if (old.target_kind, old.target_id) == (target_kind, target_id):
        raise ConflictError(f"Introduction {intro_id} already asks that person; choose someone else.")
    duplicate = session.scalar(select(Introduction.id).where(
        Introduction.requester_platform == old.requester_platform,
        Introduction.requester_id == old.requester_id,
        Introduction.target_kind == target_kind,
        Introduction.target_id == target_id,
        Introduction.state.in_(OPEN_STATES + ACTIVE_STATES),
    ))
    if duplicate is not None:
        raise ConflictError(
            f"The requester already has introduction {duplicate} open with that person; choose someone else."
        )
    new = request(
        session,
        requester_platform=old.requester_platform,
        requester_id=old.requester_id,
        target_kind=target_kind,
        target_id=target_id,
        consultation_id=old.consultation_id,
        sub_issue_id=old.sub_issue_id,
        message=old.message,
    )
    before = _snapshot(old)
    if old.state == "requested":
        old.state = "declined"
        old.declined_at = utcnow()
        old.acted_by = actor
    extra = dict(old.extra or {})
    extra["reassigned_to"] = new.id
    old.extra = extra
    new_extra = dict(new.extra or {})
    new_extra["reassigned_from"] = old.id
    new.extra = new_extra
    session.flush()
    audit.record(session, actor=actor, action="intro_reassign", kind="introduction", record_id=str(old.id),
                 before=before, after={**_snapshot(old), "reassigned_to": new.id})
    return new


# ---------------------------------------------------------------- introductions about a case (brokered)

BROKERED_KINDS = ("case", "body")   # nobody specific yet: the precedent case, or the municipality ("body")


def request_brokered(
    session: Session,
    *,
    requester_platform: str,
    requester_id: str,
    target_kind: str,
    target_id: int,
    case_id: int | None = None,
    consultation_id: int | None = None,
    sub_issue_id: int | None = None,
    body: dict[str, str] | None = None,
) -> Introduction:
    """A request to be put in touch with someone at a case's body (or a named municipality) when no
    consenting engineer of it is on record: the secretariat sees it as ``brokered`` and assigns a person
    (``assign_brokered``). Asking twice returns the open request."""
    if target_kind not in BROKERED_KINDS:
        raise ValueError(f"unknown brokered target kind {target_kind!r}; use one of {', '.join(BROKERED_KINDS)}")
    existing = session.scalar(select(Introduction).where(
        Introduction.requester_platform == requester_platform, Introduction.requester_id == requester_id,
        Introduction.target_kind == target_kind, Introduction.target_id == target_id,
        Introduction.state == "brokered",
    ))
    if existing is not None:
        return existing
    intro = Introduction(
        requester_platform=requester_platform, requester_id=requester_id, target_kind=target_kind,
        target_id=target_id, case_id=case_id, consultation_id=consultation_id, sub_issue_id=sub_issue_id,
        state="brokered", requested_at=utcnow(), extra={"body": body} if body else {},
    )
    session.add(intro)
    session.flush()
    audit.record(session, actor=f"{requester_platform}:{requester_id}", action="intro_broker",
                 kind="introduction", record_id=str(intro.id), after=_snapshot(intro))
    return intro


def assign_brokered(session: Session, intro_id: int, *, target_kind: str, target_id: int, actor: str) -> Introduction:
    """The secretariat hands a brokered request to a person: the same introduction becomes a normal
    request to that advisor or engineer (who then accepts or declines)."""
    intro = get(session, intro_id, lock=True)
    if intro.state != "brokered":
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; only brokered requests are assigned this way.")
    if target_kind == "advisor":
        advisor = session.get(Advisor, target_id)
        if advisor is None or advisor.status != "active" or advisor.forgotten:
            raise ConflictError("This advisor is not available for introductions at the moment.")
    elif target_kind == "engineer":
        engineer = session.get(Engineer, target_id)
        if engineer is None or engineer.forgotten:
            raise ConflictError("This engineer is not available for introductions.")
    else:
        raise ConflictError(f"A brokered request is assigned to an advisor or an engineer, not a {target_kind}.")
    before = _snapshot(intro)
    extra = dict(intro.extra or {})
    extra["brokered_as"] = {"target_kind": intro.target_kind, "target_id": intro.target_id}
    intro.extra = extra
    intro.target_kind, intro.target_id, intro.state, intro.acted_by = target_kind, target_id, "requested", actor
    intro.requested_at = utcnow()
    session.flush()
    audit.record(session, actor=actor, action="intro_assign", kind="introduction", record_id=str(intro.id),
                 before=before, after=_snapshot(intro))
    return intro
