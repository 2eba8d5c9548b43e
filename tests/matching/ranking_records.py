"""Small builders of advisor / case / engineer / training rows for the ranking tests.

Each builder adds one row and bumps the kind's database version, exactly as the
importer and the secretariat commands do, so the indexes see the change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from knowledge.db import Database, bump_version
from knowledge.models import Advisor, Case, Engineer, Introduction, Training

TODAY = date(2026, 11, 24)


def _add(db: Database, row: Any, kind: str) -> int:
    with db.session() as session:
        session.add(row)
        session.flush()
        bump_version(session, kind)
        return int(row.id)


def advisor(db: Database, ext_id: str, expertise: str, **values: Any) -> int:
    values.setdefault("name", f"相談役 {ext_id}")
    values.setdefault("contact", f"{ext_id}@example.jp")
    return _add(db, Advisor(ext_id=ext_id, expertise=expertise, **values), "advisor")


def engineer(db: Database, ext_id: str, expertise: str, prefecture: str, municipality: str, **values: Any) -> int:
    values.setdefault("name", f"技術職員 {ext_id}")
    values.setdefault("discoverable", True)
    values.setdefault("contact", f"{ext_id}@example.jp")
    row = Engineer(ext_id=ext_id, expertise=expertise, prefecture=prefecture, municipality=municipality, **values)
    return _add(db, row, "engineer")


def case(db: Database, ext_id: str, title: str, summary: str, **values: Any) -> int:
    return _add(db, Case(ext_id=ext_id, title=title, summary=summary, **values), "case")


def training(db: Database, ext_id: str, title: str, description: str, **values: Any) -> int:
    return _add(db, Training(ext_id=ext_id, title=title, description=description, **values), "training")


def set_values(db: Database, model: type, db_id: int, kind: str, *, bump: bool = True, **values: Any) -> None:
    with db.session() as session:
        row = session.get(model, db_id)
        for name, value in values.items():
            setattr(row, name, value)
        if bump:
            bump_version(session, kind)


def accepted_introduction(session: Session, advisor_id: int) -> None:
    session.add(
        Introduction(
            requester_platform="cli", requester_id="u1", target_kind="advisor", target_id=advisor_id, state="accepted",
            extra={},
        )
    )
