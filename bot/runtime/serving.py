"""One server process's runtime around its adapter: turn pool, warm-up, scheduler, monitoring.

    runtime = ServerRuntime(settings, db).start()     # pool ready, engine warm, scheduler firing
    app = build_app(settings, db, engine=runtime.pool)
    HttpServer(app, settings, monitor=runtime.monitor) …
    runtime.stop()

Every ``gunmane serve …`` command (Slack, Teams, LINE WORKS) starts one, so no cron is needed for the
introduction lifecycle: the scheduler (bot/scheduler) fires the due jobs in every process and the jobs'
locks let exactly one process run each due run. A job that fails is logged and retried at its next firing;
the server keeps serving. The warm-up runs before the port opens, so a load balancer's first ``/readyz``
already finds a worker whose first user does not pay for loading the model.
"""

from __future__ import annotations

import logging

from bot.monitoring import Metrics, Monitor, Probe
from bot.runtime.pool import EngineLike, TurnPool
from bot.scheduler import SchedulerHandle, start_scheduler
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)


class ServerRuntime:
    def __init__(self, settings: Settings, db: Database, *, engine: EngineLike | None = None,
                 warm_up: bool = True, count_turns: bool = True) -> None:
        self.settings = settings
        self.db = db
        self.pool = TurnPool.for_settings(settings, db, engine)
        self.metrics = Metrics(db)
        self.metrics.queue_depth.set_function(lambda: self.pool.backlog)
        if count_turns:   # off where the adapter counts its turns itself (LINE WORKS)
            self.pool.metrics = self.metrics
        self.probe = Probe(db)
        self.monitor = Monitor(self.probe, self.metrics)
        self.scheduler: SchedulerHandle | None = None
        self._warm_up = warm_up

    def start(self) -> ServerRuntime:
        if self._warm_up:
            if self.pool.processes:
                self.pool.start()   # each pool process warms its own engine in the initializer
            else:
                try:
                    self.pool.warm_up()
                except Exception:   # a turn builds what is missing on first use; never refuse to start
                    log.exception("the warm-up failed; the first turns will build what it did not")
        self.scheduler = start_scheduler(self.settings, self.db, metrics=self.metrics)
        return self

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.pool.shutdown()
        self.probe.close()

    def __enter__(self) -> ServerRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
