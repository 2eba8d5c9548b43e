"""The secretariat's commands: curation, audit, introductions, privacy and the report.

    gunmane advisor|case|engineer|training add|edit|show|list|delete …
    gunmane advisor pause|retire|activate|forget ID     gunmane engineer forget ID
    gunmane audit [--kind K --id ID]
    gunmane intros list|expire|remind|followup|feedback|accept|decline|complete|reassign
    gunmane report --out DIR [--since DATE]

Thin: parse, call the secretariat service (bot/secretariat) and the relay's
jobs and dispatcher (bot/relay) with the senders the settings configure
(Slack, Teams; everyone else is listed for the secretariat to write to), print.
Every change is made under the name given by ``--by`` (default
``cli:<login>``), which the audit log records.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import database, handle_errors
from bot.cli.outbox import print_outbox
from bot.dialogue.deliveries import notice_of
from bot.dialogue.messages import label
from bot.relay import jobs
from bot.relay.dispatch import Dispatcher
from bot.relay.senders import configured_senders
from bot.secretariat import audit, curation, erasure, feedback, introductions, queues
from bot.terminal import cell, json_line, printable
from knowledge.db import Database
from knowledge.errors import ValidationFailed
from knowledge.jsonl import JsonLineError, parse_line
from knowledge.models import Introduction
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import record_type
from knowledge.settings import Settings

console = Console()
TABLE_COLUMNS = {
    "advisor": ("id", "name", "prefecture", "fields", "processes", "capacity", "status", "contact"),
    "case": ("id", "title", "prefecture", "scheme", "fields", "processes"),
    "engineer": ("id", "name", "prefecture", "municipality", "fields", "processes", "discoverable", "contact"),
    "training": ("id", "title", "kind", "prefecture", "start_date", "fields", "processes"),
    "technology": ("id", "name", "vendor", "catalogue", "fields", "processes", "status", "contact"),
}
INTRO_COLUMNS = ("id", "state", "target_kind", "target", "requester", "requested_at", "rating")
By = typer.Option(None, "--by", help="Who makes the change (recorded in the audit log); default cli:<login>.")


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            problems.append(f"--set {pair!r}: write FIELD=VALUE (lists as a;b)")
            continue
        data[key.strip()] = value
    if problems:
        raise ValidationFailed(problems)
    return data


def _json_record(text: str) -> dict[str, Any]:
    """The record given with ``--json``: one JSON object, checked like a line of a JSONL import."""
    try:
        value = parse_line(text)
    except JsonLineError as exc:
        raise ValidationFailed([f"--json: {exc}"]) from None
    if not isinstance(value, dict):
        raise ValidationFailed([f"--json: expected one JSON object {{\"id\": …}}, got {type(value).__name__}"])
    return value


def _mask(value: Any) -> str:
    text = "" if value is None else str(value)
    return text[:2] + "…" if len(text) > 2 else text


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def _prompt_record(kind: str, current: dict[str, Any] | None) -> dict[str, Any]:
    """Ask for every field of the kind; Enter keeps the current value (edit) or leaves it empty."""
    model = record_type(kind)
    required = set(model.required_fields())
    data: dict[str, Any] = {}
    for name in model.field_names():
        if current is not None and name == "id":
            continue
        default = _cell(current.get(name)) if current else ""
        mark = " (必須)" if name in required else ""
        hint = " [a;b]" if name in model.list_fields() else ""
        value = typer.prompt(f"{name}{mark}{hint}", default=default, show_default=bool(default))
        if value != default or current is None:
            data[name] = value
    return data


def _dispatcher(cfg: Settings, db: Database) -> Dispatcher:
    """The dispatcher with a sender for every chat platform the settings configure (Slack, Teams, …)."""
    return Dispatcher(db, configured_senders(cfg, db))


def _notify(cfg: Settings, db: Database, intro: Introduction) -> None:
    """Tell the people involved about an introduction's new state, as a chat acceptance or decline would."""
    notice = notice_of(intro)
    if notice is None:
        return
    report = _dispatcher(cfg, db).notify([notice])
    if report.outbox:
        typer.echo(f"{len(report.sent)} delivered in chat, {len(report.outbox)} for the secretariat to send:")
    print_outbox(report)


