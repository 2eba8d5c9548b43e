"""`gunmane db seed`, `gunmane import`, `gunmane export`, `gunmane list` — the records of the contract."""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import database, handle_errors
from bot.cli.db_cmd import db_app
from bot.terminal import cell, json_line, printable
from knowledge.errors import ValidationFailed
from knowledge.io import export_records, import_records, records_of_kind
from knowledge.records import Record
from knowledge.taxonomy import get_taxonomy


class Kind(StrEnum):
    advisor = "advisor"
    case = "case"
    engineer = "engineer"
    training = "training"
    technology = "technology"
    consultation = "consultation"   # import only (the intake analysis runs on each)


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (some containers)
        return "cli"


KIND_ARG = typer.Argument(..., help="advisor, case, engineer, training, technology (consultation: import only).",
                          case_sensitive=False)


@handle_errors
def seed_command(
    sample: bool = typer.Option(False, "--sample", help="Also load the fictional demo data (advisors, engineers …)."),
) -> None:
    """Load the reference data (municipalities, consultation windows, MLIT cases); idempotent."""
    from knowledge.reference import seed_reference
    from knowledge.sample import load_sample

    with database("db seed") as (_cfg, db):
        with db.session() as session:
            counts = seed_reference(session)
            reports = load_sample(session) if sample else {}
    typer.echo("Reference data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    for kind, report in reports.items():
        typer.echo(
            f"Sample data (fictional): {report.total} {kind} record(s) — "
            f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged"
        )


@handle_errors
def import_command(
    kind: Kind = KIND_ARG,
    file: Path = typer.Argument(..., help="A .csv or .jsonl file in the data-format contract."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; change nothing."),
    actor: str = typer.Option(default_actor(), "--actor", help="Who is importing (written to the audit log)."),
) -> None:
    """Import records (upsert by id). A file with any invalid row changes nothing and lists every problem."""
    if kind is Kind.consultation:
        _import_consultations(file, dry_run=dry_run, actor=actor)
        return
    with database("import") as (_cfg, db):
        with db.session() as session:
            report = import_records(session, kind.value, file, actor=actor, dry_run=dry_run)
    for warning in report.warnings:
        typer.echo(printable(f"warning: {warning}"), err=True)
    typer.echo(printable(report.summary()))


def _import_consultations(file: Path, *, dry_run: bool, actor: str) -> None:
    """Consultations go through the intake analysis (bot.secretariat.consultations)."""
    from bot.secretariat.consultations import import_consultations
    from matching.embedders import make_embedder

    with database("import") as (cfg, db):
        report = import_consultations(db, file, actor=actor, dry_run=dry_run, settings=cfg,
                                      embedder=make_embedder(cfg))
    for warning in report.warnings:
        typer.echo(printable(f"warning: {warning}"), err=True)
    typer.echo(printable(report.summary()))


def _not_exported(kind: Kind) -> None:
    if kind is Kind.consultation:
        raise ValidationFailed([
            "kind: consultations are imported only; they hold people's words, so exporting them is not part of "
            "the data-format contract (`gunmane report` shows the figures)"
        ])


@handle_errors
def export_command(
    kind: Kind = KIND_ARG,
    file: Path = typer.Argument(..., help="Where to write: .csv (opens in Excel) or .jsonl."),
) -> None:
    """Export every record of a kind in the data-format contract (CSV or JSONL)."""
    _not_exported(kind)
    with database("export") as (_cfg, db):
        with db.session() as session:
            count = export_records(session, kind.value, file)
    typer.echo(f"Wrote {count} {kind.value} record(s) to {file}.")


@handle_errors
def list_command(
    kind: Kind = KIND_ARG,
    as_json: bool = typer.Option(False, "--json", help="Print JSONL in the data-format contract (contacts included)."),
    show_contacts: bool = typer.Option(False, "--show-contacts", help="Show contacts in the table unmasked."),
) -> None:
    """List the records of a kind as a table (contacts masked) or as JSONL."""
    _not_exported(kind)
    with database("list") as (_cfg, db):
        with db.session() as session:
            records = records_of_kind(session, kind.value)
    if as_json:
        for record in records:
            typer.echo(json_line(record.contract_dict()))
        return
    console = Console()
    if not console.is_terminal:  # piped to a file or a pager: do not squeeze the table into 80 columns
        console = Console(width=240)
    console.print(records_table(kind.value, records, show_contacts=show_contacts))


# ---------------------------------------------------------------- table rendering

COLUMNS: dict[str, list[str]] = {
    "advisor": ["id", "name", "affiliation", "status", "capacity", "fields", "processes", "place", "regions",
                "contact"],
    "case": ["id", "title", "scheme", "fields", "processes", "place", "population", "engineers"],
    "engineer": ["id", "name", "place", "department", "years", "fields", "processes", "discoverable", "contact"],
    "training": ["id", "title", "kind", "start_date", "end_date", "prefecture", "fields", "processes"],
    "technology": ["id", "name", "vendor", "catalogue", "fields", "processes", "status", "contact"],
}


def mask_contact(contact: str | None) -> str:
    """``t.suzuki@example.jp`` → ``t***@example.jp``; ``@ogawa-yuka`` → ``@o***``."""
    if not contact:
        return ""
    if "@" in contact[1:]:
        local, domain = contact.rsplit("@", 1)
        return f"{local[:1]}***@{domain}"
    keep = 2 if contact.startswith("@") else 1
    return contact[:keep] + "***"


def _cell(record: dict[str, Any], column: str, show_contacts: bool) -> str:
    taxonomy = get_taxonomy()
    if column == "place":
        where = record.get("prefecture") or ""
        body = record.get("municipality") or ";".join(record.get("municipalities") or [])
        return where if not body or body == where else f"{where} {body}".strip()
    value = record.get(column)
    if column in ("fields", "processes", "scheme"):
        return "、".join(taxonomy.label(code) for code in value or [])
    if column == "regions":
        return "、".join(value) if value else "全国"
    if column == "contact":
        return (value or "") if show_contacts else mask_contact(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def records_table(kind: str, records: list[Record], *, show_contacts: bool = False) -> Table:
    table = Table(title=f"{len(records)} {kind} record(s)", show_lines=False)
    for column in COLUMNS[kind]:
        table.add_column(column, overflow="fold", min_width=len(column), no_wrap=column == "id")
    for record in records:
        values = record.contract_dict()
        table.add_row(*(cell(_cell(values, column, show_contacts)) for column in COLUMNS[kind]))
    return table


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app (and `seed` to `gunmane db`)."""
    db_app.command("seed")(seed_command)
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("list")(list_command)
