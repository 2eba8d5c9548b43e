"""Posting engine turns into Slack: pages, "working on it", one turn per conversation at a time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogue.replies import Card, Question, Reply, ResultList, Text
from bot.slack.blocks import MAX_BLOCKS, MAX_FALLBACK_TEXT, SlackMessage, clip, render, with_more_button
from bot.slack.page_store import PageStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a conversation's replies go: a channel (DM) or a thread in a channel."""

    channel: str
    thread_ts: str | None = None


class Poster:
    def __init__(self, client: WebClient, pages: PageStore) -> None:
        self.client = client
        self.pages = pages

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
        for token, page in zip(tokens, linked[1:]):
            self.pages.put(token, page)
        return linked[0]

    def post_replies(self, place: Place, replies: list[Reply], language: str, *, replace_ts: str | None = None) -> None:
        """Post a turn's replies; the first one replaces ``replace_ts`` (the "working on it" note)."""
        messages = self.messages(replies, language)
        for n, message in enumerate(messages):
            if n == 0 and replace_ts is not None and self.update(place, replace_ts, message):
                continue
            self.post(place, message)


class WorkingNotice:
    """Posts "working on it" if the work takes longer than ``delay`` seconds (at once when 0)."""

    def __init__(self, post: Callable[[], str | None], delay: float) -> None:
        self._post = post
        self._delay = delay
        self._lock = threading.Lock()
        self._done = False
        self._timer: threading.Timer | None = None
        self.ts: str | None = None

    def _fire(self) -> None:
        with self._lock:
            if not self._done:
                self.ts = self._post()

    def start(self) -> WorkingNotice:
        if self._delay <= 0:
            self._fire()
        else:
            self._timer = threading.Timer(self._delay, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def finish(self) -> str | None:
        """Stop the timer; the posted note's ts (to replace with the answer), if one was posted."""
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True
            return self.ts


class KeyedLocks:
    """One lock per conversation key, so a user's quick second message waits for the first turn."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, list[int]]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if users[0] == 0:
                    self._locks.pop(key, None)
