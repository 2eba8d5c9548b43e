"""Prometheus metrics of one worker, exposed on ``/metrics``.

Counted in the process: turns (by platform and outcome) and their latency,
the depth of the work queue, job runs. Read from the database at scrape time
(so every worker reports the same, current figures): introductions by state
and the last successful run of each job. A scrape never fails because the
database is away: ``gunmane_database_up`` turns 0 instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.monitoring.health import missing_sqlite_file
from knowledge.db import Database
from knowledge.models import INTRO_STATES, Introduction, JobRun

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
T = TypeVar("T")


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("gunmane_database_up", "1 when the database answered this scrape")
        intros = GaugeMetricFamily("gunmane_introductions", "Introductions by state", labels=["state"])
        last_ok = GaugeMetricFamily("gunmane_job_last_success_timestamp_seconds",
                                    "Start of the last successful run of each job (any worker)", labels=["job"])
        try:
            missing = missing_sqlite_file(self.db)
            if missing is not None:
                raise FileNotFoundError(missing)
            with self.db.session() as session:
                counts = dict(session.execute(select(Introduction.state, func.count())
                                              .group_by(Introduction.state)).tuples().all())
                runs = session.execute(select(JobRun.name, func.max(JobRun.started_at))
                                       .where(JobRun.outcome == "ok").group_by(JobRun.name)).tuples().all()
        except Exception as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for state in INTRO_STATES:
            intros.add_metric([state], counts.get(state, 0))
        for name, started in runs:
            stamp = started if started.tzinfo else started.replace(tzinfo=UTC)  # SQLite: naive UTC
            last_ok.add_metric([name], stamp.timestamp())
        yield from (up, intros, last_ok)


class Metrics:
    """The metrics of one worker in a registry of its own (tests and several servers stay apart)."""

    def __init__(self, db: Database | None = None) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("gunmane_turns", "Dialogue turns answered", ["platform", "outcome"],
                             registry=self.registry)
        self.turn_seconds = Histogram("gunmane_turn_seconds", "Time to answer one turn", ["platform"],
                                      buckets=TURN_BUCKETS, registry=self.registry)
        self.queue_depth = Gauge("gunmane_queue_depth", "Turns waiting for a worker", registry=self.registry)
        self.job_runs = Counter("gunmane_job_runs", "Job firings in this worker (busy, not_due: not run here)",
                                ["job", "outcome"], registry=self.registry)
        self.job_seconds = Histogram("gunmane_job_seconds", "Duration of job runs", ["job"], registry=self.registry)
        if db is not None:
            self.registry.register(DatabaseCollector(db))

    def observe_turn(self, platform: str, seconds: float, outcome: str = "ok") -> None:
        self.turns.labels(platform=platform, outcome=outcome).inc()
        self.turn_seconds.labels(platform=platform).observe(seconds)

    def timed_turn(self, platform: str, handle: Callable[[], T]) -> T:
        """Run ``handle`` (one turn) and count it; an exception counts as outcome ``error``."""
        started = time.perf_counter()
        try:
            result = handle()
        except BaseException:
            self.observe_turn(platform, time.perf_counter() - started, "error")
            raise
        self.observe_turn(platform, time.perf_counter() - started)
        return result

    def set_queue_depth(self, depth: int) -> None:
        self.queue_depth.set(depth)

    def job_run(self, name: str, outcome: str, seconds: float) -> None:
        self.job_runs.labels(job=name, outcome=outcome).inc()
        if outcome not in ("busy", "not_due"):   # fired but not run here: no duration to speak of
            self.job_seconds.labels(job=name).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
