"""The mail outbox: messages for people the bot cannot reach in chat.

gunmane sends no e-mail itself. What an applicant, an organiser, a site-visit host or a
visitor must be told (an application certified, a submission published, a visit confirmed)
is queued here; the secretariat sends it from its own mail and marks it sent in the console.
Message bodies are never logged.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import audit
from knowledge.errors import ConflictError, NotFound
from knowledge.models import utcnow
from knowledge.web_models import OutboxMessage


def queue(session: Session, *, address: str, subject: str, body: str, purpose: str,
          related: str | None = None) -> OutboxMessage:
    message = OutboxMessage(address=address, subject=subject, body=body, purpose=purpose, related=related)
    session.add(message)
    session.flush()
    return message


def pending(session: Session) -> list[OutboxMessage]:
    """Messages not yet sent, oldest first."""
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id)))


def recent_sent(session: Session, limit: int = 50) -> list[OutboxMessage]:
    return list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_not(None))
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc()).limit(limit)))


def scrub(session: Session, secrets: list[str]) -> int:
    """Remove every copy of ``secrets`` (an erased person's name, contact …) from the messages; returns how many
    messages changed."""
    from bot.secretariat.erasure import scrub_value  # erasure calls this module: imported when used

    changed = 0
    if not secrets:
        return changed
    for message in session.scalars(select(OutboxMessage)):
        old = [message.address, message.subject, message.body]
        new = scrub_value(old, secrets)
        if new != old:
            message.address, message.subject, message.body = new
            changed += 1
    return changed


def mark_sent(session: Session, message_id: int, *, actor: str) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"No outbox message {message_id}.")
    if message.sent_at is not None:
        raise ConflictError(f"Outbox message {message_id} was already marked sent by {message.sent_by}.")
    message.sent_at = utcnow()
    message.sent_by = actor
    session.flush()
    audit.record(session, actor=actor, action="outbox_sent", kind="outbox", record_id=str(message_id),
                 after={"purpose": message.purpose, "related": message.related})
    return message
