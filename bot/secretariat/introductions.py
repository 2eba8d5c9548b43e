"""The introduction lifecycle: requested → accepted / declined → completed, or expired.

Every transition records who acted (``actor``) and when, and writes its audit
entry here. Accepting an advisor's introduction counts against the advisor's
capacity (``capacity.ensure_room``, under a row lock). ``reassign`` hands a
request to someone else. What the people involved are told is not decided
here: the engine composes it from the introduction's new state
(bot/dialogue/deliveries.py).

``target_of`` is the one way to get the record an introduction asks for;
``TARGET_MODELS`` lists the kinds a request may target. A *brokered* request
(state ``brokered``, target kind ``case`` or ``body``) asks for someone at a
precedent case's body or a named municipality when no consenting engineer of
it is on record; the secretariat finds a person and ``assign_brokered`` (or
``reassign``) turns it into a normal request. Brokered requests are never
reminded or expired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.capacity import ensure_room
from bot.secretariat.contacts import ChatUser
from bot.secretariat.locking import locked
from knowledge import audit
from knowledge.errors import ConflictError, NotFound
from knowledge.models import (
    INTRO_ACTIVE_STATES,
    INTRO_OPEN_STATES,
    INTRO_STATES,
    Advisor,
    Case,
    Consultation,
    Engineer,
    Introduction,
    utcnow,
)

OPEN_STATES = INTRO_OPEN_STATES
ACTIVE_STATES = INTRO_ACTIVE_STATES
REASSIGNABLE_STATES = ("requested", "declined", "expired", "brokered")
BROKERED_KINDS = ("case", "body")   # nobody specific yet: a precedent case, or a named municipality ("body")
TARGET_MODELS: dict[str, type[Advisor] | type[Engineer]] = {"advisor": Advisor, "engineer": Engineer}
Target = Advisor | Engineer


def days_since(at: datetime, now: datetime | None = None) -> int:
    """Whole days from ``at`` to ``now`` (SQLite hands back naive datetimes: they are UTC)."""
    def aware(moment: datetime) -> datetime:
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return max(0, (aware(now or utcnow()) - aware(at)).days)


def _snapshot(intro: Introduction) -> dict[str, object]:
    return {"state": intro.state, "target_kind": intro.target_kind, "target_id": intro.target_id}


def person(session: Session, kind: str, db_id: int) -> Target | None:
    """The advisor or engineer with this internal id (introductions refer to people this way)."""
    if kind == "advisor":
        return session.get(Advisor, db_id)
    if kind == "engineer":
        return session.get(Engineer, db_id)
    return None


def target_of(session: Session, intro: Introduction) -> Target | None:
    """The advisor or engineer an introduction asks for (None when the record is gone)."""
    return person(session, intro.target_kind, intro.target_id)


def requester_of(intro: Introduction) -> ChatUser:
    return ChatUser(intro.requester_platform, intro.requester_id)


def requester_place(session: Session, intro: Introduction) -> str | None:
    """Where the requester works (「奈良県宇陀市」, a prefecture for its own staff), if the consultation says."""
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    if consultation is None or not consultation.prefecture:
        return None
    name = consultation.municipality or consultation.prefecture
    return name if name == consultation.prefecture else f"{consultation.prefecture}{name}"


def is_available(target: Target | None) -> bool:
    """Whether the person may be asked right now (an active advisor, a consenting engineer)."""
    if target is None or target.forgotten:
        return False
    return target.status == "active" if isinstance(target, Advisor) else bool(target.discoverable)


def get(session: Session, intro_id: int, *, lock: bool = False) -> Introduction:
    intro = locked(session, Introduction, intro_id) if lock else session.get(Introduction, intro_id)
    if intro is None:
        raise NotFound(f"Introduction {intro_id} does not exist. `gunmane intros list` shows the existing ones.")
    return intro


def open_between(session: Session, requester: ChatUser, target_kind: str, target_id: int) -> Introduction | None:
    """The requester's open or accepted introduction to this person, if there is one."""
    return session.scalar(select(Introduction).where(
        Introduction.requester_platform == requester.platform,
        Introduction.requester_id == requester.user_id,
        Introduction.target_kind == target_kind,
        Introduction.target_id == target_id,
        Introduction.state.in_(OPEN_STATES + ACTIVE_STATES),
    ))


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
    actor: str | None = None,
) -> Introduction:
    """Create a requested introduction (the target must be available right now); ``actor`` defaults to the requester."""
    if target_kind not in TARGET_MODELS:
        raise ValueError(f"unknown introduction target kind {target_kind!r}")
    if not is_available(person(session, target_kind, target_id)):
        raise ConflictError(f"This {target_kind} is not available for introductions at the moment.")
    requester = ChatUser(requester_platform, requester_id)
    existing = open_between(session, requester, target_kind, target_id)
    if existing is not None:
        return existing
    intro = Introduction(
        requester_platform=requester_platform, requester_id=requester_id, target_kind=target_kind,
        target_id=target_id, consultation_id=consultation_id, sub_issue_id=sub_issue_id, message=message,
        state="requested", requested_at=utcnow(), extra={},
    )
    session.add(intro)
    session.flush()
    audit.record(session, actor=actor or requester.as_contact(), action="intro_request", kind="introduction",
                 record_id=str(intro.id), after=_snapshot(intro))
    return intro


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
        ensure_room(session, intro.target_id)
    return _transition(session, intro_id, ("requested",), "accepted", actor)


