"""The aiohttp application serving ``POST /lineworks/callback``.

Request path: the bot id (``X-WORKS-BotId``) and the signature
(``X-WORKS-Signature``) are checked on the raw body — anything else gets 401
and nothing more happens; a signed body that is not an event gets 400 and a
log line; an event gets 200 at once and is worked on afterwards (understanding
and search take seconds, and LINE WORKS does not wait or retry). One
conversation's events are handled one after another, in arrival order;
different conversations run side by side in worker threads.

Other routes (``/healthz``, ``/readyz``) can be added to the returned
application; nothing here needs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from aiohttp import web

from bot.dialogue import messages as dialogue_messages
from bot.dialogue.replies import ConversationKey, Incoming, Notice, Text, Turn
from bot.lineworks.api import LineWorksApi, Target
from bot.lineworks.config import LineWorksConfig
from bot.lineworks.events import PLATFORM, Callback, MalformedCallback, is_signed, parse
from bot.lineworks.sender import LineWorksSender
from knowledge.db import Database

log = logging.getLogger(__name__)

CALLBACK_PATH = "/lineworks/callback"
MAX_BODY_BYTES = 1024 * 1024   # callbacks are a few KB; anything this large is not one
SHUTDOWN_WAIT_S = 30.0
PENDING = web.AppKey("lineworks_pending", set)   # events answered but still being worked on

WELCOME_CHANNEL = "グループでは「@{name}」を付けて話しかけてください。"

NoticeHandler = Callable[[Notice, str], None]


class DialogueEngineLike(Protocol):
    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn: ...


class LineWorksBot:
    """One callback → one engine turn → the replies in the chat it came from (blocking; a worker thread)."""

    def __init__(self, engine: DialogueEngineLike, db: Database, sender: LineWorksSender, *, bot_name: str,
                 notices: NoticeHandler | None = None) -> None:
        self.engine = engine
        self.db = db
        self.sender = sender
        self.bot_name = bot_name
        self.notices = notices

    def handle(self, callback: Callback, digest: str) -> None:
        # The one de-duplication call site (LINE WORKS itself does not redeliver; a proxy may):
        # the shared helper that issue 11 creates replaces this import when it lands.
        from bot.slack.processed_events import claim_event

        if not claim_event(self.db, digest, platform=PLATFORM):
            log.info("LINE WORKS callback delivered twice; handled once")
            return
        if callback.type == "join":
            self.greet(callback)
            return
        incoming = callback.incoming(self.bot_name)
        if incoming is None:
            return
        target = Target("channel", callback.channel_id) if callback.channel_id else Target("user", callback.key().user)
        try:
            turn = self.engine.handle(callback.key(), incoming)
        except Exception:  # the engine promises not to raise; a bug there must not go unanswered
            log.exception("the dialogue engine raised on a LINE WORKS %s", type(incoming).__name__)
            turn = Turn([Text(dialogue_messages.say("ja", "internal_error"))])
        self.sender.post(target, turn.replies, turn.language)
        for reply in turn.replies:
            if isinstance(reply, Notice):
                self.on_notice(reply, turn.language)

    def greet(self, callback: Callback) -> None:
        """The bot was added to a chat: how to talk to it."""
        text = dialogue_messages.say("ja", "greeting") + "\n" + dialogue_messages.say("ja", "prompt_problem")
        if callback.channel_id:
            text += "\n" + WELCOME_CHANNEL.format(name=self.bot_name)
            self.sender.post(Target("channel", callback.channel_id), [Text(text)], "ja", what="greeting")
        elif callback.user_id:
            self.sender.post(Target("user", callback.user_id), [Text(text)], "ja", what="greeting")

    def on_notice(self, notice: Notice, language: str) -> None:
        if self.notices is None:
            # Introductions are recorded by the engine; until the delivery layer reaches LINE WORKS
            # users, the secretariat carries them on (`gunmane intros list`).
            log.info("introduction %s: %s recorded; no LINE WORKS delivery is wired", notice.introduction_id,
                     notice.event)
            return
        try:
            self.notices(notice, language)
        except Exception:  # the user's own turn stands whatever happens to the notice
            log.exception("introduction %s: delivering %s failed", notice.introduction_id, notice.event)


class _KeyedLocks:
    """One FIFO lock per conversation, dropped when nobody waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._locks.pop(key, None)


def create_lineworks_app(engine: DialogueEngineLike, db: Database, config: LineWorksConfig, *,
                         sender: LineWorksSender | None = None,
                         notices: NoticeHandler | None = None) -> web.Application:
    bot = LineWorksBot(engine, db, sender or LineWorksSender(LineWorksApi(config)), bot_name=config.bot_name,
                       notices=notices)
    locks = _KeyedLocks()
    tasks: set[asyncio.Task[None]] = set()

    async def work(callback: Callback, digest: str) -> None:
        key = callback.key().as_string() if callback.user_id else f"{PLATFORM}|{callback.channel_id}"
        try:
            async with locks.hold(key):
                await asyncio.to_thread(bot.handle, callback, digest)
        except Exception:
            log.exception("a LINE WORKS %s event failed after it was answered; the user got no reply",
                          callback.type)

    async def receive(request: web.Request) -> web.Response:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("rejected a LINE WORKS callback over %d bytes (413)", MAX_BODY_BYTES)
            return web.json_response({"error": "body too large"}, status=413)
        if request.headers.get("X-WORKS-BotId", "").strip() != config.bot_id or not is_signed(
                config.bot_secret, raw, request.headers.get("X-WORKS-Signature")):
            log.warning("rejected a LINE WORKS callback with a missing or wrong bot id or signature (401)")
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            callback = parse(raw)
        except MalformedCallback as exc:
            log.warning("rejected a signed LINE WORKS callback that is not an event (400): %s", exc)
            return web.json_response({"error": "malformed event", "detail": str(exc)}, status=400)
        task = asyncio.create_task(work(callback, hashlib.sha256(raw).hexdigest()))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(status=200)

    async def finish_work(_: web.Application) -> None:
        if tasks:
            await asyncio.wait(set(tasks), timeout=SHUTDOWN_WAIT_S)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[PENDING] = tasks
    app.router.add_post(CALLBACK_PATH, receive)
    app.on_shutdown.append(finish_work)
    return app
