"""What a scheduled job is: a name, the setting that holds its schedule, and a function.

A job function receives a :class:`JobContext` and returns a one-line summary
of what it did (counts and ids — never a contact or a message body: the
summary is stored in ``job_runs`` and shown by ``gunmane jobs list``). It
raises to fail; the runner records the reason and the job runs again at its
next time. New jobs (group and event reminders) add a :class:`JobSpec` to
:func:`bot.scheduler.jobs.default_registry` and a ``job_…`` setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.relay.senders import SenderRegistry
from knowledge.db import Database
from knowledge.schedules import Schedule, parse_schedule
from knowledge.settings import Settings


@dataclass(frozen=True)
class JobContext:
    db: Database
    settings: Settings
    now: datetime
    senders: SenderRegistry = field(default_factory=SenderRegistry)


JobFunction = Callable[[JobContext], str]


@dataclass(frozen=True)
class JobSpec:
    name: str             # the name in `gunmane jobs run NAME`, the lock and job_runs
    setting: str          # the Settings attribute holding the schedule (GUNMANE_JOB_…)
    run: JobFunction
    description: str

    def schedule(self, settings: Settings) -> Schedule:
        return parse_schedule(str(getattr(settings, self.setting)), settings.scheduler_timezone)

    @property
    def variable(self) -> str:
        return f"GUNMANE_{self.setting.upper()}"


class UnknownJob(LookupError):
    pass


class JobRegistry:
    """The jobs one process knows, by name, in the order they were added."""

    def __init__(self, specs: tuple[JobSpec, ...] = ()) -> None:
        self._specs: dict[str, JobSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: JobSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"a job named {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def get(self, name: str) -> JobSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownJob(f"no job named {name!r}; the jobs are: {', '.join(self._specs)}") from None

    def names(self) -> list[str]:
        return list(self._specs)

    def __iter__(self) -> Iterator[JobSpec]:
        return iter(list(self._specs.values()))

    def __len__(self) -> int:
        return len(self._specs)
