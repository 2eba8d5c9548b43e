"""What is due: reminders to the person asked, follow-ups to both sides, and marking them sent.

A request unanswered for ``days`` is due for one reminder; an introduction
accepted ``days`` ago is due for one follow-up (did it help?). Composing and
delivering the messages is the engine's and the relay's job
(bot/relay/jobs.py); this module only decides what is due and records that
it went out, with its audit entry.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.introductions import get
from knowledge import audit
from knowledge.models import Introduction, utcnow

FOLLOWUP_STATES = ("accepted", "completed")


def due_reminders(session: Session, *, days: int, now: datetime | None = None) -> list[Introduction]:
    """Requests unanswered for ``days`` whose target has not been reminded yet."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(session.scalars(
        select(Introduction)
        .where(Introduction.state == "requested", Introduction.requested_at < cutoff,
               Introduction.reminder_sent_at.is_(None))
        .order_by(Introduction.id)
    ))


def mark_reminded(session: Session, intro_id: int, *, actor: str, now: datetime | None = None) -> Introduction:
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


def mark_followup_sent(session: Session, intro_id: int, *, actor: str, now: datetime | None = None) -> Introduction:
    intro = get(session, intro_id, lock=True)
    intro.followup_sent_at = now or utcnow()
    session.flush()
    audit.record(session, actor=actor, action="intro_followup", kind="introduction", record_id=str(intro.id),
                 after={"followup_sent_at": intro.followup_sent_at.isoformat()})
    return intro
