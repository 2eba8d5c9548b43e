"""Carrying the engine's deliveries to the platforms: notices → deliveries → senders.

    report = Dispatcher(db, senders).notify(turn_notices)

Each delivery goes to every recipient's platform sender (several recipients
on one platform together), ``Secretariat`` to every sender's secretariat
place, ``Outbox`` to the report for the secretariat to send by mail. A
recipient no sender reaches (no sender for that platform, the person not
reachable, the platform down) lands in the outbox too. Then the delivery's
``reached`` or ``unreached`` follow-ups go the same way. Logs name the notice
and the platform, never a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.dialogue.deliveries import compose
from bot.dialogue.replies import ChatUser, Delivery, Notice, Outbox, Recipient, Secretariat
from bot.relay.senders import SenderRegistry
from knowledge.db import Database
from knowledge.errors import GunmaneError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxEntry:
    """A delivery some of whose recipients the secretariat must reach itself."""

    delivery: Delivery
    recipients: tuple[Recipient, ...]


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    outbox: list[OutboxEntry] = field(default_factory=list)
    notes: list[Delivery] = field(default_factory=list)   # secretariat notes no platform took (the CLI prints them)

    def extend(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.outbox += other.outbox
        self.notes += other.notes


class Dispatcher:
    def __init__(self, db: Database, senders: SenderRegistry) -> None:
        self.db = db
        self.senders = senders

    def notify(self, notices: Iterable[Notice]) -> DeliveryReport:
        """Compose and deliver the deliveries of each notice; a notice that cannot be composed is logged."""
        report = DeliveryReport()
        for notice in notices:
            try:
                with self.db.session() as session:
                    deliveries = compose(session, notice)
            except GunmaneError as exc:  # e.g. the introduction changed state in between: the turn stands
                log.warning("notice %s #%s not delivered: %s", notice.event, notice.subject_id, exc)
                continue
            self.deliver(deliveries, report)
        return report

    def deliver(self, deliveries: Iterable[Delivery], report: DeliveryReport | None = None) -> DeliveryReport:
        report = report if report is not None else DeliveryReport()
        for delivery in deliveries:
            self._deliver(delivery, report)
        return report

    def _deliver(self, delivery: Delivery, report: DeliveryReport) -> None:
        missed = self._to_people(delivery)
        if missed:
            report.outbox.append(OutboxEntry(delivery, tuple(missed)))
        elif any(isinstance(r, Secretariat) for r in delivery.recipients) and not self._to_secretariat(delivery):
            report.notes.append(delivery)
        else:
            report.sent.append(delivery)
        log.info("notice %s #%s: %s delivery %s", delivery.notice.event, delivery.notice.subject_id,
                 delivery.role or "a", "left in the outbox" if missed else "done")
        for follow in delivery.unreached if missed else delivery.reached:
            self._deliver(follow, report)

    def _to_people(self, delivery: Delivery) -> list[Recipient]:
        """Send to the chat users (per platform, together); the recipients nobody reached."""
        missed: list[Recipient] = [r for r in delivery.recipients if isinstance(r, Outbox)]
        by_platform: dict[str, list[ChatUser]] = {}
        for recipient in delivery.recipients:
            if isinstance(recipient, ChatUser):
                by_platform.setdefault(recipient.platform, []).append(recipient)
        for platform, users in by_platform.items():
            sender = self.senders.get(platform)
            if sender is None or not _attempt(delivery, platform, sender.send, [u.user_id for u in users]):
                missed += users
        return missed

    def _to_secretariat(self, delivery: Delivery) -> bool:
        """Post to the secretariat's place on every platform that has one; whether any took it."""
        posted = [_attempt(delivery, s.platform, s.send_to_secretariat) for s in self.senders.all()]
        return any(posted)


def _attempt(delivery: Delivery, platform: str, send: Callable[..., bool], *args: object) -> bool:
    try:
        return bool(send(delivery, *args))
    except Exception as exc:  # one unreachable person must not stop the others
        log.warning("notice %s #%s: the %s sender failed (%s)", delivery.notice.event, delivery.notice.subject_id,
                    platform, type(exc).__name__)
        return False
