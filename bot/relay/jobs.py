"""The secretariat's scheduled sends: expiry news, reminders and follow-ups (cron or `gunmane intros …`).

Each job asks the secretariat service what is due, has the engine compose
the deliveries, hands them to the senders (the outbox for everyone no sender
reaches), and marks each introduction done — once: a second run finds
nothing due. A dry run composes and marks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from bot.dialogue.deliveries import compose
from bot.dialogue.replies import Notice
from bot.relay.dispatch import DeliveryReport, Dispatcher, OutboxEntry
from bot.relay.senders import SenderRegistry
from bot.secretariat import introductions, reminders
from knowledge.db import Database
from knowledge.models import Introduction
from knowledge.settings import Settings

Purpose = Literal["reminder", "followup"]


@dataclass
class JobReport:
    purpose: str
    intro_ids: list[int] = field(default_factory=list)
    delivered: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def outbox(self) -> list[OutboxEntry]:
        return self.delivered.outbox


def expire(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str, days: int | None = None,
           now: datetime | None = None) -> JobReport:
    """Expire requests nobody answered in time, then tell each requester (and the secretariat)."""
    report = JobReport("expiry")
    with db.session() as session:
        report.intro_ids = introductions.expire_overdue(session, days=days or settings.intro_expire_days,
                                                        actor=actor, now=now)
    report.delivered = Dispatcher(db, senders).notify(Notice("intro_expired", i) for i in report.intro_ids)
    return report


def send_reminders(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str = "system",
                   now: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Remind every person whose request waits ``intro_reminder_days``; each only once."""
    days = settings.intro_reminder_days
    return _send_due(
        db, senders, "reminder", dry_run=dry_run,
        due=lambda session: reminders.due_reminders(session, days=days, now=now),
        mark=lambda session, intro_id: reminders.mark_reminded(session, intro_id, actor=actor, now=now),
    )


def send_followups(db: Database, settings: Settings, senders: SenderRegistry, *, actor: str = "system",
                   now: datetime | None = None, dry_run: bool = False) -> JobReport:
    """Ask both sides whether it helped, ``intro_followup_days`` after acceptance; each only once."""
    days = settings.intro_followup_days
    return _send_due(
        db, senders, "followup", dry_run=dry_run,
        due=lambda session: reminders.due_followups(session, days=days, now=now),
        mark=lambda session, intro_id: reminders.mark_followup_sent(session, intro_id, actor=actor, now=now),
    )


def _send_due(
    db: Database, senders: SenderRegistry, purpose: Purpose, *, dry_run: bool,
    due: Callable[[Session], Sequence[Introduction]], mark: Callable[[Session, int], object],
) -> JobReport:
    report = JobReport(purpose)
    dispatcher = Dispatcher(db, senders)
    with db.session() as session:
        report.intro_ids = [intro.id for intro in due(session)]
    for intro_id in report.intro_ids:
        with db.session() as session:
            deliveries = compose(session, Notice(f"intro_{purpose}", intro_id))
        if dry_run:
            report.delivered.outbox += [OutboxEntry(d, d.recipients) for d in deliveries]
            continue
        dispatcher.deliver(deliveries, report.delivered)
        with db.session() as session:
            mark(session, intro_id)
    return report
