"""Posting rendered replies into Slack: short texts joined, long result lists paged behind 続きを見る."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogue.replies import Card, Question, Reply, ResultList, Text
from bot.relay.pages import PageStore
from bot.slack.blocks import MAX_BLOCKS, MAX_FALLBACK_TEXT, SlackMessage, clip, render, with_more_button

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a conversation's replies go: a channel (DM) or a thread in a channel."""

    channel: str
    thread_ts: str | None = None


PAGE_PREFIX = "slack-page:"


class Poster:
    """Posts rendered replies; later pages of long result lists wait in the database for their button."""

    def __init__(self, client: WebClient, pages: PageStore) -> None:
        self.client = client
        self.pages = pages

    def stored_page(self, token: str) -> SlackMessage | None:
        page = self.pages.get(token)
        if page is None:
            return None
        return SlackMessage(text=str(page.get("text") or " "), blocks=list(page.get("blocks") or []))

    def post(self, place: Place, message: SlackMessage) -> str | None:
        """Post one message; the new message's ts, or None when Slack refused (logged)."""
        try:
            response = self.client.chat_postMessage(
                channel=place.channel, thread_ts=place.thread_ts, unfurl_links=False, unfurl_media=False,
                **message.as_kwargs(),
            )
        except SlackApiError as exc:
            log.error("chat.postMessage to %s failed: %s", place.channel, exc.response.get("error"))
            return None
        return str(response.get("ts"))

    def update(self, place: Place, ts: str, message: SlackMessage) -> bool:
        try:
            self.client.chat_update(channel=place.channel, ts=ts, **message.as_kwargs())
        except SlackApiError as exc:
            log.error("chat.update in %s failed: %s", place.channel, exc.response.get("error"))
            return False
        return True

    def messages(self, replies: list[Reply], language: str) -> list[SlackMessage]:
        """The messages to post for ``replies``; later pages of long result lists are stored, not posted.

        Short texts and the question or card after them share one message (one notification, not four).
        """
        out: list[SlackMessage] = []
        joinable = False  # the last message holds only texts, so a text or a question may join it
        for reply in replies:
            rendered = render(reply, language)
            if isinstance(reply, ResultList) and len(rendered) > 1:
                rendered = [self._chain(rendered, language)]
            if (joinable and len(rendered) == 1 and isinstance(reply, (Text, Question, Card))
                    and len(out[-1].blocks) + len(rendered[0].blocks) <= MAX_BLOCKS):
                last = out[-1]
                out[-1] = SlackMessage(clip(f"{last.text} {rendered[0].text}", MAX_FALLBACK_TEXT),
                                       last.blocks + rendered[0].blocks)
            else:
                out += rendered
            joinable = isinstance(reply, Text) and len(rendered) == 1
        return out

    def _chain(self, pages: list[SlackMessage], language: str) -> SlackMessage:
        """Store pages 2… each with a "more" button to the next; return page 1 with its button."""
        tokens = [self.pages.new_token() for _ in pages[1:]]
        linked = [with_more_button(page, tokens[n], language) if n < len(tokens) else page
                  for n, page in enumerate(pages)]
        for token, page in zip(tokens, linked[1:], strict=True):
            self.pages.put(token, page.as_kwargs())
        return linked[0]

    def post_replies(self, place: Place, replies: list[Reply], language: str, *, replace_ts: str | None = None) -> bool:
        """Post a turn's replies (the first replaces ``replace_ts``, the "working on it" note); False if any failed."""
        posted = True
        for n, message in enumerate(self.messages(replies, language)):
            if n == 0 and replace_ts is not None and self.update(place, replace_ts, message):
                continue
            posted = self.post(place, message) is not None and posted
        return posted