# ---------------------------------------------------------------- records


def _register_record_commands(app: typer.Typer, kind: str) -> typer.Typer:
    title = label("kind", kind, "ja")
    sub = typer.Typer(help=f"{title} ({kind}) を追加・編集・表示・一覧します。", no_args_is_help=True)

    @sub.command("add")
    @handle_errors
    def add_cmd(
        sets: list[str] = typer.Option([], "--set", "-s", help="FIELD=VALUE; repeat. Lists as a;b."),
        from_json: str | None = typer.Option(None, "--json", help="The whole record as one JSON object."),
        interactive: bool = typer.Option(False, "--interactive", "-i", help="Ask for each field."),
        by: str | None = By,
    ) -> None:
        """Add a new record (flags, JSON, or prompts)."""
        data = _json_record(from_json) if from_json else {}
        data.update(_parse_sets(sets))
        if interactive or (not data and sys.stdin.isatty()):
            data.update(_prompt_record(kind, None))
        if not data:
            raise ValidationFailed(["record: nothing given; use --set FIELD=VALUE, --json or --interactive"])
        with database(f"{kind} add") as (_, db), db.session() as session:
            row = curation.add(session, kind, data, actor=_actor(by), directory=MunicipalityDirectory(session))
            typer.echo(f"Added {kind} {row.ext_id}.")

    @sub.command("edit")
    @handle_errors
    def edit_cmd(
        record_id: str = typer.Argument(..., metavar="ID"),
        sets: list[str] = typer.Option([], "--set", "-s", help="FIELD=VALUE; repeat. Empty value clears."),
        interactive: bool = typer.Option(False, "--interactive", "-i", help="Ask for each field."),
        by: str | None = By,
    ) -> None:
        """Change fields of a record; the audit log keeps before and after."""
        changes = _parse_sets(sets)
        with database(f"{kind} edit") as (_, db), db.session() as session:
            if interactive or (not changes and sys.stdin.isatty()):
                changes.update(_prompt_record(kind, curation.to_data(kind, curation.find(session, kind, record_id))))
            _, changed = curation.edit(session, kind, record_id, changes, actor=_actor(by),
                                       directory=MunicipalityDirectory(session))
        if changed:
            typer.echo(f"Updated {kind} {record_id}: {', '.join(changed)}.")
        else:
            typer.echo(f"No change to {kind} {record_id}.")

    @sub.command("show")
    @handle_errors
    def show_cmd(record_id: str = typer.Argument(..., metavar="ID"),
                 as_json: bool = typer.Option(False, "--json", help="Print the contract JSON.")) -> None:
        """Show one record (contacts included: this is the secretariat's tool)."""
        with database(f"{kind} show") as (_, db), db.session() as session:
            if as_json:
                typer.echo(json_line(curation.to_data(kind, curation.find(session, kind, record_id))))
                return
            shown = curation.details(session, kind, record_id)
        for key, value in shown.items():
            typer.echo(printable(f"{key:>14}: {_cell(value) if not isinstance(value, dict) else value}"))

    @sub.command("list")
    @handle_errors
    def list_cmd(
        field: str | None = typer.Option(None, "--field", help="Field code or label (橋梁, bridge)."),
        process: str | None = typer.Option(None, "--process", help="Process code or label (点検)."),
        prefecture: str | None = typer.Option(None, "--prefecture", help="e.g. 奈良県"),
        status: str | None = typer.Option(None, "--status", help=f"One of: {', '.join(curation.LIST_STATUSES[kind])}"),
        as_json: bool = typer.Option(False, "--json", help="JSONL in the contract format."),
        show_contacts: bool = typer.Option(False, "--show-contacts", help="Do not mask contacts in the table."),
    ) -> None:
        """List records, filtered."""
        with database(f"{kind} list") as (_, db), db.session() as session:
            rows = curation.list_records(session, kind, field=field, process=process, prefecture=prefecture,
                                         status=status)
            records = [curation.to_data(kind, r) for r in rows]
        if as_json:
            for record in records:
                typer.echo(json_line(record))
            return
        table = Table(title=f"{title}: {len(records)}")
        for column in TABLE_COLUMNS[kind]:
            table.add_column(column, overflow="fold")
        for record in records:
            table.add_row(*[
                cell(_mask(record.get(c)) if c == "contact" and not show_contacts else _cell(record.get(c)))
                for c in TABLE_COLUMNS[kind]
            ])
        console.print(table)

    @sub.command("delete")
    @handle_errors
    def delete_cmd(record_id: str = typer.Argument(..., metavar="ID"),
                   yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
                   by: str | None = By) -> None:
        """Delete a record (for people prefer `forget`, which keeps the statistics)."""
        if not yes:
            typer.confirm(f"Delete {kind} {record_id}?", abort=True)
        with database(f"{kind} delete") as (_, db), db.session() as session:
            curation.delete(session, kind, record_id, actor=_actor(by))
        typer.echo(f"Deleted {kind} {record_id}.")

    app.add_typer(sub, name=kind)
    return sub


