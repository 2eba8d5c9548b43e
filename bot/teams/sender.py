"""Deliveries into Teams: each recipient in their own 1:1 chat with the bot, proactively.

During a turn, the person talking 1:1 is answered in that chat and everyone
else through their stored conversation reference (``for_turn``). Outside a
turn — the CLI, a cron job, another platform's server — ``make_sender``
builds a sender from the Teams credentials in the settings (the relay's
sender registry calls it). Logs name the notice, never the person: a chat id
is a contact.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import ChannelAdapter, TurnContext

from bot.dialogue.replies import Delivery
from bot.teams import activities, cards
from bot.teams.auth import TeamsAuth, has_credentials, teams_auth
from bot.teams.guard import Refused
from bot.teams.references import ReferenceStore
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)
SEND_TIMEOUT_S = 60
T = TypeVar("T")


def secretariat_members(users: Sequence[str]) -> list[str]:
    """The Teams user ids among ``GUNMANE_SECRETARIAT_USERS`` (entries written ``teams:<id>``)."""
    prefix = activities.PLATFORM + ":"
    return [entry[len(prefix):].strip() for entry in users if entry.startswith(prefix) and entry[len(prefix):].strip()]


class TeamsSender:
    platform = activities.PLATFORM

    def __init__(self, adapter: ChannelAdapter, auth: TeamsAuth, references: ReferenceStore,
                 secretariat: Sequence[str], *, loop: asyncio.AbstractEventLoop | None = None,
                 turn: TurnContext | None = None) -> None:
        self.adapter = adapter
        self.auth = auth
        self.references = references
        self.secretariat = list(secretariat)
        self._loop = loop
        self._turn = turn

    def for_turn(self, context: TurnContext, loop: asyncio.AbstractEventLoop) -> TeamsSender:
        """This sender bound to a running turn: the speaker in a 1:1 chat is answered right there."""
        return TeamsSender(context.adapter, self.auth, self.references, self.secretariat, loop=loop, turn=context)

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        reached = [self._run(self.send_to(delivery, user)) for user in users]
        return all(reached)

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        reached = [self._run(self.send_to(delivery, member)) for member in self.secretariat]
        return any(reached)

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run on the turn's event loop (we are in a worker thread of it), or on a loop of our own."""
        if self._loop is not None:
            return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=SEND_TIMEOUT_S)
        return asyncio.run(work)

    async def send_to(self, delivery: Delivery, user: str) -> bool:
        """Show the delivery to one Teams user; False when Teams cannot reach them."""
        outgoing = cards.render(list(delivery.replies), delivery.language)
        turn = self._turn
        if turn is not None and activities.is_personal(turn.activity) and user == activities.user_id(turn.activity):
            await turn.send_activities(outgoing)   # they are talking to us right now, 1:1
            return True
        reference = self.references.conversation_reference(user)
        try:
            if reference is not None:
                self.auth.service_urls.check(str(reference.service_url or ""), None, stored=True)
        except Refused as refused:
            log.warning("notice %s #%s: a stored Teams reference is not used: %s", delivery.notice.event,
                        delivery.notice.subject_id, refused.reason)
            reference = None
        if reference is None:
            log.warning("notice %s #%s: a Teams recipient has no 1:1 chat with the bot yet (they need to install "
                        "or open the app once)", delivery.notice.event, delivery.notice.subject_id)
            return False
        failures: list[Exception] = []

        async def deliver(proactive: TurnContext) -> None:
            try:
                await proactive.send_activities(outgoing)
            except Exception as exc:  # kept: the adapter would otherwise swallow it in its turn-error handler
                failures.append(exc)

        try:
            await self.adapter.continue_conversation_with_claims(
                self.auth.proactive_identity(), reference.get_continuation_activity(), deliver)
        except Exception as exc:
            failures.append(exc)
        if failures:
            log.warning("notice %s #%s: a proactive Teams message failed (%s)", delivery.notice.event,
                        delivery.notice.subject_id, type(failures[0]).__name__)
            return False
        return True


def make_sender(settings: Settings, db: Database) -> TeamsSender | None:
    """The relay registry's Teams sender, or None when the Teams credentials are not set."""
    if not has_credentials(settings):
        return None
    auth = teams_auth(settings)
    return TeamsSender(CloudAdapter(connection_manager=auth.connection_manager), auth, ReferenceStore(db),
                       secretariat_members(settings.secretariat_users))
