"""``DialogueEngine``: the one entry point of the counselling dialogue.

    turn = engine.handle(ConversationKey(...), IncomingMessage(text) | IncomingChoice(value))

Each turn loads the conversation's state, runs the step it is at, saves the
state (optimistic version check) and returns platform-neutral replies. The
whole turn is one transaction: when another worker saved the same
conversation in between, the turn is run again on the fresh state; when
anything fails, nothing of the turn is saved and the user gets a short
apology — the conversation is never lost or half-written.

Adapters also ask for a user's overview (Slack App Home), the language of a
text (``language_of``, the one detector every adapter uses) and a fresh start
of a conversation (``reset``). What a turn's ``Notice`` replies mean for other
people is composed by bot/dialogue/deliveries.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from bot.dialogue import (
    answers,
    choices,
    cleaning,
    commands,
    flow,
    followups,
    group_answers,
    intents,
    intros,
    messages,
    named,
    recommend,
)
from bot.dialogue.context import Services, TurnContext
from bot.dialogue.replies import (
    ConversationKey,
    IncomingChoice,
    IncomingMessage,
    Overview,
    Text,
    Turn,
)
from bot.dialogue.state import DialogueState, StateStore
from knowledge.db import Database
from knowledge.models import utcnow
from knowledge.settings import Settings

if TYPE_CHECKING:
    from matching.embedders.base import Embedder
    from matching.engine import Matcher

log = logging.getLogger(__name__)
ATTEMPTS = 3
MIN_CHARS_FOR_LANGUAGE = 4   # "ok", "はい" do not switch the conversation's language
# Steps at which a message is a new matter: its intents decide what happens (question, named request, problem).
OPEN_STEPS = ("idle", "results", "answered", "named")


class DialogueEngine:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        matcher: Matcher | None = None,
        embedder: Embedder | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.services = Services(db, settings, matcher=matcher, embedder=embedder)
        self._clock = clock

    def warm_up(self) -> dict[str, float]:
        """Load the model, indexes and caches a turn would build on first use (bot/dialogue/warmup.py)."""
        from bot.dialogue.warmup import warm_up

        return warm_up(self.services)

    # ------------------------------------------------------------------ the entry point

    def handle(self, key: ConversationKey, incoming: IncomingMessage | IncomingChoice) -> Turn:
        """Answer one message or button press; never raises."""
        language = "ja"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._turn(key, incoming)
            except (StaleDataError, IntegrityError, OperationalError) as exc:
                # Another worker saved this conversation (or profile) first: run the turn on the fresh state.
                log.info("conversation %s changed concurrently (attempt %d): %s", key.as_string(), attempt, exc)
            except Exception:
                log.exception("turn failed for %s; nothing of it was saved", key.as_string())
                language = self._language_hint(key)
                return Turn([Text(messages.say(language, "internal_error"))], language)
        return Turn([Text(messages.say(self._language_hint(key), "busy"))], language)

    def _turn(self, key: ConversationKey, incoming: IncomingMessage | IncomingChoice) -> Turn:
        now = self._clock()
        with self.db.session() as session:
            row, state = StateStore.load(session, key)
            fresh = state is None
            if state is None:
                state = DialogueState()
            ctx = TurnContext(session, key, state, now, self.services)
            idle = self._idle_expired(state, now)
            if idle:
                ctx.state = state.fresh()
            if isinstance(incoming, IncomingMessage):
                self._on_message(ctx, incoming.text, greet=fresh or idle, idle=idle)
            elif isinstance(incoming, IncomingChoice):
                if idle:
                    ctx.say("idle_restart")
                self._on_choice(ctx, incoming.value)
            else:
                ctx.say("unknown_choice")
            ctx.state.turns += 1
            StateStore.save(session, key, row, ctx.state, now)
            card = ctx.state.intake_card()
            return Turn(ctx.replies, ctx.state.language, card.to_json() if card is not None else None)

    def _idle_expired(self, state: DialogueState, now: datetime) -> bool:
        last = state.last_time()
        return last is not None and now - last >= timedelta(hours=self.settings.conversation_idle_hours)

    def _language_hint(self, key: ConversationKey) -> str:
        try:
            with self.db.session() as session:
                _, state = StateStore.load(session, key)
            return state.language if state is not None else "ja"
        except Exception:
            return "ja"

    # ------------------------------------------------------------------ messages

    def _on_message(self, ctx: TurnContext, raw: str, *, greet: bool, idle: bool) -> None:
        clean = cleaning.clean_message(raw)
        text = clean.text
        if len(text) >= MIN_CHARS_FOR_LANGUAGE and cleaning.has_words(text):
            detected = self.services.language_of(text)
            # Place names are kanji in any language: only kana switches an English conversation back.
            if not (detected == "ja" and ctx.state.language == "en" and not cleaning.has_kana(text)):
                ctx.state.language = detected
        if idle:
            ctx.say("idle_restart")
        if greet:
            ctx.say("greeting")
        if not text:
            ctx.say("empty")
            return
        if not cleaning.has_words(text):
            ctx.say("no_words")
            return
        if clean.truncated:
            ctx.say("truncated", limit=cleaning.MAX_CHARS)
        command = cleaning.command_of(text)
        if command is not None:
            commands.run(ctx, command)
            return
        if followups.awaiting_comment(ctx):
            followups.take_comment(ctx, text)
            return
        lookup = cleaning.quick_lookup(text)
        if lookup is not None:
            recommend.lookup(ctx, lookup, text)
            if ctx.state.step not in ("idle", "results"):
                ctx.say("lookup_continue")
                flow.prompt(ctx)
            return
        if ctx.state.step in OPEN_STEPS:
            self._on_new_message(ctx, text)
            return
        if ctx.state.step in ("missing", "confirm", "counsel") and self._answered_aside(ctx, text):
            return
        flow.on_text(ctx, text)

    def _classify(self, ctx: TurnContext, text: str) -> intents.Intents:
        from bot.dialogue.understand import names_a_place

        directory = self.services.directory()
        return intents.classify(text, names_a_place=lambda part: names_a_place(part, directory),
                                embedder=self.services.embedder())

    def _on_new_message(self, ctx: TurnContext, text: str) -> None:
        """A message while nothing particular is awaited: act on each of its intents in turn."""
        found = self._classify(ctx, text)
        if found.labels == ("social",):
            ctx.say("thanks_reply" if intents.is_thanks(text) else "prompt_problem")
            return
        consult = found.has("problem") or found.has("vague")
        if found.has("question"):
            answers.answer(ctx, found.hit, offers=not consult and not found.has("named_request"))
        if found.has("named_request"):
            named.handle(ctx, text)
            return
        if consult:
            if found.has("question"):
                ctx.say("answer_then_counsel")
            flow.start_intake(ctx, text, dont_know=found.dont_know)

    def _answered_aside(self, ctx: TurnContext, text: str) -> bool:
        """A clear question about 群マネ in the middle of the intake: answer it, then ask the current question again."""
        found = self._classify(ctx, text)
        if found.labels != ("question",) or found.hit is None:
            return False
        answers.answer(ctx, found.hit, offers=False)
        ctx.say("lookup_continue")
        flow.prompt(ctx)
        return True

    # ------------------------------------------------------------------ choices

    def _on_choice(self, ctx: TurnContext, value: str) -> None:
        token = choices.parse(value)
        if not isinstance(token, choices.FollowupAnswer):
            followups.drop_pending(ctx)
        if token is None:
            ctx.say("unknown_choice")
            flow.prompt(ctx)
        elif isinstance(token, choices.Answer):
            if token.nonce != ctx.state.nonce:
                ctx.say("expired_choice" if token.nonce in ctx.state.old_nonces else "foreign_choice")
                flow.prompt(ctx)
            elif token.question_id != ctx.state.question_id:
                ctx.say("stale_choice")
                flow.prompt(ctx)
            else:
                flow.on_answer(ctx, token.answer)
        elif isinstance(token, choices.IntroRequest):
            intros.request(ctx, token)
        elif isinstance(token, choices.MoreResults):
            recommend.more(ctx, token.sub_issue_id, token.kind)
        elif isinstance(token, choices.CaseIntroRequest):
            intros.request_case(ctx, token)
        elif isinstance(token, choices.FollowupAnswer):
            followups.answer(ctx, token)
        elif isinstance(token, choices.GroupAnswer | choices.EventRsvp | choices.AdoptionReply):
            group_answers.handle(ctx, token)
        else:
            intros.answer(ctx, token)

    # ------------------------------------------------------------------ for the adapters

    def reset(self, key: ConversationKey) -> None:
        """Start the conversation afresh (its old buttons then answer as expired), saying nothing."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.db.session() as session:
                    row, state = StateStore.load(session, key)
                    fresh = state.fresh() if state is not None else DialogueState()
                    StateStore.save(session, key, row, fresh, self._clock())
                return
            except (StaleDataError, IntegrityError, OperationalError):
                if attempt == ATTEMPTS:
                    raise

    def language_of(self, text: str) -> str:
        """``ja`` or ``en`` for a user's text: the engine's detector, for the adapters' own notes."""
        return self.services.language_of(cleaning.clean_message(text).text)

    def user_overview(self, platform: str, user_id: str) -> Overview:
        """A user's consultations and introductions (Slack App Home)."""
        with self.db.session() as session:
            return intros.overview(session, platform, user_id)
