"""Hard filters: what is never recommended, whatever its score.

Checked against the CURRENT database rows at query time (never against what an
index remembers), so pausing an advisor or withdrawing an engineer's consent
takes effect in every worker on the very next query.

- advisor: status other than ``active``, or forgotten → never;
- engineer: ``discoverable`` false, or forgotten → never;
- engineer in the asker's own municipality (same prefecture and municipality) → never;
- technology: status other than ``active`` → never.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import RECORD_MODELS
from knowledge.municipalities import Place
from matching.types import Kind


@dataclass(frozen=True)
class Asker:
    """Who is asking: their municipality (prefectural staff: municipality == prefecture) and its place."""

    prefecture: str | None = None
    municipality: str | None = None
    place: Place | None = None


def load_rows(session: Session, kind: Kind, db_ids: Iterable[int]) -> dict[int, Any]:
    """Current rows of ``kind`` by database id (ids that no longer exist are simply absent)."""
    ids = list(dict.fromkeys(db_ids))
    if not ids:
        return {}
    model: Any = RECORD_MODELS[kind]
    rows: dict[int, Any] = {}
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(model).where(model.id.in_(ids[start : start + 500]))):
            rows[row.id] = row
    return rows


def exclusion_reason(kind: Kind, row: Any, asker: Asker) -> str | None:
    """Why ``row`` must not be recommended to ``asker``, or None when it may be."""
    if kind == "advisor":
        if row.forgotten:
            return "forgotten"
        if row.status != "active":
            return f"status {row.status}"
    elif kind == "engineer":
        if row.forgotten:
            return "forgotten"
        if not row.discoverable:
            return "not discoverable"
        if asker.prefecture and asker.municipality and (row.prefecture, row.municipality) == (
            asker.prefecture,
            asker.municipality,
        ):
            return "asker's own municipality"
    elif kind == "technology" and row.status != "active":
        return f"status {row.status}"
    return None


def recommendable(kind: Kind, row: Any, asker: Asker) -> bool:
    return exclusion_reason(kind, row, asker) is None