def _status_command(command: str, status: str, verb: str) -> Callable[..., None]:
    def status_cmd(record_id: str = typer.Argument(..., metavar="ID"), by: str | None = By) -> None:
        with database(f"advisor {command}") as (_, db), db.session() as session:
            _, changed = curation.set_advisor_status(session, record_id, status, actor=_actor(by))
        typer.echo(f"{verb} advisor {record_id}." if changed else f"Advisor {record_id} was already {status}.")

    status_cmd.__doc__ = f"Set the advisor's status to {status} (takes effect in every worker at once)."
    return handle_errors(status_cmd)


def _register_status_commands(advisor_app: typer.Typer) -> None:
    for command, status, verb in (("pause", "paused", "Paused"), ("retire", "retired", "Retired"),
                                  ("activate", "active", "Activated")):
        advisor_app.command(command)(_status_command(command, status, verb))


def _register_forget(sub: typer.Typer, kind: str) -> None:
    @sub.command("forget")
    @handle_errors
    def forget_cmd(record_id: str = typer.Argument(..., metavar="ID"),
                   yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
                   by: str | None = By) -> None:
        """Erase the person's name, contact and expertise; keep anonymised statistics."""
        if not yes:
            typer.confirm(f"Erase the personal data of {kind} {record_id}? This cannot be undone.", abort=True)
        with database(f"{kind} forget") as (_, db), db.session() as session:
            report = erasure.forget(session, kind, record_id, actor=_actor(by))
        if report.already_forgotten:
            typer.echo(f"The personal data of {kind} {record_id} was already erased.")
            return
        scrubbed = ", ".join(f"{t} {n}" for t, n in report.scrubbed.items()) or "none"
        typer.echo(f"Erased {', '.join(report.erased_fields)} of {kind} {record_id}; "
                   f"copies removed from: {scrubbed}. Statistics kept.")


# ---------------------------------------------------------------- audit


