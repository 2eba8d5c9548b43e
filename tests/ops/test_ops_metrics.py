"""Metrics: turns, latency, queue depth, job runs, and introductions by state read at scrape time."""

from __future__ import annotations

import pytest

from bot.monitoring import Metrics
from bot.secretariat import introductions as intros


def test_turns_latency_and_queue_depth() -> None:
    metrics = Metrics()
    assert metrics.timed_turn("slack", lambda: "answered") == "answered"
    with pytest.raises(RuntimeError):
        metrics.timed_turn("teams", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    metrics.set_queue_depth(3)
    text = metrics.render().decode()
    assert 'gunmane_turns_total{outcome="ok",platform="slack"} 1.0' in text
    assert 'gunmane_turns_total{outcome="error",platform="teams"} 1.0' in text
    assert 'gunmane_turn_seconds_count{platform="slack"} 1.0' in text
    assert "gunmane_queue_depth 3.0" in text
    assert "gunmane_introductions" not in text   # no database given: nothing read from one


def test_introductions_by_state_are_read_at_each_scrape(db, make_intro, settings) -> None:
    from bot.scheduler import JobRunner, default_registry

    metrics = Metrics(db)
    before = metrics.render().decode()
    assert 'gunmane_introductions{state="requested"} 0.0' in before
    old, _ = make_intro(days_ago=20), make_intro(days_ago=1)
    assert 'gunmane_introductions{state="requested"} 2.0' in metrics.render().decode()
    JobRunner(db, settings, default_registry(), metrics=metrics).run("intro-expire")
    with db.session() as session:
        assert intros.get(session, old).state == "expired"
    after = metrics.render().decode()
    assert 'gunmane_introductions{state="requested"} 1.0' in after
    assert 'gunmane_introductions{state="expired"} 1.0' in after
    assert 'gunmane_job_last_success_timestamp_seconds{job="intro-expire"}' in after
    assert 'gunmane_job_runs_total{job="intro-expire",outcome="ok"} 1.0' in after
    assert "gunmane_database_up 1.0" in after
