"""The Teams turn handler: an ``AgentApplication`` over the dialogue engine.

One message activity → one engine call → the replies as Teams messages. A
turn's ``Notice`` replies go to the relay's dispatcher with this turn's Teams
sender (bot/teams/sender.py): the engine decides what anyone sees and the
dispatcher where it goes — the person talking is answered in this chat,
other Teams users in their own 1:1 chat, people on other platforms by those
platforms' senders.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from bot.dialogue.messages import say
from bot.dialogue.replies import ConversationKey, Incoming, Notice, Reply, Turn
from bot.relay.dispatch import Dispatcher
from bot.relay.events import claim_event
from bot.relay.senders import SenderRegistry
from bot.runtime.pool import busy_reply
from bot.teams import activities, cards
from bot.teams.auth import TeamsAuth
from bot.teams.references import ReferenceStore
from bot.teams.sender import TeamsSender, secretariat_members
from knowledge.db import Database

log = logging.getLogger(__name__)


class DialogueEngineLike(Protocol):
    """The part of ``DialogueEngine`` the adapter uses."""

    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn: ...


class TeamsBot:
    """Turns Teams activities into engine calls, and engine replies into messages."""

    def __init__(
        self, engine: DialogueEngineLike, db: Database, auth: TeamsAuth, *, secretariat_users: Sequence[str] = (),
        senders: SenderRegistry | None = None,
    ) -> None:
        self.engine = engine
        self.db = db
        self.references = ReferenceStore(db)
        self.senders = senders or SenderRegistry()
        self.auth = auth
        self.secretariat = secretariat_members(secretariat_users)

    # ------------------------------------------------------------ incoming

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        if await asyncio.to_thread(self._seen_before, activity):
            log.info("Teams redelivered activity %s; already handled, ignored", activity.id)
            return
        await asyncio.to_thread(self.references.remember, activity)
        incoming = await asyncio.to_thread(activities.incoming, activity)   # text work off the event loop
        if incoming is None:
            if activities.is_empty_card_submit(activity):
                await context.send_activity(cards.text_message(say(_language(activity), "pick_first")))
            return
        key = activities.conversation_key(activity)
        crowded = busy_reply(self.engine, _language(activity))   # a long backlog: say so; the turn still comes
        if crowded is not None:
            await context.send_activity(cards.text_message(crowded))
        turn = await asyncio.to_thread(self.engine.handle, key, incoming)
        await self.send(context, turn.replies, turn.language)
        notices = [reply for reply in turn.replies if isinstance(reply, Notice)]
        if notices:
            sender = TeamsSender(context.adapter, self.auth, self.references, self.secretariat,
                                 loop=asyncio.get_running_loop(), turn=context)
            dispatcher = Dispatcher(self.db, self.senders.replacing(sender))
            await asyncio.to_thread(dispatcher.notify, notices)

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        recipient = activity.recipient.id if activity.recipient else None
        if not any(member.id == recipient for member in activity.members_added or []):
            return  # someone else joined a team the bot is in: nothing to say
        personal = activities.is_personal(activity)
        if personal and activity.from_property is not None and activity.from_property.id:
            await asyncio.to_thread(self.references.remember, activity)
        language = _language(activity)
        text = say(language, "greeting") + "\n" + say(language, "prompt_problem")
        if not personal:
            text += "\n" + say(language, "mention_in_channel")
        await context.send_activity(cards.text_message(text))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed for activity %s: %s", context.activity.id, error, exc_info=error)
        try:
            await context.send_activity(cards.text_message(say(_language(context.activity), "failed")))
        except Exception:  # the connector itself may be what failed
            log.exception("could not tell the user about the failure")

    # ------------------------------------------------------------ outgoing

    async def send(self, context: TurnContext, replies: Sequence[Reply], language: str) -> None:
        outgoing = cards.render(list(replies), language)
        if outgoing:
            await context.send_activities(outgoing)

    def _seen_before(self, activity: Activity) -> bool:
        """Record this activity as handled; True when it already was (a redelivery)."""
        if not activity.id or activity.conversation is None:
            return False
        digest = hashlib.sha256(f"{activity.conversation.id}|{activity.id}".encode()).hexdigest()
        return not claim_event(self.db, activities.PLATFORM, digest)


def _language(activity: Activity | None) -> str:
    locale = (activity.locale or "") if activity is not None else ""
    return "en" if locale.lower().startswith("en") else "ja"


def build_agent_application(bot: TeamsBot, *, show_typing: bool = True) -> AgentApplication[TurnState]:
    """The SDK application with gunmane's routes. Conversation state lives in gunmane's database,
    so the SDK's own turn state only needs memory storage."""
    app: AgentApplication[TurnState] = AgentApplication[TurnState](
        ApplicationOptions(storage=MemoryStorage(), start_typing_timer=show_typing, remove_recipient_mention=False),
        connection_manager=bot.auth.connection_manager,
    )
    app.conversation_update("membersAdded")(bot.on_members_added)
    app.activity(ActivityTypes.message)(bot.on_message)
    app.error(bot.on_error)
    return app
