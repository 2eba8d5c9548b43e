"""Fixtures of the operations tests: an advisor to introduce, introductions of a given age."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.secretariat import introductions as intros
from knowledge.db import Database
from knowledge.models import Advisor, utcnow

Make = Callable[..., int]


@pytest.fixture
def advisor_id(db: Database) -> int:
    with db.session() as session:
        row = Advisor(ext_id="ops-adv-1", name="架空 運用太郎", expertise="橋梁の点検", fields=["bridge"],
                      processes=["inspection"], regions=[], capacity=5, status="active",
                      contact="unyou@example.jp")
        session.add(row)
        session.flush()
        return row.id


@pytest.fixture
def make_intro(db: Database, advisor_id: int) -> Make:
    """An introduction requested ``days_ago`` days ago (accepted ``accepted_days_ago`` days ago, if given)."""

    made = itertools.count(1)

    def make(days_ago: float, *, accepted_days_ago: float | None = None) -> int:
        with db.session() as session:
            intro = intros.request(session, requester_platform="terminal", requester_id=f"ops-user-{next(made)}",
                                   target_kind="advisor", target_id=advisor_id, message="相談の本文(架空)")
            intro.requested_at = utcnow() - timedelta(days=days_ago)
            if accepted_days_ago is not None:
                intro.state = "accepted"
                intro.accepted_at = utcnow() - timedelta(days=accepted_days_ago)
            return intro.id

    return make


@pytest.fixture
def seeded_people(db: Database, advisor_id: int) -> Database:
    """The sample data, for driving the dialogue engine."""
    from knowledge import sample

    with db.session() as session:
        sample.seed_sample(session)
    return db


@contextmanager
def waitress_on_loopback(app: Any) -> Iterator[str]:
    """Serve a WSGI app under waitress on a free loopback port; yield its base URL; stop it cleanly."""
    from waitress.server import create_server
    from waitress.wasyncore import close_all

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.task_dispatcher.shutdown()
        server.trigger.pull_trigger(lambda: close_all(server._map))  # type: ignore[union-attr]
        thread.join(timeout=10)
