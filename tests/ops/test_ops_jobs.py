"""Running jobs: due or not, recorded, one worker at a time, failures recorded and retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.monitoring.metrics import Metrics
from bot.scheduler import JobContext, JobRegistry, JobRunner, JobSpec, default_registry
from bot.scheduler.locks import job_lock
from bot.secretariat import introductions as intros
from knowledge.db import Database
from knowledge.models import AuditEntry, JobRun
from knowledge.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _runs(db: Database, name: str) -> list[JobRun]:
    with db.session() as session:
        return list(session.scalars(select(JobRun).where(JobRun.name == name).order_by(JobRun.id)))


def test_expire_runs_when_due_and_records_the_run(db, settings, make_intro) -> None:
    overdue, fresh = make_intro(days_ago=20), make_intro(days_ago=1)
    runner = JobRunner(db, settings, default_registry(), worker="test-worker")
    result = runner.run("intro-expire")
    assert result.outcome == "ok" and f"#{overdue}" in result.message and f"#{fresh}" not in result.message
    with db.session() as session:
        assert intros.get(session, overdue).state == "expired"
        assert intros.get(session, fresh).state == "requested"
    [run] = _runs(db, "intro-expire")
    assert (run.outcome, run.worker) == ("ok", "test-worker")
    assert run.finished_at is not None and run.message == result.message
    again = runner.run("intro-expire")
    assert again.outcome == "not_due" and len(_runs(db, "intro-expire")) == 1


def test_forced_run_ignores_the_schedule_and_stays_idempotent(db, settings, make_intro) -> None:
    make_intro(days_ago=20)
    runner = JobRunner(db, settings, default_registry())
    assert runner.run("intro-expire", force=True).outcome == "ok"
    second = runner.run("intro-expire", force=True)
    assert second.outcome == "ok" and second.message == "no introduction was overdue"
    with db.session() as session:
        expiries = session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action.like("%expire%")))
    assert expiries == 1


def test_reminder_to_a_mail_contact_names_the_introduction_never_the_address(db, settings, make_intro) -> None:
    intro_id = make_intro(days_ago=5)
    result = JobRunner(db, settings, default_registry()).run("intro-remind", force=True)
    assert result.outcome == "ok"
    assert f"#{intro_id} target" in result.message and "1 for the secretariat" in result.message
    assert "@" not in _runs(db, "intro-remind")[0].message
    with db.session() as session:
        assert intros.get(session, intro_id).reminder_sent_at is not None


def _registry(run) -> JobRegistry:
    return JobRegistry((JobSpec("probe", "job_intro_expire", run, "a test job"),))


def test_a_failing_job_is_recorded_with_its_reason_and_is_due_again(db, settings) -> None:
    calls: list[datetime] = []

    def flaky(ctx: JobContext) -> str:
        calls.append(ctx.now)
        if len(calls) == 1:
            raise RuntimeError("the mail relay refused keiko@example.jp")
        return "fine"

    metrics = Metrics()
    clock = Clock()
    runner = JobRunner(db, settings, _registry(flaky), metrics=metrics, clock=clock)
    failed = runner.run("probe")
    assert failed.outcome == "failed" and "RuntimeError: the mail relay refused" in failed.message
    assert "keiko@example.jp" not in failed.message and "<email>" in _runs(db, "probe")[0].message
    clock.now += timedelta(seconds=1)
    assert runner.run("probe").outcome == "ok"     # retried: only a success makes it not due
    assert [r.outcome for r in _runs(db, "probe")] == ["failed", "ok"]
    text = metrics.render().decode()
    assert 'gunmane_job_runs_total{job="probe",outcome="failed"} 1.0' in text
    assert 'gunmane_job_runs_total{job="probe",outcome="ok"} 1.0' in text


def test_a_job_another_worker_holds_is_skipped_not_waited_for(db, settings) -> None:
    ran: list[int] = []
    runner = JobRunner(db, settings, _registry(lambda ctx: str(ran.append(1))))
    with job_lock(db, "probe") as held:
        assert held
        assert runner.run("probe", force=True).outcome == "busy"
    assert ran == [] and _runs(db, "probe") == []
    assert runner.run("probe").outcome == "ok" and ran == [1]


def test_lock_excludes_a_second_holder_until_released(db) -> None:
    with job_lock(db, "probe") as first:
        with job_lock(db, "probe") as second:
            assert first and not second
        with job_lock(db, "other") as unrelated:
            assert unrelated
    with job_lock(db, "probe") as again:
        assert again


def test_a_run_left_running_by_a_dead_worker_is_marked_abandoned(db, settings) -> None:
    with db.session() as session:
        session.add(JobRun(name="probe", outcome="running", worker="gone:1"))
    runner = JobRunner(db, settings, _registry(lambda ctx: "done"))
    assert runner.run("probe").outcome == "ok"
    assert [r.outcome for r in _runs(db, "probe")] == ["abandoned", "ok"]


def test_old_runs_are_pruned(db, settings) -> None:
    clock = Clock()
    with db.session() as session:
        session.add(JobRun(name="probe", outcome="ok", worker="w", started_at=clock.now - timedelta(days=400),
                           finished_at=clock.now - timedelta(days=400)))
    JobRunner(db, settings, _registry(lambda ctx: "done"), clock=clock).run("probe")
    assert [r.outcome for r in _runs(db, "probe")] == ["ok"] and len(_runs(db, "probe")) == 1


def test_an_off_job_is_skipped_unless_run_by_name(db, settings: Settings) -> None:
    cfg = settings.model_copy(update={"job_intro_expire": "off"})
    runner = JobRunner(db, cfg, _registry(lambda ctx: "done"))
    assert runner.run("probe").outcome == "off"
    assert [r.outcome for r in runner.run_due()] == ["off"]
    assert runner.run("probe", force=True).outcome == "ok"


def test_status_lists_schedule_last_and_next_run(db, settings) -> None:
    clock = Clock()
    runner = JobRunner(db, settings, default_registry(), clock=clock)
    before = {s.name: s for s in runner.status()}
    assert set(before) == {"intro-expire", "intro-remind", "intro-followup",
                           "group-expire", "event-remind", "event-adoption"}
    assert before["intro-expire"].due and before["intro-expire"].last is None
    runner.run("intro-expire")
    after = {s.name: s for s in runner.status()}["intro-expire"]
    assert after.last is not None and after.last.outcome == "ok" and not after.due
    assert after.next_run is not None and after.next_run - clock.now == timedelta(hours=1)


def test_unknown_job_names_the_known_ones(db, settings) -> None:
    with pytest.raises(LookupError) as info:
        JobRunner(db, settings, default_registry()).run("intro-explode")
    assert "intro-expire" in str(info.value)
