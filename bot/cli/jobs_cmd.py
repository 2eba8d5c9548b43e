"""`gunmane jobs list` and `gunmane jobs run NAME|--due`: the scheduled jobs, for operators and cron.

Both are safe to repeat: ``list`` only reads, and ``run`` takes the same
per-job lock as the scheduler inside the servers, so a job never runs twice
at once; ``--due`` runs only what no worker has run in its slot yet.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import database, fail, handle_errors
from bot.monitoring.logs import configure_logging
from bot.scheduler import JobRunner, JobStatus, UnknownJob, chat_senders, default_registry
from bot.scheduler.runner import as_utc
from knowledge.schedules import parse_timezone

jobs_app = typer.Typer(help="Scheduled jobs (introductions expire, remind, follow up): list and run.",
                       no_args_is_help=True)
console = Console()


def _when(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """A moment in the scheduler's time zone (the one its crontab lines are read in)."""
    aware = as_utc(moment)
    return aware.astimezone(zone).isoformat(timespec="seconds") if aware is not None else None


def _row(status: JobStatus, zone: ZoneInfo) -> dict[str, object]:
    last = status.last
    return {
        "name": status.name,
        "schedule": status.schedule.text,
        "setting": status.variable,
        "last_run": _when(last.started_at, zone) if last else None,
        "last_outcome": last.outcome if last else None,
        "last_worker": last.worker if last else None,
        "last_message": last.message if last else None,
        "last_success": _when(status.last_ok_start, zone),
        "next_run": ("due now" if status.due else _when(status.next_run, zone)) if status.next_run else "off",
        "description": status.description,
    }


@jobs_app.command("list")
@handle_errors
def list_command(as_json: bool = typer.Option(False, "--json", help="One JSON object per job.")) -> None:
    """Each job: its schedule, last run and outcome, next run."""
    with database("jobs list") as (cfg, db):
        zone = parse_timezone(cfg.scheduler_timezone)
        rows = [_row(s, zone) for s in JobRunner(db, cfg, default_registry()).status()]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table(title=f"jobs: {len(rows)}")
    for column in ("name", "schedule", "last_run", "last_outcome", "next_run", "last_message"):
        table.add_column(column, overflow="fold", no_wrap=column in ("name", "schedule"))
    for row in rows:
        table.add_row(*[str(row[c] if row[c] is not None else "-") for c in
                        ("name", "schedule", "last_run", "last_outcome", "next_run", "last_message")])
    console.print(table)


@jobs_app.command("run")
@handle_errors
def run_command(
    name: str | None = typer.Argument(None, metavar="[NAME]", help="The job to run now (see `gunmane jobs list`)."),
    due: bool = typer.Option(False, "--due", help="Run every job that is due (for cron, e.g. every 5 minutes)."),
) -> None:
    """Run one job now, or every due job; exit 1 when a job failed."""
    if (name is None) == (not due):
        raise fail("Give either a job name (`gunmane jobs run intro-remind`) or --due (`gunmane jobs run --due`).", 2)
    with database("jobs run") as (cfg, db):
        configure_logging(cfg)
        runner = JobRunner(db, cfg, default_registry(), senders=chat_senders(cfg, db))
        if name is not None:
            try:
                results = [runner.run(name, force=True)]
            except UnknownJob as exc:
                raise fail(f"error: {exc}", 2) from None
        else:
            results = runner.run_due()
    failed = False
    for result in results:
        typer.echo(f"{result.name}: {result.outcome.replace('_', ' ')} — {result.message}")
        failed = failed or result.outcome == "failed" or (name is not None and result.outcome == "busy")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
