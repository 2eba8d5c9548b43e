"""When a scheduled job is due: an interval (``15m``), a crontab line (``0 9 * * 1-5``) or ``off``.

The triggers are APScheduler's, so the scheduler fires on exactly the
moments this module reasons about. "Due" is computed from the start of the
job's last successful run, recorded in the database by whichever worker ran
it — which is what lets several workers share one schedule: the first to
take the job's lock runs it, the others find it no longer due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# APScheduler 3 ships no type information.
from apscheduler.triggers.base import BaseTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

_INTERVAL = re.compile(r"^\s*([0-9]{1,6})\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL = timedelta(seconds=10)
MAX_TEXT = 100
# Workers tick in their own phase; a run that started a little less than an interval ago counts as this slot's.
MAX_INTERVAL_SLACK = timedelta(minutes=1)

HELP = ("write an interval such as 15m, 2h or 1d (s, m, h, d), a crontab line of five fields such as "
        "'0 9 * * 1-5' (minute hour day month weekday), or off")


class ScheduleError(ValueError):
    """A schedule text that cannot be understood; the message says what to write."""


@dataclass(frozen=True)
class Schedule:
    text: str
    trigger: BaseTrigger | None       # None: the job is off
    interval: timedelta | None = None  # set for interval schedules

    @property
    def enabled(self) -> bool:
        return self.trigger is not None

    def next_after(self, moment: datetime) -> datetime | None:
        """The first moment strictly after ``moment`` at which the job should run (None when off)."""
        if self.trigger is None:
            return None
        if self.interval is not None:
            return moment + self.interval
        following: datetime | None = self.trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        return following

    def is_due(self, last_ok_start: datetime | None, now: datetime) -> bool:
        """Whether a run is owed at ``now``, given when the last successful run started."""
        if self.trigger is None:
            return False
        if last_ok_start is None:
            return True
        following = self.next_after(last_ok_start)
        if following is None:
            return False
        if self.interval is not None:
            following -= min(self.interval / 10, MAX_INTERVAL_SLACK)
        return following <= now


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"unknown time zone {name!r}; write an IANA name such as Asia/Tokyo or UTC") from None


def parse_schedule(text: str, timezone: str = "Asia/Tokyo") -> Schedule:
    """Read a schedule setting; raise ScheduleError saying what to write instead."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ScheduleError(f"a schedule is a short text; {HELP}")
    clean = text.strip()
    if not clean.isprintable() or not clean.isascii():
        raise ScheduleError(f"{clean!r} is not a schedule; {HELP}")
    zone = parse_timezone(timezone)
    if clean.lower() == "off":
        return Schedule("off", None)
    interval = _INTERVAL.match(clean)
    if interval:
        length = timedelta(seconds=int(interval.group(1)) * _UNIT_SECONDS[interval.group(2)])
        if length < MIN_INTERVAL:
            raise ScheduleError(f"{clean!r} is too often; the shortest interval is 10s")
        return Schedule(clean, IntervalTrigger(seconds=int(length.total_seconds()), timezone=zone), length)
    if len(clean.split()) == 5:
        try:
            return Schedule(clean, CronTrigger.from_crontab(clean, timezone=zone))
        except ValueError as exc:
            raise ScheduleError(f"{clean!r} is not a valid crontab line ({exc}); {HELP}") from None
    raise ScheduleError(f"{clean!r} is not a schedule; {HELP}")
