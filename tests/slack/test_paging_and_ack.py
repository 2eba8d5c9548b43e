"""Adapter behaviour the sample data cannot provoke: very long result lists, a slow engine.

A scripted engine (a real object with the engine's adapter-facing methods)
stands in for the dialogue engine; everything else — HTTP server, bolt,
database, fake Web API — is the real thing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.dialogue.replies import (
    Choice,
    ConversationKey,
    IncomingChoice,
    IncomingMessage,
    Overview,
    ResultItem,
    ResultList,
    Text,
    Turn,
)
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI, block_problems
from bot.slack.server import HttpServer
from knowledge.db import Database
from knowledge.settings import Settings
from tests.slack.conftest import SlackSender, texts_of


class ScriptedEngine:
    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self.release = threading.Event()
        self.release.set()
        self.seen: list[tuple[ConversationKey, IncomingMessage | IncomingChoice]] = []

    def handle(self, key: ConversationKey, incoming: IncomingMessage | IncomingChoice) -> Turn:
        self.release.wait(timeout=30)
        self.seen.append((key, incoming))
        return self.turn

    def reset(self, key: ConversationKey) -> None:
        self.seen.append((key, IncomingMessage("(reset)")))

    def language_of(self, text: str) -> str:
        return "ja"

    def user_overview(self, platform: str, user_id: str) -> Overview:
        return Overview(platform, user_id)


LONG_LIST = Turn([
    Text("候補が多く見つかりました。"),
    ResultList("アドバイザー", tuple(
        ResultItem("advisor", f"a{n}", f"助言者 {n:02d}", "橋梁点検の経験 " * 30, "県OB " * 100, None,
                   (Choice("紹介を依頼", f"ir|1|advisor|{n}"),))
        for n in range(27)
    )),
])


@pytest.fixture
def scripted(db: Database, settings: Settings, fake_api: FakeSlackAPI,
             slack_settings: Settings) -> Iterator[tuple[ScriptedEngine, SlackSender, FakeSlackAPI]]:
    engine = ScriptedEngine(LONG_LIST)
    executor = ThreadPoolExecutor(max_workers=4)
    app = build_app(slack_settings, db, mode="http", engine=engine, working_notice_after=0,
                    listener_executor=executor)
    server = HttpServer(app, slack_settings, host="127.0.0.1", port=0, threads=4).start()
    try:
        yield engine, SlackSender(server.url, fake_api), fake_api
    finally:
        engine.release.set()
        server.stop()
        executor.shutdown(wait=True)


def test_long_result_list_is_paginated_with_a_more_button(scripted: tuple[ScriptedEngine, SlackSender, FakeSlackAPI]) -> None:
    engine, send, api = scripted
    send.dm("橋の点検")
    first = api.wait_for("chat.postMessage", where=lambda c: "助言者 00" in texts_of(c))[0]
    assert "助言者 10" not in texts_of(first)
    page = first
    for number in (2, 3):
        send.click(page, "続きを見る")
        page = api.wait_for("chat.postMessage", where=lambda c, n=number: f"（続き {n}/3）" in texts_of(c))[0]
    assert "助言者 26" in texts_of(page) and "続きを見る" not in texts_of(page)
    for call in api.calls:
        assert call.response.get("ok"), call.response
        if call.method in ("chat.postMessage", "chat.update"):
            assert block_problems(call.params.get("blocks") or []) == []
    pressed = [c for c in api.calls_to("chat.update") if "続きを表示しました" in texts_of(c)]
    assert len(pressed) == 2
    assert len(engine.seen) == 1  # pages come from the database, not from another engine turn


def test_a_stale_or_forged_page_token_posts_nothing(scripted: tuple[ScriptedEngine, SlackSender, FakeSlackAPI]) -> None:
    engine, send, api = scripted
    send.dm("橋の点検")
    first = api.wait_for("chat.postMessage", where=lambda c: "助言者 00" in texts_of(c))[0]
    forged = {**first.params, "blocks": [{"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "続きを見る"}, "action_id": "gm:page:x",
         "value": "../../etc/passwd"}]}]}
    assert send.click(type(first)(first.method, forged, first.token, first.path, first.response), "続きを見る").status == 200
    send.dm("もう一度", channel="D0MARKER")
    api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0MARKER")
    assert not any("（続き" in texts_of(c) for c in api.calls_to("chat.postMessage"))


def test_the_request_is_acknowledged_before_the_engine_answers(
    scripted: tuple[ScriptedEngine, SlackSender, FakeSlackAPI]
) -> None:
    engine, send, api = scripted
    engine.turn = Turn([Text("お待たせしました。")])
    engine.release.clear()                      # the engine is "slow" until the test releases it
    answer = send.dm("橋の点検")
    assert answer.status == 200                 # acknowledged while the engine is still working
    working = api.wait_for("chat.postMessage")[0]
    assert "確認しています" in texts_of(working) and engine.seen == []
    engine.release.set()
    final = api.wait_for("chat.update")[0]
    assert final.params["ts"] == working.response["ts"] and "お待たせしました" in texts_of(final)


def test_no_working_note_when_the_engine_is_quick(db: Database, slack_settings: Settings, fake_api: FakeSlackAPI) -> None:
    engine = ScriptedEngine(Turn([Text("すぐお答えします。")]))
    executor = ThreadPoolExecutor(max_workers=2)
    app = build_app(slack_settings, db, mode="http", engine=engine, working_notice_after=60, listener_executor=executor)
    server = HttpServer(app, slack_settings, host="127.0.0.1", port=0, threads=2).start()
    try:
        SlackSender(server.url, fake_api).dm("こんにちは")
        reply = fake_api.wait_for("chat.postMessage")[0]
    finally:
        server.stop()
        executor.shutdown(wait=True)
    assert "すぐお答えします" in texts_of(reply)
    assert fake_api.calls_to("chat.update") == [] and len(fake_api.calls_to("chat.postMessage")) == 1
