"""Sending what groups and events need: invitations, answers' news, expiry, reminders, adoption questions.

Called alike by the CLI (`gunmane groups invite`, `groups answer`, `events invite`) and by the
scheduler's jobs (bot/scheduler/jobs.py). Each asks the secretariat service what to do, has
the engine compose the deliveries (bot/dialogue/group_deliveries.py, event_deliveries.py),
hands them to the senders — the outbox for everyone no chat platform reaches, vendors always —
and, for the scheduled sends, marks each participant once: a second run finds nothing due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.dialogue.replies import Notice
from bot.relay.dispatch import DeliveryReport, Dispatcher, OutboxEntry
from bot.relay.senders import SenderRegistry
from bot.secretariat import event_schedule, events, group_consent
from knowledge.db import Database
from knowledge.models import utcnow
from knowledge.settings import Settings


@dataclass
class GroupSendReport:
    purpose: str
    subject_ids: list[int] = field(default_factory=list)     # members or participants
    delivered: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def outbox(self) -> list[OutboxEntry]:
        return self.delivered.outbox


def send_group_invitations(db: Database, senders: SenderRegistry, group_id: int | str, *, actor: str,
                           now: datetime | None = None) -> tuple[list[group_consent.GroupInvitation], DeliveryReport]:
    """Invite every member not invited yet: each of its engineers gets the invitation in chat or by mail."""
    with db.session() as session:
        invitations = group_consent.invite(session, group_id, actor=actor, now=now)
    report = Dispatcher(db, senders).notify(Notice("group_invitation", inv.member_id) for inv in invitations)
    return invitations, report


def answer_group_invitation(db: Database, senders: SenderRegistry, group_id: int | str, member: int | str,
                            answer: str, *, actor: str, person: int | None = None) -> tuple[str, DeliveryReport]:
    """An answer the secretariat received by mail or phone: recorded, then told as a chat answer would be."""
    with db.session() as session:
        row = group_consent.answer_invitation(session, group_id, member, answer, actor=actor, person=person)
        member_id, state = row.id, row.state
    notice = Notice("group_joined" if answer == "accept" else "group_declined", member_id)
    return state, Dispatcher(db, senders).notify([notice])


def send_event_invitations(db: Database, senders: SenderRegistry, event_id: int | str, *, actor: str,
                           now: datetime | None = None) -> tuple[events.EventInvitations, DeliveryReport]:
    """Invite the accepted members (chat, or mail) and the vendors (always mail, through the outbox)."""
    with db.session() as session:
        sent = events.event_invitations(session, event_id, actor=actor, now=now)
    notices = [Notice("event_invitation", m.participant_id) for m in sent.members]
    notices += [Notice("event_vendor_invitation", v.item_id) for v in sent.vendors]
    return sent, Dispatcher(db, senders).notify(notices)


def expire_group_invitations(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str = "system",
                             days: int | None = None, now: datetime | None = None) -> GroupSendReport:
    """Invitations unanswered for ``days`` (GUNMANE_GROUP_INVITATION_DAYS) become no_answer; the secretariat hears."""
    report = GroupSendReport("group expiry")
    with db.session() as session:
        report.subject_ids = group_consent.expire_invitations(
            session, days=days or settings.group_invitation_days, now=now, actor=actor)
    report.delivered = Dispatcher(db, senders).notify(Notice("group_no_answer", i) for i in report.subject_ids)
    return report


def send_event_reminders(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str = "system",
                         now: datetime | None = None) -> GroupSendReport:
    """The day before an event, every participant who said 参加 gets it again (once)."""
    today = event_schedule.local_date(now or utcnow(), settings.scheduler_timezone)
    return _send_due(db, senders, "event reminder", "event_reminder",
                     lambda session: event_schedule.due_reminders(session, today=today),
                     lambda session, pid: event_schedule.mark_reminded(session, pid, actor=actor, now=now))


def send_adoption_questions(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str = "system",
                            now: datetime | None = None) -> GroupSendReport:
    """After an event, every participant who attended is asked, per technology, about adopting it together (once)."""
    today = event_schedule.local_date(now or utcnow(), settings.scheduler_timezone)
    return _send_due(db, senders, "adoption question", "event_adoption",
                     lambda session: event_schedule.due_adoption_questions(session, today=today),
                     lambda session, pid: event_schedule.mark_adoption_asked(session, pid, actor=actor, now=now))


def _send_due(db: Database, senders: SenderRegistry, purpose: str, event: str,
              due: Callable[[Session], list[int]], mark: Callable[[Session, int], None]) -> GroupSendReport:
    report = GroupSendReport(purpose)
    dispatcher = Dispatcher(db, senders)
    with db.session() as session:
        report.subject_ids = due(session)
    for participant_id in report.subject_ids:
        report.delivered.extend(dispatcher.notify([Notice(event, participant_id)]))
        with db.session() as session:
            mark(session, participant_id)
    return report
