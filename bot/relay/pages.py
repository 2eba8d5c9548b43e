"""Later pages of long messages, kept in the database until someone asks for them.

A page is stored under a token that a "more" button carries, so any worker
can answer the press. Rows live in the ``meta`` table under
``<prefix><unix time>:<random>``, so old pages are purged with one range
delete on the key.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select

from knowledge.db import Database
from knowledge.models import Meta

KEEP_SECONDS = 14 * 24 * 3600
_TOKEN = re.compile(r"^\d{10}:[0-9a-f]{24}$")


class PageStore:
    def __init__(self, db: Database, prefix: str, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.prefix = prefix
        self.clock = clock

    def new_token(self) -> str:
        return f"{int(self.clock()):010d}:{secrets.token_hex(12)}"

    def put(self, token: str, page: dict[str, Any]) -> None:
        with self.db.session() as session:
            session.add(Meta(key=self.prefix + token, value=json.dumps(page, ensure_ascii=False)))
            cutoff = f"{self.prefix}{int(self.clock()) - KEEP_SECONDS:010d}"
            session.execute(delete(Meta).where(Meta.key.like(f"{self.prefix}%"), Meta.key < cutoff))

    def get(self, token: str) -> dict[str, Any] | None:
        """The stored page, or None for an unknown, malformed or purged token."""
        if not _TOKEN.match(token):
            return None
        with self.db.session() as session:
            value = session.scalar(select(Meta.value).where(Meta.key == self.prefix + token))
        if value is None:
            return None
        page = json.loads(value)
        return page if isinstance(page, dict) else None
