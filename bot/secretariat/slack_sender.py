"""Delivery of reminders and follow-ups as Slack direct messages.

A follow-up carries one 「回答する」 button (action id ``gm_followup``) whose
value names the introduction and the side; bot/slack/admin.py opens the
rating-and-comment modal for it. A reminder to the person asked can carry the
engine's Accept/Decline view (``request_view``) so they can answer at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.dialogue.replies import Question, Reply
from bot.secretariat.notify import FOLLOWUP_ACTION, Message
from bot.slack.blocks import escape, render_turn
from knowledge.settings import Settings

RequestView = Callable[[int], list[Reply]]


def slack_client(settings: Settings) -> WebClient | None:
    """A Web API client when a bot token is configured (base URL from settings, for the fake API)."""
    if settings.slack_bot_token is None:
        return None
    return WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url)


def followup_blocks(message: Message) -> list[dict[str, Any]]:
    text = "\n".join(escape(r.text) for r in message.replies if not isinstance(r, Question))
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}},
        {"type": "actions", "elements": [{
            "type": "button", "style": "primary", "action_id": FOLLOWUP_ACTION,
            "text": {"type": "plain_text", "text": "回答する(評価とコメント)"},
            "value": f"{FOLLOWUP_ACTION}:{message.intro_id}:{message.side}",
        }]},
    ]


class SlackSender:
    def __init__(self, client: WebClient, *, request_view: RequestView | None = None) -> None:
        self.client = client
        self.request_view = request_view

    def _dm(self, user_id: str) -> str:
        opened = self.client.conversations_open(users=[user_id])
        return str(opened["channel"]["id"])

    def send(self, message: Message) -> bool:
        if message.recipient.platform != "slack" or not message.recipient.address:
            return False
        channel = self._dm(message.recipient.address)
        if message.purpose == "followup":
            self.client.chat_postMessage(channel=channel, text=message.text, blocks=followup_blocks(message))
            return True
        replies: list[Reply] = list(message.replies)
        if self.request_view is not None:
            replies += self.request_view(message.intro_id)
        for part in render_turn(replies):
            self.client.chat_postMessage(channel=channel, **part.as_kwargs())
        return True
