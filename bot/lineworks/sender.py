"""Putting engine replies into LINE WORKS: a turn's answer, a reminder, a message to anyone.

``LineWorksSender.post`` renders replies and sends them in order; when LINE
WORKS refuses or is down, the rest of that answer is not sent (it would come
out of order) and the loss is logged — LINE WORKS does not retry callbacks,
so this log line is the only trace. The engine has saved the turn before
anything is sent, so the conversation itself is never lost: the user's next
message continues it.

``send`` is the secretariat's ``Sender`` (bot/secretariat/notify.py) for
reminders to a ``lineworks:<userId>`` contact, shaped like ``SlackSender``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.dialogue.replies import Reply
from bot.lineworks.api import LineWorksApi, LineWorksApiError, Target
from bot.lineworks.render import render
from bot.secretariat.notify import Message

log = logging.getLogger(__name__)

PLATFORM = "lineworks"
RequestView = Callable[[int], list[Reply]]


class LineWorksSender:
    def __init__(self, api: LineWorksApi, *, request_view: RequestView | None = None) -> None:
        self.api = api
        self.request_view = request_view

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

    def send(self, message: Message) -> bool:
        """A reminder to the person asked, with Accept / Decline when the engine's view is wired in.

        Follow-ups stay in the outbox: their rating buttons are answered by the Slack admin
        modal only, and a LINE WORKS press would reach nobody who records it.
        """
        if message.recipient.platform != PLATFORM or not message.recipient.address:
            return False
        if message.purpose != "reminder":
            return False
        replies = list(message.replies)
        if self.request_view is not None:
            replies += self.request_view(message.intro_id)
        return self.post(Target("user", message.recipient.address), replies, "ja", what=message.purpose)
