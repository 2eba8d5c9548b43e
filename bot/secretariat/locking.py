"""Row locks that serialise concurrent workers acting on the same introduction or advisor."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge.models import Advisor, Introduction

Row = TypeVar("Row", Introduction, Advisor)


def locked(session: Session, model: type[Row], row_id: int) -> Row | None:
    """The row, re-read and held until commit, so concurrent workers act on it one at a time.

    PostgreSQL: ``SELECT … FOR UPDATE``. SQLite ignores FOR UPDATE and would let
    two readers see the same state, so there a no-op UPDATE takes the database
    write lock first; the read that follows then sees every committed change.
    """
    query = select(model).where(model.id == row_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(model)
            .where(model.id == row_id)
            .values(updated_at=model.updated_at)
            .execution_options(synchronize_session=False)
        )
        return session.scalar(query)
    return session.scalar(query.with_for_update())