def decline(session: Session, intro_id: int, *, actor: str) -> Introduction:
    return _transition(session, intro_id, ("requested",), "declined", actor)


def complete(session: Session, intro_id: int, *, actor: str) -> Introduction:
    return _transition(session, intro_id, ("accepted",), "completed", actor)


def expire(session: Session, intro_id: int, *, actor: str) -> Introduction:
    """Expire one unanswered request now: the secretariat gave up on it (`gunmane intros expire ID`)."""
    return _transition(session, intro_id, ("requested",), "expired", actor)


def expire_overdue(session: Session, *, days: int, actor: str, now: datetime | None = None) -> list[int]:
    """Expire requests nobody answered within ``days``; idempotent."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    overdue = session.scalars(
        select(Introduction.id).where(Introduction.state == "requested", Introduction.requested_at < cutoff)
        .order_by(Introduction.id)
    ).all()
    for intro_id in overdue:
        _transition(session, intro_id, ("requested",), "expired", actor)
    return list(overdue)


def list_introductions(
    session: Session, *, state: str | None = None, target_kind: str | None = None, target_id: int | None = None,
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
    duplicate = open_between(session, requester_of(old), target_kind, target_id)
    if duplicate is not None:
        raise ConflictError(
            f"The requester already has introduction {duplicate.id} open with that person; choose someone else."
        )
    new = request(
        session, requester_platform=old.requester_platform, requester_id=old.requester_id, target_kind=target_kind,
        target_id=target_id, consultation_id=old.consultation_id, sub_issue_id=old.sub_issue_id,
        message=old.message, actor=actor,
    )
    before = _snapshot(old)
    if old.state == "requested":
        old.state, old.declined_at, old.acted_by = "declined", utcnow(), actor
    carried = {k: v for k, v in (old.extra or {}).items() if k == "language"}  # the requester's language
    old.extra = {**(old.extra or {}), "reassigned_to": new.id}
    new.extra = {**(new.extra or {}), **carried, "reassigned_from": old.id}
    session.flush()
    audit.record(session, actor=actor, action="intro_reassign", kind="introduction", record_id=str(old.id),
                 before=before, after={**_snapshot(old), "reassigned_to": new.id})
    return new


# ---------------------------------------------------------------- brokered: about a case or a body, nobody yet


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
    consenting engineer of it is on record: the secretariat sees it as ``brokered`` and assigns a
    person (``assign_brokered``). Asking twice returns the open request."""
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
    audit.record(session, actor=ChatUser(requester_platform, requester_id).as_contact(), action="intro_broker",
                 kind="introduction", record_id=str(intro.id), after=_snapshot(intro))
    return intro


def assign_brokered(session: Session, intro_id: int, *, target_kind: str, target_id: int, actor: str) -> Introduction:
    """The secretariat hands a brokered request to a person it found: the same introduction becomes a
    normal request to that advisor or engineer (who then accepts or declines). The engineer need not be
    discoverable — the secretariat asked them — but must not be erased."""
    intro = get(session, intro_id, lock=True)
    if intro.state != "brokered":
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; only brokered requests are assigned this way.")
    if target_kind not in TARGET_MODELS:
        raise ConflictError(f"A brokered request is assigned to an advisor or an engineer, not a {target_kind}.")
    target = person(session, target_kind, target_id)
    if target is None or target.forgotten or (isinstance(target, Advisor) and target.status != "active"):
        raise ConflictError(f"This {target_kind} is not available for introductions at the moment.")
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


def target_label(session: Session, intro: Introduction) -> str:
    """What a secretariat note or list names as the target: the person, the case, or the body (never a contact)."""
    if intro.target_kind in TARGET_MODELS:
        target = target_of(session, intro)
        return f"{target.name}（{target.ext_id}）" if target is not None else f"#{intro.target_id}"
    if intro.target_kind == "case":
        case = session.get(Case, intro.target_id)
        return f"事例「{case.title}」（{case.ext_id}）" if case is not None else f"事例 #{intro.target_id}"
    body = (intro.extra or {}).get("body") or {}
    return f"{body.get('prefecture', '')}{body.get('name', '')}" or f"#{intro.target_id}"
