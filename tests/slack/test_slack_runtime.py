"""The server runtime seen from Slack: the busy reply when the turn backlog is long (bot/runtime/pool.py),
and the signing secret's rotation (the previous secret still accepted while it is set)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import SecretStr

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.messages import say
from bot.dialogue.replies import ConversationKey, Incoming, Overview, Turn
from bot.runtime import TurnPool
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI
from bot.slack.server import HttpServer
from knowledge.db import Database
from knowledge.settings import Settings
from tests.slack.conftest import SlackSender, texts_of

FIRST, SECOND = "U0FIRST", "U0SECOND"
BUSY = say("ja", "queue_busy")


class HeldEngine:
    """The real engine, holding the first user's turn until released (a turn that takes long)."""

    def __init__(self, engine: DialogueEngine) -> None:
        self.engine = engine
        self.entered, self.release = threading.Event(), threading.Event()

    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn:
        if key.user == FIRST:
            self.entered.set()
            assert self.release.wait(timeout=60), "the test never released the first turn"
        return self.engine.handle(key, incoming)

    def user_overview(self, platform: str, user_id: str) -> Overview:
        return self.engine.user_overview(platform, user_id)

    def reset(self, key: ConversationKey) -> None:
        self.engine.reset(key)

    def language_of(self, text: str) -> str:
        return self.engine.language_of(text)


def _posted_to(api: FakeSlackAPI, channel: str) -> list[str]:
    return [texts_of(c) for c in api.calls if c.method in ("chat.postMessage", "chat.update")
            and c.params.get("channel") == channel]


def test_a_long_backlog_gets_the_busy_reply_first_and_the_answer_after(
        sample_db: Database, slack_settings: Settings, fake_api: FakeSlackAPI) -> None:
    held = HeldEngine(DialogueEngine(sample_db, slack_settings))
    pool = TurnPool(held, busy_backlog=1)
    executor = ThreadPoolExecutor(max_workers=4)
    app = build_app(slack_settings, sample_db, mode="http", engine=pool, working_notice_after=60,
                    listener_executor=executor)
    server = HttpServer(app, slack_settings, host="127.0.0.1", port=0, threads=4).start()
    send = SlackSender(server.url, fake_api)
    try:
        assert send.dm("橋の点検が回りません", user=FIRST, channel="D0FIRST").status == 200
        assert held.entered.wait(timeout=30) and pool.backlog == 1
        assert send.dm("橋の点検が回りません", user=SECOND, channel="D0SECOND").status == 200
        fake_api.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == "D0SECOND"
                          and BUSY in texts_of(c))
        assert not any(BUSY in text for text in _posted_to(fake_api, "D0FIRST")), "the first turn had no queue"
        held.release.set()
        for channel in ("D0FIRST", "D0SECOND"):   # both answered, the busy note was not the answer
            fake_api.wait_for("chat.postMessage", timeout=60, where=lambda c, ch=channel: c.params.get(
                "channel") == ch and BUSY not in texts_of(c))
        second = _posted_to(fake_api, "D0SECOND")
        assert BUSY in second[0] and len(second) >= 2 and all(BUSY not in text for text in second[1:])
        assert sum(BUSY in text for text in second) == 1
    finally:
        held.release.set()
        server.stop()
        executor.shutdown(wait=True)
    assert pool.backlog == 0


# ---------------------------------------------------------------- rotating the signing secret

OLD, NEW, STRANGER = "old-signing-secret-0123456789", "new-signing-secret-9876543210", "not-ours-secret-5555"


@pytest.fixture
def rotating(sample_db: Database, slack_settings: Settings, fake_api: FakeSlackAPI
             ) -> Iterator[tuple[SlackSender, FakeSlackAPI, Settings]]:
    rotated = slack_settings.model_copy(update={"slack_signing_secret": SecretStr(NEW),
                                                "slack_signing_secret_previous": SecretStr(OLD)})
    executor = ThreadPoolExecutor(max_workers=2)
    app = build_app(rotated, sample_db, mode="http", working_notice_after=60, listener_executor=executor)
    server = HttpServer(app, rotated, host="127.0.0.1", port=0, threads=2).start()
    try:
        yield SlackSender(server.url, fake_api, secret=NEW), fake_api, rotated
    finally:
        server.stop()
        executor.shutdown(wait=True)


def test_during_a_rotation_old_and_new_secrets_are_both_accepted(
        rotating: tuple[SlackSender, FakeSlackAPI, Settings]) -> None:
    send, api, _ = rotating
    assert send.dm("群マネとは何ですか？", user="U0NEWSIG", channel="D0NEWSIG").status == 200
    assert send.post_json(send.event_callback(send.dm_event("群マネとは何ですか？", user="U0OLDSIG",
                                                            channel="D0OLDSIG")), secret=OLD).status == 200
    forged = send.post_json(send.event_callback(send.dm_event("群マネとは何ですか？", user="U0FORGED",
                                                              channel="D0FORGED")), secret=STRANGER)
    assert forged.status == 401
    for channel in ("D0NEWSIG", "D0OLDSIG"):
        api.wait_for("chat.postMessage", timeout=60, where=lambda c, ch=channel: c.params.get("channel") == ch)
    assert not [c for c in api.calls if c.params.get("channel") == "D0FORGED"]


def test_after_the_rotation_the_old_secret_is_refused(sample_db: Database, slack_settings: Settings,
                                                      fake_api: FakeSlackAPI) -> None:
    done = slack_settings.model_copy(update={"slack_signing_secret": SecretStr(NEW)})
    app = build_app(done, sample_db, mode="http")
    server = HttpServer(app, done, host="127.0.0.1", port=0, threads=2).start()
    try:
        send = SlackSender(server.url, fake_api, secret=NEW)
        old = send.post_json(send.event_callback(send.dm_event("こんにちは", user="U0LATE", channel="D0LATE")),
                             secret=OLD)
        assert old.status == 401
        assert send.dm("こんにちは", user="U0NOW", channel="D0NOW").status == 200
    finally:
        server.stop()
