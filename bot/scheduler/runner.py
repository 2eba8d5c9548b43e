"""Running a job once: take its lock, check it is due, record the run, never raise.

The same runner serves the scheduler inside the servers and
``gunmane jobs run``. A run is recorded in ``job_runs`` (``running`` → ``ok``
or ``failed`` with the reason); a failed job is retried at its next time,
because "due" counts only successful runs.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.monitoring.redact import redact
from bot.relay.senders import SenderRegistry
from bot.scheduler.locks import job_lock
from bot.scheduler.registry import JobContext, JobRegistry, JobSpec
from knowledge.db import Database
from knowledge.models import JobRun, utcnow
from knowledge.schedules import Schedule, parse_timezone
from knowledge.settings import Settings

log = logging.getLogger(__name__)

Outcome = Literal["ok", "failed", "busy", "not_due", "off"]
MAX_MESSAGE = 1000


class JobMetrics(Protocol):
    def job_run(self, name: str, outcome: str, seconds: float) -> None: ...


@dataclass(frozen=True)
class RunResult:
    name: str
    outcome: Outcome
    message: str

    @property
    def ran(self) -> bool:
        return self.outcome in ("ok", "failed")


@dataclass(frozen=True)
class JobStatus:
    name: str
    description: str
    variable: str
    schedule: Schedule
    last: JobRun | None          # the latest run, whatever its outcome
    last_ok_start: datetime | None
    next_run: datetime | None    # None: off
    due: bool


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobRunner:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        registry: JobRegistry,
        *,
        senders: SenderRegistry | None = None,
        metrics: JobMetrics | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.registry = registry
        self.senders = senders if senders is not None else SenderRegistry()
        self.metrics = metrics
        self.worker = worker or worker_name()
        self.clock = clock
        self.last_results: dict[str, RunResult] = {}   # the latest result of each job in this worker

    # ------------------------------------------------------------ running

    def run(self, name: str, *, force: bool = False) -> RunResult:
        """Run one job: when due (``force``: whenever), unless another worker is running it."""
        spec = self.registry.get(name)
        result = self._run(spec, force=force)
        self.last_results[name] = result
        if result.outcome in ("busy", "not_due"):   # counted too: /metrics shows that this worker fired it
            self._count(name, result.outcome, 0.0)
        return result

    def _run(self, spec: JobSpec, *, force: bool) -> RunResult:
        schedule = spec.schedule(self.settings)
        if not force and not schedule.enabled:
            return RunResult(spec.name, "off", f"off ({spec.variable}=off)")
        try:
            with job_lock(self.db, spec.name) as held:
                if not held:
                    return RunResult(spec.name, "busy", "another worker is running it now")
                return self._run_locked(spec, schedule, force=force)
        except Exception as exc:  # the database is away, the lock file cannot be made: try next time
            reason = _reason(exc)
            log.error("job %s could not start: %s; it will be tried at its next time", spec.name, reason)
            self._count(spec.name, "failed", 0.0)
            return RunResult(spec.name, "failed", reason)

    def run_due(self) -> list[RunResult]:
        """Every job that is due now, one after the other."""
        return [self.run(spec.name) for spec in self.registry]

    def _run_locked(self, spec: JobSpec, schedule: Schedule, *, force: bool) -> RunResult:
        now = self.clock()
        with self.db.session() as session:
            self._abandon_dead_runs(session, spec.name, now)
            last_ok = _last_ok_start(session, spec.name)
            if not force and not schedule.is_due(last_ok, now):
                following = schedule.next_after(last_ok) if last_ok else None
                return RunResult(spec.name, "not_due", f"next run at {self._local(following)}")
            row = JobRun(name=spec.name, started_at=now, outcome="running", worker=self.worker)
            session.add(row)
            session.flush()
            run_id = row.id
        started = time.perf_counter()
        outcome: Outcome
        try:
            message = spec.run(JobContext(self.db, self.settings, now, self.senders))
            outcome = "ok"
            log.info("job %s: %s", spec.name, message)
        except Exception as exc:
            outcome, message = "failed", _reason(exc)
            log.error("job %s failed: %s; it runs again at its next time", spec.name, message, exc_info=True)
        seconds = time.perf_counter() - started
        self._finish(run_id, spec.name, outcome, message)
        self._count(spec.name, outcome, seconds)
        return RunResult(spec.name, outcome, message)

    def _finish(self, run_id: int, name: str, outcome: str, message: str) -> None:
        finished = self.clock()
        with self.db.session() as session:
            session.execute(update(JobRun).where(JobRun.id == run_id).values(
                finished_at=finished, outcome=outcome, message=redact(message)[:MAX_MESSAGE]))
            keep_after = finished - timedelta(days=self.settings.job_runs_keep_days)
            session.execute(delete(JobRun).where(JobRun.name == name, JobRun.started_at < keep_after,
                                                 JobRun.id != run_id))

    def _abandon_dead_runs(self, session: Session, name: str, now: datetime) -> None:
        # Holding the lock, any run still marked running belongs to a worker that died mid-run.
        stale = session.execute(update(JobRun).where(JobRun.name == name, JobRun.outcome == "running").values(
            outcome="abandoned", finished_at=now, message="its worker stopped before the run ended"))
        count = int(getattr(stale, "rowcount", 0) or 0)
        if count:
            log.warning("job %s: marked %d run(s) of a stopped worker as abandoned", name, count)

    def _local(self, moment: datetime | None) -> str:
        if moment is None:
            return "never"
        return moment.astimezone(parse_timezone(self.settings.scheduler_timezone)).isoformat(timespec="seconds")

    def _count(self, name: str, outcome: str, seconds: float) -> None:
        if self.metrics is not None:
            self.metrics.job_run(name, outcome, seconds)

    # ------------------------------------------------------------ status

    def status(self) -> list[JobStatus]:
        now = self.clock()
        statuses = []
        with self.db.session() as session:
            for spec in self.registry:
                schedule = spec.schedule(self.settings)
                last = session.scalars(select(JobRun).where(JobRun.name == spec.name)
                                       .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)).first()
                last_ok = _last_ok_start(session, spec.name)
                due = schedule.is_due(last_ok, now)
                if not schedule.enabled:
                    next_run = None
                elif last_ok is None or due:
                    next_run = now
                else:
                    next_run = schedule.next_after(last_ok)
                statuses.append(JobStatus(spec.name, spec.description, spec.variable, schedule, last, last_ok,
                                          next_run, due))
        return statuses


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone; they are stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _last_ok_start(session: Session, name: str) -> datetime | None:
    return as_utc(session.scalar(select(JobRun.started_at).where(JobRun.name == name, JobRun.outcome == "ok")
                                 .order_by(JobRun.started_at.desc()).limit(1)))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:MAX_MESSAGE]
