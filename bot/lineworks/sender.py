"""Putting engine replies into LINE WORKS: a turn's answer, or a delivery to people who are not talking now.

``post`` renders replies and sends them in order to one chat; when LINE WORKS
refuses or is down, the rest of that answer is not sent (it would come out of
order) and the loss is logged — LINE WORKS does not retry callbacks, so this
log line is the only trace. The engine has saved the turn before anything is
sent, so the conversation itself is never lost: the user's next message
continues it.

``send`` and ``send_to_secretariat`` are the platform sender the engine's
delivery layer calls (introductions, reminders, follow-ups): anything with
``replies`` and a ``language`` goes to each user's 1:1 chat with the bot, or
to each LINE WORKS member of the secretariat (``GUNMANE_SECRETARIAT_USERS``
entries written ``lineworks:<userId>``). ``make_sender`` builds it from the
settings, or gives None when LINE WORKS is not configured.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.dialogue.replies import Reply
from bot.lineworks.api import LineWorksApi, LineWorksApiError, Target
from bot.lineworks.config import lineworks_config
from bot.lineworks.render import render
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "lineworks"


class Deliverable(Protocol):
    """What the engine wants shown: its replies and their language."""

    @property
    def replies(self) -> Sequence[Reply]: ...

    @property
    def language(self) -> str: ...


class LineWorksSender:
    platform = PLATFORM

    def __init__(self, api: LineWorksApi, *, secretariat_users: Sequence[str] = ()) -> None:
        self.api = api
        prefix = PLATFORM + ":"
        self.secretariat = [entry[len(prefix):].strip() for entry in secretariat_users
                            if entry.startswith(prefix) and entry[len(prefix):].strip()]

    def post(self, target: Target, replies: Sequence[Reply], language: str, *, what: str = "reply") -> bool:
        """Send the replies to ``target``; False (logged, nothing of the text or the recipient) on failure."""
        contents = render(list(replies), language)
        for n, content in enumerate(contents, 1):
            try:
                self.api.send(target, content)
            except LineWorksApiError as exc:
                log.error("LINE WORKS %s lost: message %d of %d not delivered to a %s (%s)",
                          what, n, len(contents), target.kind, exc)
                return False
        return True

    def send(self, delivery: Deliverable, users: Sequence[str]) -> bool:
        """Show the delivery to each user in their 1:1 chat with the bot; True when every one got it."""
        sent = [self.post(Target("user", user), delivery.replies, delivery.language, what="delivery")
                for user in users]
        return bool(sent) and all(sent)

    def send_to_secretariat(self, delivery: Deliverable) -> bool:
        """To each LINE WORKS member of the secretariat; False when there is none or nobody got it."""
        return any([self.post(Target("user", user), delivery.replies, delivery.language, what="secretariat note")
                    for user in self.secretariat])


def make_sender(settings: Settings, db: Database) -> LineWorksSender | None:
    """The sender when LINE WORKS is configured (``GUNMANE_LINEWORKS_BOT_ID`` set), else None."""
    if not (settings.lineworks_bot_id or "").strip():
        return None
    return LineWorksSender(LineWorksApi(lineworks_config(settings)), secretariat_users=settings.secretariat_users)
