"""Scheduled jobs inside the servers: the introduction lifecycle without cron.

- :func:`start_scheduler` — call at server start; ``handle.shutdown()`` at stop.
- :class:`JobRunner` — run a job now or when due (``gunmane jobs run``), status (``gunmane jobs list``).
- :class:`JobRegistry`, :class:`JobSpec`, :func:`default_registry` — the jobs; add new ones there.
"""

from bot.scheduler.jobs import chat_senders, default_registry
from bot.scheduler.registry import JobContext, JobRegistry, JobSpec, UnknownJob
from bot.scheduler.runner import JobRunner, JobStatus, RunResult
from bot.scheduler.service import SchedulerHandle, start_scheduler

__all__ = [
    "JobContext", "JobRegistry", "JobRunner", "JobSpec", "JobStatus", "RunResult", "SchedulerHandle",
    "UnknownJob", "chat_senders", "default_registry", "start_scheduler",
]
