"""`gunmane jobs list` and `gunmane jobs run NAME|--due`: output, exit codes, bad arguments and settings."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from bot.scheduler.locks import job_lock


def _run(cli_env: dict[str, str], *args: str, **env: str):
    return CliRunner().invoke(app, ["jobs", *args], env={**cli_env, **env})


def test_list_then_run_due_then_list_again(db, cli_env, make_intro) -> None:
    overdue = make_intro(days_ago=20)
    before = [json.loads(line) for line in _run(cli_env, "list", "--json").stdout.splitlines()]
    assert [row["name"] for row in before] == ["intro-expire", "intro-remind", "intro-followup",
                                               "group-expire", "event-remind", "event-adoption"]
    assert all(row["next_run"] == "due now" and row["last_run"] is None for row in before)

    run = _run(cli_env, "run", "--due")
    assert run.exit_code == 0, run.output
    assert f"intro-expire: ok — expired 1 introduction(s): #{overdue}" in run.stdout

    again = _run(cli_env, "run", "--due")
    assert again.exit_code == 0 and again.stdout.count("not due") == 6

    after = {row["name"]: row for row in map(json.loads, _run(cli_env, "list", "--json").stdout.splitlines())}
    assert after["intro-expire"]["last_outcome"] == "ok" and after["intro-expire"]["next_run"] != "due now"
    assert after["intro-remind"]["next_run"].endswith("09:00:00+09:00")
    table = _run(cli_env, "list")
    assert table.exit_code == 0 and "intro-followup" in table.stdout


def test_run_by_name_runs_even_when_not_due(db, cli_env) -> None:
    assert _run(cli_env, "run", "intro-remind").exit_code == 0
    second = _run(cli_env, "run", "intro-remind")
    assert second.exit_code == 0 and "intro-remind: ok — no reminder was due" in second.stdout


def test_a_job_held_by_another_worker(db, cli_env) -> None:
    with job_lock(db, "intro-expire") as held:
        assert held
        named = _run(cli_env, "run", "intro-expire")
        due = _run(cli_env, "run", "--due")
    assert named.exit_code == 1 and "intro-expire: busy" in named.stdout
    assert due.exit_code == 0 and "intro-expire: busy" in due.stdout and "intro-remind: ok" in due.stdout


def test_bad_arguments_and_settings(db, cli_env) -> None:
    unknown = _run(cli_env, "run", "intro-explode")
    assert unknown.exit_code == 2 and "intro-expire" in unknown.output
    neither = _run(cli_env, "run")
    both = _run(cli_env, "run", "intro-expire", "--due")
    assert neither.exit_code == both.exit_code == 2 and "--due" in neither.output
    hostile = _run(cli_env, "run", "../../etc/passwd")
    assert hostile.exit_code == 2 and "no job named" in hostile.output
    bad = _run(cli_env, "list", GUNMANE_JOB_INTRO_EXPIRE="every hour")
    assert bad.exit_code == 1 and "GUNMANE_JOB_INTRO_EXPIRE:" in bad.output and "15m" in bad.output
    off = _run(cli_env, "run", "--due", GUNMANE_JOB_INTRO_REMIND="off")
    assert off.exit_code == 0 and "intro-remind: off" in off.stdout
