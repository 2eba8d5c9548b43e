"""Each Slack event id is handled once, across workers and restarts.

The first worker to insert the id into ``processed_events`` owns the event;
every later delivery (Slack's retries, another worker, a restarted process)
finds the row and does nothing. Insert-or-ignore is ``ON CONFLICT DO NOTHING``
on both SQLite and PostgreSQL, so a race between two workers is decided by
the primary key, not by a read-then-write.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.db import Database
from knowledge.models import ProcessedEvent, utcnow


def claim_event(db: Database, event_id: str, *, platform: str = "slack") -> bool:
    """True if this call recorded ``event_id`` first (handle it); False if it was seen before."""
    dialect = db.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ProcessedEvent)
        .values(platform=platform, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(ProcessedEvent.event_id)  # a row back means this call inserted it (rowcount is not reliable)
    )
    with db.session() as session:
        return session.execute(statement).first() is not None


def forget_events_older_than(db: Database, days: int, *, platform: str = "slack") -> int:
    """Drop ids older than ``days`` (Slack stops retrying after about an hour)."""
    cutoff = utcnow() - timedelta(days=days)
    with db.session() as session:
        result = session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.platform == platform, ProcessedEvent.processed_at < cutoff)
        )
        return int(result.rowcount or 0)
