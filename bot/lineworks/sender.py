"""Engine replies into LINE WORKS chats. When LINE WORKS refuses or is down, the rest of an answer is not
sent (it would come out of order) and the loss is logged: LINE WORKS does not retry callbacks, and the
turn itself is saved, so the next message carries on. ``send`` / ``send_to_secretariat`` are the
platform sender of the engine's delivery layer (``lineworks:<userId>`` in GUNMANE_SECRETARIAT_USERS)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.dialogue.replies import Delivery, Reply
from bot.lineworks.api import LineWorksApi, LineWorksApiError, Target
from bot.lineworks.config import lineworks_config
from bot.lineworks.render import render
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)

PLATFORM = "lineworks"


class LineWorksSender:
    platform = PLATFORM

    def __init__(self, api: LineWorksApi, *, secretariat_users: Sequence[str] = ()) -> None:
        self.api = api
        self.secretariat = [entry.removeprefix(f"{PLATFORM}:").strip() for entry in secretariat_users
                            if entry.startswith(f"{PLATFORM}:") and entry.removeprefix(f"{PLATFORM}:").strip()]

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

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        """Show the delivery to each user in their 1:1 chat with the bot; True when every one got it."""
        sent = [self.post(Target("user", u), delivery.replies, delivery.language, what="delivery") for u in users]
        return bool(sent) and all(sent)

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        """To each LINE WORKS member of the secretariat; False when there is none or nobody got it."""
        return any([self.post(Target("user", user), delivery.replies, delivery.language, what="secretariat note")
                    for user in self.secretariat])


def make_sender(settings: Settings, db: Database) -> LineWorksSender | None:
    """The sender when LINE WORKS is configured (``GUNMANE_LINEWORKS_BOT_ID`` set), else None."""
    if not (settings.lineworks_bot_id or "").strip():
        return None
    return LineWorksSender(LineWorksApi(lineworks_config(settings)), secretariat_users=settings.secretariat_users)
