"""The Teams turn handler: an ``AgentApplication`` over the dialogue engine.

One message activity → one engine call → the replies as Teams messages.
``Notice`` replies make the adapter reach other people: the person asked for
an introduction gets Accept / Decline in their 1:1 chat with the bot
(``continue_conversation`` on the stored conversation reference), and on
acceptance both sides get the card the engine prepared. The engine decides
what anyone sees; this module only decides where it goes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from typing import Protocol

from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from sqlalchemy.exc import IntegrityError

from bot.dialogue import messages as dialogue_messages
from bot.dialogue.replies import ConversationKey, Incoming, IntroView, Notice, PlatformUser, Reply, Text, Turn
from bot.teams import activities, cards, secretariat
from bot.teams.auth import TeamsAuth
from bot.teams.references import ReferenceStore
from knowledge.db import Database
from knowledge.errors import GunmaneError
from knowledge.models import ProcessedEvent

log = logging.getLogger(__name__)

_MESSAGES: dict[str, dict[str, str]] = {
    "ja": {
        "welcome_channel": "チャネルでは @gunmane を付けて話しかけてください。",
        "pick_first": "選択肢を選んでから送信してください。",
        "error": "申し訳ありません。処理中に問題が起きました。少し待ってから、もう一度お試しください。",
        "unreachable": (
            "ご依頼は記録しました。ただ、相手の方はまだ Teams でこのボットと 1 対 1 のチャットをしていないため、"
            "直接お知らせできませんでした。事務局が確認してご連絡します。"
        ),
    },
    "en": {
        "welcome_channel": "In a channel, @mention gunmane to talk to me.",
        "pick_first": "Pick an option before sending.",
        "error": "Sorry, something went wrong on my side. Please wait a moment and try again.",
        "unreachable": (
            "Your request is recorded. The person has not chatted with this bot in Teams yet, so I could not "
            "tell them directly; the secretariat will follow up."
        ),
    },
}


def message(name: str, language: str = "ja") -> str:
    return _MESSAGES.get(language, _MESSAGES["ja"])[name]


class DialogueEngineLike(Protocol):
    """The part of ``DialogueEngine`` the adapter uses."""

    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn: ...

    def introduction_request_view(self, intro_id: int) -> IntroView: ...

    def introduction_accepted_view(self, intro_id: int) -> IntroView: ...

    def introduction_declined_view(self, intro_id: int) -> IntroView: ...


class TeamsBot:
    """Turns Teams activities into engine calls, and engine replies into messages."""

    def __init__(
        self, engine: DialogueEngineLike, db: Database, auth: TeamsAuth, *, secretariat_users: Sequence[str] = ()
    ) -> None:
        self.engine = engine
        self.db = db
        self.auth = auth
        self.references = ReferenceStore(db)
        self.secretariat = secretariat.secretariat_members(list(secretariat_users))

    # ------------------------------------------------------------ incoming

    async def on_message(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        if await asyncio.to_thread(self._seen_before, activity):
            log.info("Teams redelivered activity %s; already handled, ignored", activity.id)
            return
        await asyncio.to_thread(self.references.remember, activity)
        incoming = activities.incoming(activity)
        if incoming is None:
            if activities.is_empty_card_submit(activity):
                await context.send_activity(cards.text_message(message("pick_first", _language(activity))))
            return
        key = activities.conversation_key(activity)
        turn = await asyncio.to_thread(self.engine.handle, key, incoming)
        await self.send(context, turn.replies, turn.language)
        for reply in turn.replies:
            if isinstance(reply, Notice):
                await self.deliver_notice(context, reply, turn.language)

    async def on_members_added(self, context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        recipient = activity.recipient.id if activity.recipient else None
        if not any(member.id == recipient for member in activity.members_added or []):
            return  # someone else joined a team the bot is in: nothing to say
        personal = activities.is_personal(activity)
        if personal and activity.from_property is not None and activity.from_property.id:
            await asyncio.to_thread(self.references.remember, activity)
        language = _language(activity)
        text = dialogue_messages.say(language, "greeting") + "\n" + dialogue_messages.say(language, "prompt_problem")
        if not personal:
            text += "\n" + message("welcome_channel", language)
        await context.send_activity(cards.text_message(text))

    async def on_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed for activity %s: %s", context.activity.id, error, exc_info=error)
        try:
            await context.send_activity(cards.text_message(message("error", _language(context.activity))))
        except Exception:  # the connector itself may be what failed
            log.exception("could not tell the user about the failure")

    # ------------------------------------------------------------ outgoing

    async def send(self, context: TurnContext, replies: Sequence[Reply], language: str) -> None:
        outgoing = cards.render(list(replies), language)
        if outgoing:
            await context.send_activities(outgoing)

    async def deliver_notice(self, context: TurnContext, notice: Notice, language: str) -> None:
        try:
            await self._deliver_notice(context, notice, language)
        except GunmaneError as exc:  # e.g. the introduction changed state in between: the engine's turn stands
            log.warning("could not deliver %s for introduction %s: %s", notice.event, notice.introduction_id, exc)

    async def _deliver_notice(self, context: TurnContext, notice: Notice, language: str) -> None:
        intro_id = notice.introduction_id
        reached = True
        if notice.event == "intro_requested":
            view = await asyncio.to_thread(self.engine.introduction_request_view, intro_id)
            reached = await self._deliver_to(context, view, view.recipient, language)
            if view.recipient is not None and not reached:
                await self.send_text(context, message("unreachable", language))
        elif notice.event == "intro_accepted":
            view = await asyncio.to_thread(self.engine.introduction_accepted_view, intro_id)
            for participant in view.participants:
                await self._deliver_to(context, view, participant, language)
        elif notice.event == "intro_declined":
            view = await asyncio.to_thread(self.engine.introduction_declined_view, intro_id)
            await self._deliver_to(context, view, view.recipient, language)
        elif notice.event == "intro_brokered":
            pass   # nobody to ask yet: only the secretariat is told (below)
        else:
            log.warning("unknown notice event %r for introduction %s; ignored", notice.event, intro_id)
            return
        await self.tell_secretariat(context, notice.event, intro_id, reached=reached)

    async def tell_secretariat(self, context: TurnContext, event: str, intro_id: int, *, reached: bool) -> None:
        """A short note (no contacts) to each Teams member of the secretariat who has a chat with the bot."""
        if not self.secretariat:
            return
        text = await asyncio.to_thread(secretariat.note, self.db, event, intro_id, reached=reached)
        if text is None:
            return
        for member in self.secretariat:
            reference = await asyncio.to_thread(self.references.conversation_reference, member)
            if reference is None:
                log.warning("introduction %s: a secretariat member has no 1:1 chat with the bot yet", intro_id)
                continue
            try:
                await self.send_proactive(context, reference, [Text(text)], "ja")
            except Exception:
                log.exception("introduction %s: note to a secretariat member failed", intro_id)

    async def send_text(self, context: TurnContext, text: str) -> None:
        await context.send_activity(cards.text_message(text))

    async def _deliver_to(
        self, context: TurnContext, view: IntroView, person: PlatformUser | None, default_language: str
    ) -> bool:
        """Show the view's replies to ``person`` (platform, user id); False when Teams cannot reach them.

        Log lines name the introduction, never the person: a chat id is a contact.
        """
        if person is None:
            return False
        platform, user = person
        language = view.language or default_language
        if platform != activities.PLATFORM:
            log.warning("introduction %s: a participant is on %s, which this Teams server cannot message",
                        view.introduction_id, platform)
            return False
        if activities.is_personal(context.activity) and user == activities.user_id(context.activity):
            await self.send(context, view.replies, language)  # they are talking to us right now, 1:1
            return True
        reference = await asyncio.to_thread(self.references.conversation_reference, user)
        if reference is None:
            log.warning("introduction %s: a Teams participant has no 1:1 chat with the bot yet "
                        "(they need to install or open the app once)", view.introduction_id)
            return False
        try:
            await self.send_proactive(context, reference, view.replies, language)
        except Exception:  # the connector refused or is down: the current user's own turn still stands
            log.exception("introduction %s: proactive message to a Teams participant failed", view.introduction_id)
            return False
        return True

    async def send_proactive(
        self, context: TurnContext, reference: ConversationReference, replies: Sequence[Reply], language: str
    ) -> None:
        outgoing = cards.render(list(replies), language)
        if not outgoing:
            return

        failures: list[Exception] = []

        async def deliver(proactive: TurnContext) -> None:
            try:
                await proactive.send_activities(outgoing)
            except Exception as exc:  # kept: the adapter would otherwise swallow it in its turn-error handler
                failures.append(exc)

        await context.adapter.continue_conversation_with_claims(
            self.auth.proactive_identity(), reference.get_continuation_activity(), deliver
        )
        if failures:
            raise failures[0]

    # ------------------------------------------------------------ helpers

    def _seen_before(self, activity: Activity) -> bool:
        """Record this activity as handled; True when it already was (a redelivery)."""
        if not activity.id or activity.conversation is None:
            return False
        digest = hashlib.sha256(f"{activity.conversation.id}|{activity.id}".encode()).hexdigest()
        try:
            with self.db.session() as session:
                session.add(ProcessedEvent(platform=activities.PLATFORM, event_id=digest))
        except IntegrityError:
            return True
        return False


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
