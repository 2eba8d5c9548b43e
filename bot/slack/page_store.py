"""Later pages of long result lists, kept in the database until someone asks for them.

A page is stored under a token that the "more" button carries; any worker can
answer the press. Rows live in the ``meta`` table under
``slack-page:<unix time>:<random>``, so old pages can be purged with one
range delete on the key.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable

from sqlalchemy import delete, select

from bot.slack.blocks import SlackMessage
from knowledge.db import Database
from knowledge.models import Meta

PREFIX = "slack-page:"
KEEP_SECONDS = 14 * 24 * 3600
_TOKEN = re.compile(r"^\d{10}:[0-9a-f]{24}$")


class PageStore:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def new_token(self) -> str:
        return f"{int(self.clock()):010d}:{secrets.token_hex(12)}"

    def put(self, token: str, message: SlackMessage) -> None:
        value = json.dumps({"text": message.text, "blocks": message.blocks}, ensure_ascii=False)
        with self.db.session() as session:
            session.add(Meta(key=PREFIX + token, value=value))
            cutoff = f"{PREFIX}{int(self.clock()) - KEEP_SECONDS:010d}"
            session.execute(delete(Meta).where(Meta.key.like(f"{PREFIX}%"), Meta.key < cutoff))

    def get(self, token: str) -> SlackMessage | None:
        """The stored page, or None for an unknown, malformed or purged token."""
        if not _TOKEN.match(token):
            return None
        with self.db.session() as session:
            value = session.scalar(select(Meta.value).where(Meta.key == PREFIX + token))
        if value is None:
            return None
        data = json.loads(value)
        return SlackMessage(text=data["text"], blocks=data["blocks"])
