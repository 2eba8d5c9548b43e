"""What is due around an event: the day-before reminder and, after the date, the adoption question.

The scheduler's jobs (bot/scheduler/jobs.py → bot/relay/group_jobs.py) ask these, have the
engine compose the messages, send them and mark each participant — once: a second run finds
nothing due. Only participants who said 参加 are reminded and asked, and only while one of
their body's engineers still accepts the group (consent can be withdrawn at any time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.events import KIND
from bot.secretariat.group_people import consenting
from knowledge import audit
from knowledge.models import AdoptionAnswer, EventParticipant, EventTechnology, GroupMember, TechEvent, utcnow
from knowledge.schedules import parse_timezone

REMIND_DAYS_BEFORE = 1


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar day of ``moment`` where the events happen (event dates are local; clocks are UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(parse_timezone(timezone)).date()


def _attending(session: Session) -> list[tuple[EventParticipant, TechEvent]]:
    rows = session.execute(select(EventParticipant, TechEvent)
                           .join(TechEvent, EventParticipant.event_id == TechEvent.id)
                           .where(EventParticipant.rsvp == "attending").order_by(EventParticipant.id))
    out = []
    for participant, event in rows.tuples():
        member = session.get(GroupMember, participant.member_id)
        if member is not None and consenting(session, member):
            out.append((participant, event))
    return out


def due_reminders(session: Session, *, today: date) -> list[int]:
    """Participants (ids) of an event tomorrow — or today, when yesterday's run was missed — not reminded yet."""
    last = today + timedelta(days=REMIND_DAYS_BEFORE)
    return [p.id for p, event in _attending(session) if p.reminded_at is None and today <= event.held_on <= last]


def unanswered_technologies(session: Session, participant: EventParticipant) -> list[EventTechnology]:
    """The event's technologies this participant has not answered 共同導入を検討したい / 見送る for yet."""
    answered = set(session.scalars(select(AdoptionAnswer.technology_id).where(
        AdoptionAnswer.event_id == participant.event_id, AdoptionAnswer.member_id == participant.member_id)))
    event = session.get_one(TechEvent, participant.event_id)
    return [item for item in event.technologies if item.technology_id not in answered]


def due_adoption_questions(session: Session, *, today: date) -> list[int]:
    """Participants (ids) of an event that is over, not asked yet, with a technology left to answer."""
    return [p.id for p, event in _attending(session)
            if p.adoption_asked_at is None and event.held_on < today and unanswered_technologies(session, p)]


def mark_reminded(session: Session, participant_id: int, *, actor: str, now: datetime | None = None) -> None:
    participant = session.get_one(EventParticipant, participant_id)
    participant.reminded_at = now or utcnow()
    audit.record(session, actor=actor, action="remind", kind=KIND, record_id=str(participant.event_id),
                 after={"member": participant.member_id})


def mark_adoption_asked(session: Session, participant_id: int, *, actor: str, now: datetime | None = None) -> None:
    participant = session.get_one(EventParticipant, participant_id)
    participant.adoption_asked_at = now or utcnow()
    audit.record(session, actor=actor, action="ask_adoption", kind=KIND, record_id=str(participant.event_id),
                 after={"member": participant.member_id})
