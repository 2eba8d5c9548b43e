"""Reminders and follow-ups of introductions: what to say, to whom, and delivery.

``knowledge.introductions`` decides what is due; this module writes the
messages (platform-neutral replies, Japanese) and hands them to a sender per
platform. A recipient a chat platform cannot reach (an e-mail contact, a
terminal user) lands in the *outbox*: the command line lists it for the
secretariat to send by mail, and records an answer with
``gunmane intros feedback``.

Follow-up answers come back in Slack through the ``gm_followup`` button and
modal (bot/slack/admin.py); elsewhere the secretariat enters them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from bot.dialogue.replies import Choice, Question, Reply, Text
from knowledge import introductions as intros
from knowledge.db import Database
from knowledge.models import Advisor, Consultation, Engineer, Introduction
from knowledge.settings import Settings

log = logging.getLogger(__name__)

Purpose = Literal["reminder", "followup"]
Side = Literal["requester", "target"]
SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
FOLLOWUP_ACTION = "gm_followup"   # Slack action id prefix of the 「回答する」 button


@dataclass(frozen=True)
class Recipient:
    platform: str | None     # "slack", "teams", or None: the secretariat sends it by mail
    address: str | None      # chat user id, or e-mail / free contact text for the outbox


@dataclass(frozen=True)
class Message:
    intro_id: int
    purpose: Purpose
    side: Side
    recipient: Recipient
    replies: tuple[Reply, ...]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies if isinstance(r, Text | Question))


class Sender(Protocol):
    """Delivers a message on one platform; returns False when it could not."""

    def send(self, message: Message) -> bool: ...


@dataclass
class DeliveryReport:
    purpose: Purpose
    sent: list[Message] = field(default_factory=list)
    outbox: list[Message] = field(default_factory=list)   # for the secretariat to send by hand
    intro_ids: list[int] = field(default_factory=list)


def recipient_for_contact(contact: str | None) -> Recipient:
    """Where a target's contact points: a Slack user id, a Teams user, or the secretariat's mail."""
    if contact and SLACK_USER.match(contact):
        return Recipient("slack", contact)
    if contact and contact.startswith("teams:"):
        return Recipient("teams", contact.removeprefix("teams:"))
    return Recipient(None, contact)


def _target(session: Session, intro: Introduction) -> Advisor | Engineer | None:
    model = Advisor if intro.target_kind == "advisor" else Engineer
    return session.get(model, intro.target_id)


def _place(session: Session, intro: Introduction) -> str:
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    if consultation and consultation.municipality:
        return f"{consultation.prefecture or ''}{consultation.municipality}"
    return "自治体の技術者"


def requester_recipient(intro: Introduction) -> Recipient:
    if intro.requester_platform in ("slack", "teams"):
        return Recipient(intro.requester_platform, intro.requester_id)
    return Recipient(None, f"{intro.requester_platform}:{intro.requester_id}")


def reminder_message(session: Session, intro: Introduction, *, days: int) -> Message | None:
    target = _target(session, intro)
    if target is None or target.forgotten:
        return None
    text = (
        f"【リマインド】{_place(session, intro)}からの紹介依頼 (#{intro.id}) に、まだお返事をいただいていません。"
        f"依頼から{days}日以上たっています。お引き受けいただけるか、難しい場合はお断りをお知らせください。"
    )
    return Message(intro.id, "reminder", "target", recipient_for_contact(target.contact), (Text(text),))


def followup_messages(session: Session, intro: Introduction, *, days: int) -> list[Message]:
    target = _target(session, intro)
    question = "5段階でお答えください(5: とても役に立った 〜 1: 役に立たなかった)。ひとことコメントもお寄せください。"
    messages = []
    for side, recipient, who in (
        ("requester", requester_recipient(intro), "ご紹介した方"),
        ("target", recipient_for_contact(target.contact if target and not target.forgotten else None),
         f"{_place(session, intro)}の方"),
    ):
        choices = tuple(Choice(str(n), f"{FOLLOWUP_ACTION}:{intro.id}:{side}:{n}") for n in range(5, 0, -1))
        replies: tuple[Reply, ...] = (
            Text(f"紹介 (#{intro.id}) から{days}日ほどたちました。{who}とのやり取りはお役に立ちましたか?"),
            Question(question, choices, free_text_hint="コメント"),
        )
        messages.append(Message(intro.id, "followup", side, recipient, replies))  # type: ignore[arg-type]
    return messages


def _deliver(messages: list[Message], senders: dict[str, Sender], report: DeliveryReport) -> None:
    for message in messages:
        sender = senders.get(message.recipient.platform or "")
        delivered = False
        if sender is not None:
            try:
                delivered = sender.send(message)
            except Exception as exc:  # one unreachable user must not stop the batch
                log.warning("introduction %s: %s delivery failed (%s)", message.intro_id, message.purpose,
                            type(exc).__name__)
        (report.sent if delivered else report.outbox).append(message)
        log.info("introduction %s: %s to the %s %s", message.intro_id, message.purpose, message.side,
                 "sent" if delivered else "left in the outbox")


def send_reminders(
    db: Database, settings: Settings, senders: dict[str, Sender], *, now: datetime | None = None,
    dry_run: bool = False,
) -> DeliveryReport:
    """Remind every target whose request waits ``intro_reminder_days``; each only once."""
    days = settings.intro_reminder_days

    def compose(session: Session, intro: Introduction) -> list[Message]:
        message = reminder_message(session, intro, days=days)
        return [message] if message is not None else []

    return _send_due(
        db, "reminder", senders, dry_run=dry_run, compose=compose,
        due=lambda session: intros.due_reminders(session, days=days, now=now),
        mark=lambda session, intro_id: intros.mark_reminded(session, intro_id, now=now),
    )


def send_followups(
    db: Database, settings: Settings, senders: dict[str, Sender], *, now: datetime | None = None,
    dry_run: bool = False,
) -> DeliveryReport:
    """Ask both sides whether it helped, ``intro_followup_days`` after acceptance; each only once."""
    days = settings.intro_followup_days
    return _send_due(
        db, "followup", senders, dry_run=dry_run,
        compose=lambda session, intro: followup_messages(session, intro, days=days),
        due=lambda session: intros.due_followups(session, days=days, now=now),
        mark=lambda session, intro_id: intros.mark_followup_sent(session, intro_id, now=now),
    )


def _send_due(
    db: Database,
    purpose: Purpose,
    senders: dict[str, Sender],
    *,
    dry_run: bool,
    due: Callable[[Session], Iterable[Introduction]],
    compose: Callable[[Session, Introduction], list[Message]],
    mark: Callable[[Session, int], object],
) -> DeliveryReport:
    """Compose and deliver the messages of every due introduction, then mark it (not on a dry run)."""
    report = DeliveryReport(purpose)
    with db.session() as session:
        for intro in due(session):
            messages = compose(session, intro)
            report.intro_ids.append(intro.id)
            if dry_run:
                report.outbox.extend(messages)
                continue
            _deliver(messages, senders, report)
            mark(session, intro.id)
    return report


def parse_followup_value(value: str) -> tuple[int, Side, int | None] | None:
    """``gm_followup:ID:SIDE[:RATING]`` → (intro id, side, rating); None when malformed."""
    parts = value.split(":")
    if len(parts) not in (3, 4) or parts[0] != FOLLOWUP_ACTION or parts[2] not in ("requester", "target"):
        return None
    try:
        rating = int(parts[3]) if len(parts) == 4 else None
        return int(parts[1]), parts[2], rating  # type: ignore[return-value]
    except ValueError:
        return None


def may_answer(session: Session, intro: Introduction, side: Side, platform: str, user_id: str) -> bool:
    """Only the person a follow-up was sent to may answer it."""
    if side == "requester":
        return (intro.requester_platform, intro.requester_id) == (platform, user_id)
    target = _target(session, intro)
    return target is not None and recipient_for_contact(target.contact) == Recipient(platform, user_id)

