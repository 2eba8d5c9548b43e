"""MLIT's precedent cases (先行事例) as reference case records.

The records in ``data/cases.json`` retell, in our own words, the cases of
MLIT's 群マネ material (source: the document title). They are upserted by id
with ``is_reference=True``; running the seed again changes nothing. When a
record does change (a new release reworded it), the case data version is
bumped so running workers rebuild their case index.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.db import bump_version
from knowledge.models import Case
from knowledge.records import CaseRecord, validate_record

CASES_FILE = Path(__file__).parent / "data" / "cases.json"


def reference_cases() -> list[CaseRecord]:
    """The shipped precedent cases, validated."""
    raw = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    return [validate_record("case", item) for item in raw]  # type: ignore[misc]


def seed_cases(session: Session) -> int:
    """Upsert the precedent cases; returns how many there are."""
    records = reference_cases()
    known = session.scalars(select(Case).where(Case.ext_id.in_([r.id for r in records])))
    existing = {row.ext_id: row for row in known}
    changed = False
    for record in records:
        row = existing.get(record.id)
        if row is None:
            session.add(record.to_row(Case(is_reference=True)))
            changed = True
        elif CaseRecord.from_row(row) != record or not row.is_reference:
            record.to_row(row)
            row.is_reference = True
            changed = True
    session.flush()
    if changed:
        bump_version(session, "case")
    return len(records)
