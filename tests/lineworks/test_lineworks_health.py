"""/healthz, /readyz and /metrics on the LINE WORKS server, answered however busy the engine is."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from lineworks_stack import Stack, event

from bot.dialogue.replies import ConversationKey, Incoming, Text, Turn
from bot.lineworks.config import lineworks_config
from bot.lineworks.fake_api import FakeLineWorks
from bot.lineworks.server import CALLBACK_PATH, PENDING, create_lineworks_app
from bot.monitoring import Metrics, Monitor, Probe
from bot.threaded_site import ThreadedSite
from knowledge.db import Database
from knowledge.settings import Settings

TURN_THREADS = 2
# More conversations than asyncio's default executor ever has threads (32): were the turns run there, beside
# the probes, every thread would be stuck in the engine and the probes would get no answer.
USERS = 34


@dataclass
class Answer:
    status: int
    body: bytes
    request_id: str | None

    def json(self) -> dict[str, object]:
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value


def get(url: str) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return Answer(int(response.status), response.read(), response.headers.get("X-Request-Id"))
    except urllib.error.HTTPError as error:
        return Answer(int(error.code), error.read(), error.headers.get("X-Request-Id"))


class BusyEngine:
    """An engine whose turns hold their thread until ``release`` is set; ``started`` counts turns begun."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)

    def handle(self, key: ConversationKey, incoming: Incoming) -> Turn:
        self.started.release()
        if not self.release.wait(timeout=120):
            raise AssertionError("the test never released the engine")
        return Turn([Text("承知しました。")])


@dataclass
class BusyServer:
    base: str
    engine: BusyEngine
    app: web.Application
    fake: FakeLineWorks


@pytest.fixture
def busy(db: Database, lw_settings: Settings, fake: FakeLineWorks) -> Iterator[BusyServer]:
    engine, probe = BusyEngine(), Probe(db)
    made: list[web.Application] = []

    def make_app() -> web.Application:
        made.append(create_lineworks_app(engine, db, lineworks_config(lw_settings), turn_threads=TURN_THREADS,
                                         monitor=Monitor(probe, Metrics(db))))
        return made[0]

    site = ThreadedSite(make_app).start()
    try:
        yield BusyServer(site.url, engine, made[0], fake)
    finally:
        engine.release.set()
        site.stop()
        probe.close()


def test_probes_and_metrics_answer_while_every_turn_thread_is_busy(busy: BusyServer) -> None:
    users = [f"busy-user-{n}" for n in range(USERS)]
    stack = Stack(busy.base + CALLBACK_PATH, busy.fake, busy.app, None)  # type: ignore[arg-type]
    for user in users:
        assert stack.send(event("message", user, content={"type": "text", "text": "こんにちは"})) == 200
    for _ in range(TURN_THREADS):   # every turn thread is now inside the engine
        assert busy.engine.started.acquire(timeout=60), "the turns did not start"
    assert len(busy.app[PENDING]) == len(users)

    health = get(busy.base + "/healthz")
    assert (health.status, health.json()) == (200, {"status": "ok"}) and health.request_id
    ready = get(busy.base + "/readyz")
    assert ready.status == 200, ready.body
    checks = ready.json()["checks"]
    assert isinstance(checks, dict) and {name: check["ok"] for name, check in checks.items()} == {
        "database": True, "migrations": True}
    metrics = get(busy.base + "/metrics")
    assert metrics.status == 200 and f"gunmane_queue_depth {float(len(users))}" in metrics.body.decode()
    assert busy.fake.log.delivered() == []          # nothing was answered yet: the engine is still busy

    busy.engine.release.set()
    stack.wait()
    assert sorted(call.target for call in busy.fake.log.delivered()) == sorted(users)
    after = get(busy.base + "/metrics").body.decode()
    assert f'gunmane_turns_total{{outcome="ok",platform="lineworks"}} {float(len(users))}' in after
    assert "gunmane_queue_depth 0.0" in after


def test_the_server_serve_lineworks_runs_answers_the_probes(lineworks: Stack) -> None:
    base = lineworks.site.url
    assert get(base + "/healthz").status == 200
    ready = get(base + "/readyz")
    assert ready.status == 200 and ready.json()["status"] == "ok"
    assert b"gunmane_database_up 1.0" in get(base + "/metrics").body
    assert get(base + CALLBACK_PATH).status == 405           # the callback takes only POST
