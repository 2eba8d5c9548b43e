"""The audit log: who changed what, when, with before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    kind: str,
    record_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(actor=actor, action=action, kind=kind, record_id=record_id, before=before, after=after)
    session.add(entry)
    return entry


def history(session: Session, *, kind: str | None = None, record_id: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
    if kind:
        query = query.where(AuditEntry.kind == kind)
    if record_id:
        query = query.where(AuditEntry.record_id == record_id)
    return list(session.scalars(query))
