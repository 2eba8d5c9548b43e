"""What people hear of a console action: the engine's deliveries, carried by the relay.

The console does what the CLI does after a change: it hands the notice to the relay's
``Dispatcher`` over the senders the settings configure (``configured_senders``: Slack,
Teams, LINE WORKS), and the scheduled jobs run through ``bot.relay.jobs``. Where the CLI
prints the deliveries no chat platform reached, the console queues them in the mail
outbox (``/admin/outbox``), one message per person, for the secretariat to send.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.dialogue.replies import ChatUser, Notice, Outbox, Recipient
from bot.relay.dispatch import DeliveryReport, Dispatcher, OutboxEntry
from bot.relay.senders import SenderRegistry, configured_senders
from bot.secretariat import outbox
from bot.web.i18n import translate
from bot.web.state import WebState

SUBJECT_KEYS = {   # notice event → the subject line of its mail (web texts, Japanese: the mail is the secretariat's)
    "intro_requested": "mail.subject.intro_requested",
    "intro_accepted": "mail.subject.intro_accepted",
    "intro_declined": "mail.subject.intro_declined",
    "intro_expired": "mail.subject.intro_expired",
    "intro_reminder": "mail.subject.intro_reminder",
    "intro_followup": "mail.subject.intro_followup",
    "supporter_certified": "mail.subject.supporter_certified",
    "supporter_rejected": "mail.subject.supporter_rejected",
    "profile_link": "mail.subject.profile_link",
    "submission_approved": "mail.subject.submission_approved",
    "submission_rejected": "mail.subject.submission_rejected",
    "host_published": "mail.subject.host_published",
    "visit_confirmed": "mail.subject.visit_confirmed",
    "visit_declined": "mail.subject.visit_declined",
    "group_invitation": "mail.subject.group_invitation",
    "group_joined": "mail.subject.group_joined",
    "event_invitation": "mail.subject.event_invitation",
    "event_vendor_invitation": "mail.subject.event_vendor_invitation",
    "event_reminder": "mail.subject.event_reminder",
    "event_adoption": "mail.subject.event_adoption",
}
DEFAULT_SUBJECT = "mail.subject.notice"


def senders(web: WebState) -> SenderRegistry:
    """The chat senders the settings configure, built once per process (they hold API clients)."""
    cached = web.caches.get("senders")
    if cached is None:
        cached = web.caches.setdefault("senders", configured_senders(web.settings, web.db))
    return cached  # type: ignore[no-any-return]


def notify(web: WebState, notices: Iterable[Notice]) -> DeliveryReport:
    """Deliver the notices as the CLI does; what chat missed goes to the mail outbox."""
    report = Dispatcher(web.db, senders(web)).notify(notices)
    queue_undelivered(web, report.outbox)
    return report


def queue_undelivered(web: WebState, entries: Iterable[OutboxEntry]) -> int:
    """One outbox message per person no chat platform reached; returns how many were queued."""
    queued = 0
    with web.db.session() as session:
        for entry in entries:
            delivery = entry.delivery
            notice = delivery.notice
            subject = translate("ja", SUBJECT_KEYS.get(notice.event, DEFAULT_SUBJECT), number=notice.subject_id)
            for recipient in entry.recipients:
                outbox.queue(session, address=address_of(recipient), subject=subject, body=delivery.text,
                             purpose=notice.event[:32], related=f"{_subject_kind(notice)}:{notice.subject_id}")
                queued += 1
    return queued


def address_of(recipient: Recipient) -> str:
    """Where the secretariat writes to: the contact on record, or the chat user no sender reached."""
    if isinstance(recipient, Outbox):
        return recipient.contact or ""
    if isinstance(recipient, ChatUser):
        return recipient.as_contact()
    return ""


_RELATED = {"intro": "introduction", "supporter": "supporter_application", "profile": "engineer",
            "group": "group_member", "event": "event_participant", "submission": "training_submission",
            "visit": "visit_request", "host": "visit_host"}
_RELATED_EVENTS = {"event_vendor_invitation": "event_technology", "event_adoption_answer": "adoption_answer"}


def _subject_kind(notice: Notice) -> str:
    """What ``related`` names (``introduction:12``, ``supporter_application:3``, ``engineer:7``, ``group_member:2``)."""
    if notice.event in _RELATED_EVENTS:
        return _RELATED_EVENTS[notice.event]
    prefix = notice.event.split("_", 1)[0]
    return _RELATED.get(prefix, prefix)
