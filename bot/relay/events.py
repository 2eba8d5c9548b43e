"""Each incoming platform event is handled once, across workers and restarts.

Slack retries an event it thinks was not answered; Teams may redeliver an
activity. The first worker to insert ``(platform, event id)`` into
``processed_events`` owns the event; every later delivery finds the row and
does nothing. Insert-or-ignore is ``ON CONFLICT DO NOTHING`` on both SQLite and
PostgreSQL, so a race between two workers is decided by the primary key, not
by a read-then-write.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.db import Database
from knowledge.models import ProcessedEvent, utcnow

MAX_EVENT_ID = 255   # the column's length; longer ids are hashed by the adapter


def claim_event(db: Database, platform: str, event_id: str) -> bool:
    """True if this call recorded the event first (handle it); False if it was seen before."""
    if not event_id or len(event_id) > MAX_EVENT_ID:
        raise ValueError(f"an event id must be 1–{MAX_EVENT_ID} characters")
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedEvent)
        .values(platform=platform, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(ProcessedEvent.event_id)  # a row back means this call inserted it (rowcount is not reliable)
    )
    with db.session() as session:
        return session.execute(statement).first() is not None


def forget_events_older_than(db: Database, days: int, *, platform: str) -> int:
    """Drop ids older than ``days`` (Slack stops retrying after about an hour)."""
    cutoff = utcnow() - timedelta(days=days)
    with db.session() as session:
        result = session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.platform == platform, ProcessedEvent.processed_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
