"""The aiohttp application serving ``POST /lineworks/callback``: the bot id and the signature are checked
on the raw body (else 401 and nothing more happens); a signed body that is not an event gets 400; an event
gets 200 at once and is worked on afterwards, a conversation's events in arrival order, conversations side
by side in a pool of turn threads of its own — so ``/healthz``, ``/readyz`` and ``/metrics`` (a ``Monitor``)
keep answering however busy the engine is."""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from aiohttp import web

from bot.dialogue import messages
from bot.dialogue.replies import ConversationKey, Incoming, Notice, Text, Turn
from bot.lineworks.api import LineWorksApi, Target
from bot.lineworks.config import LineWorksConfig
from bot.lineworks.events import PLATFORM, Callback, MalformedCallback, is_signed, parse
from bot.lineworks.sender import LineWorksSender
from bot.monitoring import Metrics, Monitor, add_monitoring
from bot.relay.events import claim_event
from bot.runtime.pool import busy_reply
from knowledge.db import Database

log = logging.getLogger(__name__)

CALLBACK_PATH = "/lineworks/callback"
MAX_BODY_BYTES = 1024 * 1024   # callbacks are a few KB; anything this large is not one
TURN_THREADS = 8               # turns at once; more conversations wait their turn in ``PENDING``
PENDING = web.AppKey("lineworks_pending", dict)   # conversation → its last event still being worked on

NoticeHandler = Callable[[list[Notice]], object]   # the relay's Dispatcher.notify


class DialogueEngineLike(Protocol):
    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn: ...


class LineWorksBot:
    """One callback → one engine turn → the replies in the chat it came from (blocking: a worker thread)."""

    def __init__(self, engine: DialogueEngineLike, db: Database, sender: LineWorksSender, *, bot_name: str,
                 notices: NoticeHandler | None = None, metrics: Metrics | None = None) -> None:
        self.engine, self.db, self.sender, self.bot_name, self.notices = engine, db, sender, bot_name, notices
        self.metrics = metrics

    def handle(self, callback: Callback, digest: str) -> None:
        # LINE WORKS does not redeliver, but a proxy may: the shared de-duplication, keyed by the body's digest.
        if not claim_event(self.db, PLATFORM, digest):
            log.info("LINE WORKS callback delivered twice; handled once")
            return
        chat = Target("channel", callback.channel_id) if callback.channel_id else None
        if callback.type == "join" and chat is not None:   # added to a group chat: say how to talk to the bot
            text = "\n".join((messages.say("ja", "greeting"), messages.say("ja", "prompt_problem"),
                              messages.say("ja", "mention_in_group", name=self.bot_name)))
            self.sender.post(chat, [Text(text)], "ja", what="greeting")
        incoming = callback.incoming(self.bot_name)
        if incoming is None:
            return
        key = callback.key()
        crowded = busy_reply(self.engine, "ja")   # a long backlog: say so now; the turn still comes
        if crowded is not None:
            self.sender.post(chat or Target("user", key.user), [Text(crowded)], "ja", what="busy")
        try:
            turn = (self.metrics.timed_turn(PLATFORM, lambda: self.engine.handle(key, incoming)) if self.metrics
                    else self.engine.handle(key, incoming))
        except Exception:  # the engine promises not to raise; a bug there must not go unanswered
            log.exception("the dialogue engine raised on a LINE WORKS %s", type(incoming).__name__)
            turn = Turn([Text(messages.say("ja", "internal_error"))])
        self.sender.post(chat or Target("user", key.user), turn.replies, turn.language)
        notices = [reply for reply in turn.replies if isinstance(reply, Notice)]
        if not notices:
            return
        if self.notices is None:   # recorded by the engine; `gunmane intros list` shows it to the secretariat
            log.info("%d notice(s) recorded; no delivery is wired in this process", len(notices))
            return
        try:
            self.notices(notices)
        except Exception:  # the user's own turn stands whatever happens to the notices
            log.exception("delivering %s failed", ", ".join(f"{n.event} #{n.subject_id}" for n in notices))


def create_lineworks_app(engine: DialogueEngineLike, db: Database, config: LineWorksConfig, *,
                         sender: LineWorksSender | None = None, notices: NoticeHandler | None = None,
                         monitor: Monitor | None = None, turn_threads: int = TURN_THREADS) -> web.Application:
    metrics = monitor.metrics if monitor is not None else None
    bot = LineWorksBot(engine, db, sender or LineWorksSender(LineWorksApi(config)), bot_name=config.bot_name,
                       notices=notices, metrics=metrics)
    pending: dict[str, asyncio.Task[None]] = {}
    turns = ThreadPoolExecutor(turn_threads, thread_name_prefix="lineworks-turn")
    if metrics is not None:   # conversations with an event in hand, read at each scrape
        metrics.queue_depth.set_function(lambda: len(pending))

    async def work(callback: Callback, digest: str, before: asyncio.Task[None] | None) -> None:
        if before is not None:   # the conversation's previous event first: replies stay in order
            await asyncio.wait([before])
        try:   # in the request's context: the turn's log lines carry its request id
            await asyncio.get_running_loop().run_in_executor(turns, contextvars.copy_context().run, bot.handle,
                                                             callback, digest)
        except Exception:
            log.exception("a LINE WORKS %s event failed after it was answered; no reply went out", callback.type)

    def schedule(callback: Callback, digest: str) -> None:
        chat = callback.key().as_string() if callback.user_id else f"{PLATFORM}|{callback.channel_id}"
        task = asyncio.create_task(work(callback, digest, pending.get(chat)))
        pending[chat] = task
        task.add_done_callback(lambda done: pending.pop(chat) if pending.get(chat) is done else None)

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
        schedule(callback, hashlib.sha256(raw).hexdigest())
        return web.Response(status=200)

    async def finish_work(_: web.Application) -> None:
        if pending:
            await asyncio.wait(list(pending.values()), timeout=30)
        turns.shutdown(wait=False, cancel_futures=True)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[PENDING] = pending
    app.router.add_post(CALLBACK_PATH, receive)
    if monitor is not None:
        add_monitoring(app, monitor)
    app.on_shutdown.append(finish_work)
    return app
