"""Schedule settings: intervals, crontab lines, off — and clear refusals of anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from knowledge.schedules import ScheduleError, parse_schedule
from knowledge.settings import Settings

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)   # 09:00 in Tokyo, a Tuesday


def test_an_interval_is_due_one_interval_after_the_last_success() -> None:
    schedule = parse_schedule("15m")
    assert schedule.enabled and schedule.interval == timedelta(minutes=15)
    assert schedule.is_due(None, T0)
    assert not schedule.is_due(T0, T0 + timedelta(minutes=5))
    assert schedule.is_due(T0, T0 + timedelta(minutes=15))


def test_workers_ticking_out_of_phase_do_not_skip_a_slot() -> None:
    # The last run started a few milliseconds after this worker's tick: still this tick's turn.
    schedule = parse_schedule("15m")
    assert schedule.is_due(T0 + timedelta(milliseconds=80), T0 + timedelta(minutes=15))


def test_a_crontab_line_is_read_in_the_scheduler_time_zone() -> None:
    schedule = parse_schedule("0 9 * * 1-5", "Asia/Tokyo")
    after = schedule.next_after(T0)
    assert after is not None and after.astimezone(UTC) == T0 + timedelta(days=1)
    assert not schedule.is_due(T0 + timedelta(milliseconds=3), T0 + timedelta(hours=3))
    assert schedule.is_due(T0 - timedelta(days=1), T0 + timedelta(seconds=1))


def test_off_is_never_due() -> None:
    schedule = parse_schedule(" OFF ")
    assert not schedule.enabled and schedule.text == "off"
    assert not schedule.is_due(None, T0)
    assert schedule.next_after(T0) is None


@pytest.mark.parametrize("text, says", [
    ("5x", "not a schedule"),
    ("", "not a schedule"),
    ("-5m", "not a schedule"),
    ("3s", "too often"),
    ("１５m", "not a schedule"),                          # full-width digits
    ("61 9 * * *", "not a valid crontab line"),
    ("0 9 * * 1-5; rm -rf /", "not a schedule"),
    ("0 9 * * mon-xyz", "not a valid crontab line"),
    ("1" * 500, "short text"),
    ("0\x00 9 * * *", "not a schedule"),
])
def test_bad_schedules_say_what_to_write(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text)
    assert says in str(info.value)
    assert "15m" in str(info.value) or "shortest" in str(info.value)


def test_settings_validate_schedules_time_zone_and_switch(tmp_path) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(job_intro_remind="every day")
    assert "not a schedule" in str(info.value)
    with pytest.raises(ValidationError) as info:
        Settings(scheduler_timezone="Mars/Olympus")
    assert "IANA" in str(info.value)
    with pytest.raises(ValidationError) as info:
        Settings(scheduler="maybe")
    assert "GUNMANE_SCHEDULER=off" in str(info.value)
    assert Settings(scheduler="off").scheduler is False
    assert Settings(scheduler="on").scheduler is True
    assert Settings().job_intro_expire == "1h"