def _audit_cmd(
    kind: str | None = typer.Option(None, "--kind", help="advisor, case, engineer, training, introduction"),
    record_id: str | None = typer.Option(None, "--id", help="External id (introductions: the number)."),
    limit: int = typer.Option(50, "--limit", help="Show the last N entries."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show the audit history: who changed what, when, before and after."""
    with database("audit") as (_, db), db.session() as session:
        rows = audit.entries(session, kind=kind, record_id=record_id, limit=limit)
    if as_json:
        for row in rows:
            typer.echo(json_line(row))
        return
    if not rows:
        typer.echo("No audit entries.")
    for row in rows:
        typer.echo(printable(f"{row['at']}  {row['actor']}  {row['action']}  {row['kind']} {row['id'] or ''}"))
        if row["before"] is not None:
            typer.echo(f"    before: {json_line(row['before'])}")
        if row["after"] is not None:
            typer.echo(f"    after:  {json_line(row['after'])}")


# ---------------------------------------------------------------- introductions


def _register_intros(app: typer.Typer) -> None:
    sub = typer.Typer(help="紹介 (introductions): 一覧、期限切れ、リマインド、フォローアップ。", no_args_is_help=True)

    @sub.command("list")
    @handle_errors
    def list_cmd(state: str | None = typer.Option(None, "--state", help="requested, accepted, declined, "
                                                  "expired, completed, brokered"),
                 as_json: bool = typer.Option(False, "--json")) -> None:
        """List introductions, oldest first."""
        with database("intros list") as (_, db), db.session() as session:
            try:
                rows = queues.introduction_rows(session, state=state)
            except ValueError as exc:
                raise ValidationFailed([f"state: {exc}"]) from None
        if as_json:
            for row in rows:
                typer.echo(json_line(row))
            return
        table = Table(title=f"紹介: {len(rows)}")
        for column in INTRO_COLUMNS:
            table.add_column(column)
        for row in rows:
            table.add_row(*[cell(_cell(row[c])) for c in INTRO_COLUMNS])
        console.print(table)

    @sub.command("expire")
    @handle_errors
    def expire_cmd(days: int | None = typer.Option(None, "--days", help="Default: GUNMANE_INTRO_EXPIRE_DAYS"),
                   by: str | None = typer.Option("system", "--by")) -> None:
        """Expire requests nobody answered in time and tell the requesters (safe to run from cron: idempotent)."""
        with database("intros expire") as (cfg, db):
            report = jobs.expire(db, cfg, configured_senders(cfg, db), actor=by or "system", days=days)
        expired = report.intro_ids
        typer.echo(f"Expired {len(expired)} introduction(s)" + (f": {', '.join(map(str, expired))}" if expired
                                                                  else "."))
        print_outbox(report.delivered)

    def _send(purpose: str, dry_run: bool) -> None:
        with database(f"intros {purpose}") as (cfg, db):
            send = jobs.send_reminders if purpose == "remind" else jobs.send_followups
            report = send(db, cfg, configured_senders(cfg, db), dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        typer.echo(f"{verb} {report.purpose}s for {len(report.intro_ids)} introduction(s); "
                   f"{len(report.delivered.sent)} delivered in chat, {len(report.outbox)} for the secretariat to send:")
        print_outbox(report.delivered)

    @sub.command("remind")
    @handle_errors
    def remind_cmd(dry_run: bool = typer.Option(False, "--dry-run", help="Show, send nothing, mark nothing.")) -> None:
        """Remind the person asked when a request waits GUNMANE_INTRO_REMINDER_DAYS (once per request)."""
        _send("remind", dry_run)

    @sub.command("followup")
    @handle_errors
    def followup_cmd(
        dry_run: bool = typer.Option(False, "--dry-run", help="Show, send nothing, mark nothing."),
    ) -> None:
        """Ask both sides whether it helped, GUNMANE_INTRO_FOLLOWUP_DAYS after acceptance (once)."""
        _send("followup", dry_run)

    @sub.command("feedback")
    @handle_errors
    def feedback_cmd(intro_id: int = typer.Argument(..., metavar="ID"),
                     side: str = typer.Option("requester", "--side", help="requester or target"),
                     rating: int | None = typer.Option(None, "--rating", help="1 (no help) … 5 (great help)"),
                     comment: str | None = typer.Option(None, "--comment"),
                     by: str | None = By) -> None:
        """Record an answer to the follow-up received by mail or phone."""
        if side not in feedback.SIDES:
            raise ValidationFailed([f"side: {side!r} is not allowed; use requester or target"])
        with database("intros feedback") as (_, db), db.session() as session:
            feedback.record_feedback(session, intro_id, side=feedback.side_of(side), rating=rating, comment=comment,
                                     actor=_actor(by))
        typer.echo(f"Recorded the {side}'s feedback on introduction {intro_id}.")

    transitions = (("accept", introductions.accept), ("decline", introductions.decline),
                   ("complete", introductions.complete))
    for name, func in transitions:
        sub.command(name)(_transition_command(name, func))

    @sub.command("reassign")
    @handle_errors
    def reassign_cmd(intro_id: int = typer.Argument(..., metavar="ID"),
                     to: str = typer.Option(..., "--to", help="External id of the new advisor or engineer."),
                     kind: str = typer.Option("advisor", "--kind", help="advisor or engineer"),
                     by: str | None = By) -> None:
        """Hand a request to another advisor or engineer (or give a brokered one its person), and send it."""
        with database("intros reassign") as (cfg, db):
            with db.session() as session:
                target = curation.find(session, kind, to)
                new = introductions.reassign(session, intro_id, target_kind=kind, target_id=target.id,
                                             actor=_actor(by))
            typer.echo(f"Introduction {intro_id} reassigned to {kind} {to} as introduction {new.id}.")
            _notify(cfg, db, new)

    app.add_typer(sub, name="intros")


def _transition_command(name: str, func: Callable[..., Introduction]) -> Callable[..., None]:
    def transition_cmd(intro_id: int = typer.Argument(..., metavar="ID"), by: str | None = By) -> None:
        with database(f"intros {name}") as (cfg, db):
            with db.session() as session:
                intro = func(session, intro_id, actor=_actor(by))
            typer.echo(f"Introduction {intro_id} is now {intro.state}.")
            _notify(cfg, db, intro)

    done = "d" if name.endswith("e") else "ed"
    transition_cmd.__doc__ = f"Mark an introduction {name}{done} on someone's behalf (answer by mail or phone)."
    return handle_errors(transition_cmd)


# ---------------------------------------------------------------- report


def _report_cmd(
    out: Path = typer.Option(..., "--out", help="Directory for the PNG charts and report.html."),
    since: str | None = typer.Option(None, "--since", help="Only consultations and introductions from "
                                                          "this date (YYYY-MM-DD)."),
    unmet_below: float | None = typer.Option(None, "--unmet-below", help="A sub-issue counts as unmet when "
                                             "its best match scored below this (default 1.15, on the matcher's "
                                             "scale)."),
) -> None:
    """Write the 見える化 report: map, field × process heat map, funnel, unmet needs, advisor load, the groups map
    and the funnel groups → events → participants → joint adoption."""
    from bot.report import build_report

    since_date: date | None = None
    if since:
        try:
            since_date = date.fromisoformat(since)
        except ValueError:
            raise ValidationFailed([f"--since: {since!r} is not a date; write YYYY-MM-DD"]) from None
    with database("report") as (_, db):
        kwargs: dict[str, Any] = {} if unmet_below is None else {"unmet_below": unmet_below}
        result = build_report(db, out, since=since_date, **kwargs)
    groups = result.summary.groups.funnel
    typer.echo(f"Wrote {len(result.charts)} charts and {result.html} "
               f"({result.summary.consultations} consultations, {result.summary.introductions} introductions, "
               f"{groups.groups} groups, {groups.events} events{' since ' + since if since else ''}).")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    subs = {kind: _register_record_commands(app, kind) for kind in curation.KINDS}
    _register_status_commands(subs["advisor"])
    _register_forget(subs["advisor"], "advisor")
    _register_forget(subs["engineer"], "engineer")
    app.command("audit")(handle_errors(_audit_cmd))
    _register_intros(app)
    app.command("report")(handle_errors(_report_cmd))
