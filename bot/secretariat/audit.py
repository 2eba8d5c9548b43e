"""The audit log as the secretariat reads it: who changed what, when, before → after.

Writing is ``knowledge.audit.record``, called inside every mutating function
of this service (and by the importer in knowledge/io.py, which cannot depend
on this package); this module is the reading side for the CLI, the chat admin
and the web console.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from knowledge import audit


def entries(
    session: Session, *, kind: str | None = None, record_id: str | None = None, limit: int | None = None,
) -> list[dict[str, Any]]:
    """Audit entries oldest first (the last ``limit`` of them), as JSON-ready rows."""
    found = audit.history(session, kind=kind, record_id=record_id)
    if limit is not None:
        found = found[-limit:] if limit > 0 else []
    return [{"at": e.at.isoformat(timespec="seconds"), "actor": e.actor, "action": e.action, "kind": e.kind,
             "id": e.record_id, "before": e.before, "after": e.after} for e in found]
