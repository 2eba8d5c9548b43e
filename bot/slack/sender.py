"""Deliveries into Slack: a DM (one person), a group DM (several together), the secretariat channel.

``make_sender(settings, db)`` is this platform's entry in the relay's sender
registry (bot/relay/senders.py): a sender when ``SLACK_BOT_TOKEN`` is set,
so the CLI and cron jobs deliver reminders and follow-ups in Slack too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogue.replies import Delivery
from bot.relay.pages import PageStore
from bot.slack.blocks import SlackMessage, fallback, sections
from bot.slack.posting import PAGE_PREFIX, Place, Poster
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)
# conversations.open takes 1 to 8 user ids besides the bot ("too_many_users: Needs at most 8 users to open"):
# a group DM holds at most 8 people. More than that each get the delivery in their own DM.
MAX_GROUP_DM_USERS = 8


class SlackSender:
    platform = "slack"

    def __init__(self, poster: Poster, secretariat_channel: str | None) -> None:
        self.poster = poster
        self.secretariat_channel = secretariat_channel

    def open_conversation(self, users: Sequence[str]) -> str | None:
        """The DM (one user) or group DM (several) channel with the bot, or None when Slack refused."""
        try:
            response = self.poster.client.conversations_open(users=",".join(users))
        except SlackApiError as exc:
            log.error("conversations.open for %d user(s) failed: %s", len(users), exc.response.get("error"))
            return None
        return str(response["channel"]["id"])

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        if len(users) > MAX_GROUP_DM_USERS:
            return all([self.send(delivery, [user]) for user in users])
        channel = self.open_conversation(users)
        if channel is None:
            return False
        return self.poster.post_replies(Place(channel), list(delivery.replies), delivery.language)

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        if not self.secretariat_channel:
            return False
        text = delivery.text
        message = SlackMessage(text=fallback(text), blocks=sections(text))
        return self.poster.post(Place(self.secretariat_channel), message) is not None


def make_client(settings: Settings) -> WebClient | None:
    """A Web API client when a bot token is configured (base URL from settings, for the fake API)."""
    token = settings.slack_bot_token.get_secret_value().strip() if settings.slack_bot_token else ""
    if not token:
        return None
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(token=token, base_url=base_url)


def sender_for(client: WebClient, settings: Settings, db: Database) -> SlackSender:
    return SlackSender(Poster(client, PageStore(db, PAGE_PREFIX)), settings.slack_secretariat_channel)


def make_sender(settings: Settings, db: Database) -> SlackSender | None:
    """The relay registry's Slack sender, or None without ``SLACK_BOT_TOKEN``."""
    client = make_client(settings)
    return sender_for(client, settings, db) if client is not None else None
