"""The scheduler inside every ``gunmane serve …`` process.

    handle = start_scheduler(settings, db)      # at server start
    ...
    handle.shutdown()                           # at server stop

APScheduler's BackgroundScheduler fires each enabled job on its trigger (and
once right at start, to catch up on a run missed while no worker was up);
every firing goes through :class:`JobRunner`, which takes the job's lock and
runs it only when it is due — so however many workers run, each due run
happens once. ``GUNMANE_SCHEDULER=off`` turns it off in a process (for
installations that prefer cron: ``gunmane jobs run --due``).
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor  # type: ignore[import-untyped]
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from bot.relay.senders import SenderRegistry
from bot.scheduler.jobs import chat_senders, default_registry
from bot.scheduler.registry import JobRegistry
from bot.scheduler.runner import JobMetrics, JobRunner
from knowledge.db import Database
from knowledge.schedules import parse_timezone
from knowledge.settings import Settings

log = logging.getLogger(__name__)


class SchedulerHandle:
    """What :func:`start_scheduler` returns; ``shutdown()`` is safe to call twice or when off."""

    def __init__(self, runner: JobRunner, scheduler: BackgroundScheduler | None) -> None:
        self.runner = runner
        self._scheduler = scheduler

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def job_names(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()] if self._scheduler is not None else []

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop firing; with ``wait``, let a job that is running finish first."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
            log.info("scheduler stopped")


def start_scheduler(
    settings: Settings,
    db: Database,
    *,
    registry: JobRegistry | None = None,
    senders: SenderRegistry | None = None,
    metrics: JobMetrics | None = None,
) -> SchedulerHandle:
    """Start the jobs of ``registry`` (default: every gunmane job) in background threads."""
    registry = registry or default_registry()
    runner = JobRunner(db, settings, registry, senders=chat_senders(settings, db) if senders is None else senders,
                       metrics=metrics)
    if not settings.scheduler:
        log.info("scheduler off in this process (GUNMANE_SCHEDULER=off); run `gunmane jobs run --due` from cron")
        return SchedulerHandle(runner, None)
    zone = parse_timezone(settings.scheduler_timezone)
    scheduler = BackgroundScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        # One firing at a time per job; a late firing runs once, however late (the runner checks "due").
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    started = []
    for spec in registry:
        schedule = spec.schedule(settings)
        if not schedule.enabled:
            log.info("job %s is off (%s=off)", spec.name, spec.variable)
            continue
        scheduler.add_job(_fire, trigger=schedule.trigger, args=[runner, spec.name], id=spec.name, name=spec.name,
                          next_run_time=datetime.now(zone))
        started.append(f"{spec.name} ({schedule.text})")
    scheduler.start()
    log.info("scheduler started as %s: %s", runner.worker, ", ".join(started) or "no job enabled")
    return SchedulerHandle(runner, scheduler)


def _fire(runner: JobRunner, name: str) -> None:
    """One firing; whatever happens, the scheduler keeps going."""
    try:
        result = runner.run(name)
    except Exception:  # the runner already never raises; this guards the thread all the same
        log.exception("job %s: unexpected error in the runner", name)
        return
    if result.outcome in ("busy", "not_due"):
        log.debug("job %s: %s", name, result.message)
