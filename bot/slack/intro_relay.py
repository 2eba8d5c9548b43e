"""Carrying introductions to the people involved: the engine's notices → DMs, group DMs, the secretariat.

- ``intro_requested``: the requested person (contact = a Slack user id) gets a
  DM with the request and Accept / Decline; the secretariat channel is told.
- ``intro_accepted``: a group DM with both people gets the card and contacts.
- ``intro_declined``: the requester is told and offered the next candidate.

Nothing of a person's contact goes anywhere before acceptance: the secretariat
note names the record and the requester, never a contact.
"""

from __future__ import annotations

import logging
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dialogue.intros import target_label
from bot.dialogue.replies import IntroView, Notice
from bot.slack.blocks import SlackMessage, fallback, sections
from bot.slack.delivery import Place, Poster
from bot.slack.messages import kind_name, say
from knowledge.db import Database
from knowledge.errors import GunmaneError
from knowledge.models import Advisor, Engineer, Introduction

log = logging.getLogger(__name__)


class IntroductionViews(Protocol):
    def introduction_request_view(self, intro_id: int) -> IntroView: ...
    def introduction_accepted_view(self, intro_id: int) -> IntroView: ...
    def introduction_declined_view(self, intro_id: int) -> IntroView: ...


class IntroductionRelay:
    def __init__(
        self, views: IntroductionViews, db: Database, client: WebClient, poster: Poster,
        secretariat_channel: str | None,
    ) -> None:
        self.views = views
        self.db = db
        self.client = client
        self.poster = poster
        self.secretariat_channel = secretariat_channel

    def on_notice(self, notice: Notice) -> None:
        handlers = {
            "intro_requested": self._requested,
            "intro_accepted": self._accepted,
            "intro_declined": self._declined,
            "intro_brokered": self._brokered,
        }
        handler = handlers.get(notice.event)
        if handler is None:
            log.warning("unknown notice %r from the dialogue engine; ignored", notice.event)
            return
        try:
            handler(notice.introduction_id)
        except GunmaneError as exc:
            log.error("introduction %s: %s", notice.introduction_id, exc)

    # ---- the three events

    def _requested(self, intro_id: int) -> None:
        view = self.views.introduction_request_view(intro_id)
        asked_by_dm = False
        if view.recipient is not None and view.recipient[0] == "slack":
            channel = self.open_conversation([view.recipient[1]])
            if channel is not None:
                self.poster.post_replies(Place(channel), view.replies, view.language)
                asked_by_dm = True
        follow_up = say("secretariat_requested_dm" if asked_by_dm else "secretariat_requested_mail")
        self._tell_secretariat("secretariat_requested", intro_id, next=follow_up)

    def _accepted(self, intro_id: int) -> None:
        view = self.views.introduction_accepted_view(intro_id)
        users = view.participant_ids("slack")
        channel = self.open_conversation(users) if users else None
        if channel is not None:
            self.poster.post_replies(Place(channel), view.replies, view.language)
        self._tell_secretariat("secretariat_accepted" if len(users) > 1 else "secretariat_accepted_elsewhere",
                               intro_id)

    def _declined(self, intro_id: int) -> None:
        view = self.views.introduction_declined_view(intro_id)
        if view.recipient is not None and view.recipient[0] == "slack":
            channel = self.open_conversation([view.recipient[1]])
            if channel is not None:
                self.poster.post_replies(Place(channel), view.replies, view.language)
        self._tell_secretariat("secretariat_declined", intro_id)

    def _brokered(self, intro_id: int) -> None:
        """Nobody to ask yet (a case's body with no consenting engineer): only the secretariat is told."""
        self._tell_secretariat("secretariat_brokered", intro_id)

    # ---- Slack

    def open_conversation(self, users: list[str]) -> str | None:
        """The DM (one user) or group DM (several) channel with the bot, or None when Slack refused."""
        try:
            response = self.client.conversations_open(users=",".join(users))
        except SlackApiError as exc:
            log.error("conversations.open for %d user(s) failed: %s", len(users), exc.response.get("error"))
            return None
        return str(response["channel"]["id"])

    def _tell_secretariat(self, key: str, intro_id: int, **values: str) -> None:
        if not self.secretariat_channel:
            log.info("introduction %s: no secretariat channel set (GUNMANE_SLACK_SECRETARIAT_CHANNEL)", intro_id)
            return
        text = self._secretariat_text(key, intro_id, **values)
        self.poster.post(Place(self.secretariat_channel), SlackMessage(text=fallback(text), blocks=sections(text)))

    def _secretariat_text(self, key: str, intro_id: int, **values: str) -> str:
        with self.db.session() as session:
            intro = session.get(Introduction, intro_id)
            if intro is None:
                return f"#{intro_id}"
            if intro.target_kind in ("case", "body"):
                target_name = target_label(session, intro)
            else:
                model = Advisor if intro.target_kind == "advisor" else Engineer
                target = session.get(model, intro.target_id)
                target_name = f"{target.name} ({target.ext_id})" if target is not None else f"#{intro.target_id}"
            requester = f"{intro.requester_platform}:{intro.requester_id}"
            return say(key, id=intro.id, requester=requester, kind=kind_name(intro.target_kind),
                       target=target_name, **values)

