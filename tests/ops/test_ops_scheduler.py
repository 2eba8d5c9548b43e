"""The scheduler inside the servers: on, off, failing jobs, and two processes sharing one schedule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bot.relay.senders import SenderRegistry
from bot.scheduler import JobContext, JobRegistry, JobSpec, start_scheduler
from bot.secretariat import introductions as intros
from knowledge.models import AuditEntry, JobRun

WORKER = Path(__file__).with_name("scheduler_worker.py")
ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 60


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_off_starts_nothing(db, settings) -> None:
    handle = start_scheduler(settings.model_copy(update={"scheduler": False}), db, senders=SenderRegistry())
    assert not handle.running and handle.job_names() == []
    handle.shutdown()


def test_a_failing_job_never_stops_the_scheduler(db, settings) -> None:
    def broken(ctx: JobContext) -> str:
        raise ValueError("broken on purpose")

    registry = JobRegistry((
        JobSpec("broken", "job_intro_expire", broken, "fails"),
        JobSpec("works", "job_intro_remind", lambda ctx: "fine", "succeeds"),
    ))
    handle = start_scheduler(settings, db, registry=registry, senders=SenderRegistry())
    try:
        assert handle.running and sorted(handle.job_names()) == ["broken", "works"]
        _wait_for(lambda: set(handle.runner.last_results) == {"broken", "works"}, "both jobs to fire")
        assert handle.running
        assert handle.runner.last_results["broken"].outcome == "failed"
        assert handle.runner.last_results["works"].outcome == "ok"
        assert handle.runner.run("broken").outcome == "failed"   # still due: tried again, not skipped
    finally:
        handle.shutdown()
    assert not handle.running
    handle.shutdown()   # twice is fine


def _worker(env: dict[str, str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(WORKER)], cwd=ROOT, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env={**os.environ, **env, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    assert json.loads(proc.stdout.readline()) == {"ready": True}
    return proc


def test_two_processes_run_each_due_job_once(db, cli_env, make_intro) -> None:
    overdue = [make_intro(days_ago=20), make_intro(days_ago=30)]
    reminded = make_intro(days_ago=5)
    workers = [_worker(cli_env), _worker(cli_env)]
    try:
        for proc in workers:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        seen = []
        for proc in workers:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line, "a worker died"
            seen.append(json.loads(line))
    finally:
        for proc in workers:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=60)
            if proc.stdout:
                proc.stdout.close()
    names = {"intro-expire", "intro-remind", "intro-followup", "group-expire", "event-remind", "event-adoption"}
    assert all(set(outcomes) == names for outcomes in seen), seen
    for name in names:   # exactly one worker ran it; the other found it busy or already done
        assert sorted(outcomes[name] for outcomes in seen)[1] == "ok", seen
        assert sorted(outcomes[name] for outcomes in seen)[0] in ("busy", "not_due"), seen
    assert [w.returncode for w in workers] == [0, 0]
    with db.session() as session:
        runs = session.scalars(select(JobRun)).all()
        assert sorted(r.name for r in runs) == sorted(names) and {r.outcome for r in runs} == {"ok"}
        assert len({r.worker for r in runs}) >= 1
        for intro_id in overdue:
            assert intros.get(session, intro_id).state == "expired"
        expire_audits = session.scalars(select(AuditEntry).where(AuditEntry.action.like("%expire%"))).all()
        assert sorted(int(a.record_id) for a in expire_audits) == sorted(overdue)
        reminders = session.scalars(select(AuditEntry).where(AuditEntry.action == "intro_remind")).all()
        reminded_ids = [a.record_id for a in reminders]   # the overdue ones too, if remind ran before expire
        assert str(reminded) in reminded_ids and len(reminded_ids) == len(set(reminded_ids))
