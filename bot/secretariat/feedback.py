"""Answers to the follow-up: a rating 1–5 and a comment from each side of an introduction.

The answer comes through the engine on any chat platform (the rating as a
choice, the comment typed after it), or by mail or phone, entered with
``gunmane intros feedback``. Only the person a follow-up went to may answer
it in chat (``may_answer``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.secretariat.contacts import ChatUser, parse_contact
from bot.secretariat.introductions import get, requester_of, target_of
from bot.secretariat.reminders import FOLLOWUP_STATES
from knowledge import audit
from knowledge.errors import ConflictError
from knowledge.models import Introduction, utcnow

Side = Literal["requester", "target"]
SIDES: tuple[Side, ...] = ("requester", "target")
RATING_MIN, RATING_MAX = 1, 5
COMMENT_MAX = 2000


@dataclass(frozen=True)
class Feedback:
    side: Side
    rating: int | None
    comment: str | None


def side_of(value: str) -> Side:
    """``requester`` or ``target``; ``ConflictError`` naming both for anything else."""
    for side in SIDES:
        if value == side:
            return side
    raise ConflictError(f"side must be 'requester' or 'target', not {value!r}.")


def record_feedback(
    session: Session, intro_id: int, *, side: Side, rating: int | None, comment: str | None, actor: str,
    now: datetime | None = None,
) -> Introduction:
    """Store one side's answer (a new answer of the same side replaces the old one).

    Both answers live in ``extra["feedback"][side]``; the ``rating`` and
    ``comment`` columns hold the requester's answer (the municipality's view of
    whether it helped), or the target's while the requester has not answered.
    """
    side = side_of(side)
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        raise ConflictError(f"The rating must be a whole number from {RATING_MIN} to {RATING_MAX}; got {rating}.")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ConflictError(f"The comment is {len(comment)} characters long; shorten it to {COMMENT_MAX} or fewer.")
    if rating is None and comment is None:
        raise ConflictError("Give a rating (1–5), a comment, or both.")
    intro = get(session, intro_id, lock=True)
    if intro.state not in FOLLOWUP_STATES:
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; feedback is only asked after it was accepted.")
    before = {"rating": intro.rating, "comment_given": intro.comment is not None}
    feedback = dict((intro.extra or {}).get("feedback") or {})
    feedback[side] = {"rating": rating, "comment": comment, "at": (now or utcnow()).isoformat()}
    intro.extra = {**(intro.extra or {}), "feedback": feedback}
    chosen = feedback.get("requester") or feedback.get("target") or {}
    intro.rating, intro.comment = chosen.get("rating"), chosen.get("comment")
    session.flush()
    # The audit entry keeps the rating but not the free text, which may name people.
    audit.record(session, actor=actor, action="intro_feedback", kind="introduction", record_id=str(intro.id),
                 before=before, after={"side": side, "rating": rating, "comment_given": comment is not None})
    return intro


def feedback_of(intro: Introduction) -> list[Feedback]:
    stored = (intro.extra or {}).get("feedback") or {}
    return [Feedback(side_of(side), entry.get("rating"), entry.get("comment"))
            for side, entry in sorted(stored.items())]


def may_answer(session: Session, intro: Introduction, side: Side, user: ChatUser) -> bool:
    """Only the person a follow-up was sent to may answer it."""
    if side == "requester":
        return requester_of(intro) == user
    target = target_of(session, intro)
    return target is not None and not target.forgotten and parse_contact(target.contact) == user
