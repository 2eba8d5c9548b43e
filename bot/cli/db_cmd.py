"""`gunmane config`, `gunmane db upgrade`, `gunmane db backup FILE`, `gunmane db restore FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import handle_errors, settings
from knowledge.backup import backup_sqlite, restore_sqlite
from knowledge.db import make_engine, upgrade

db_app = typer.Typer(help="Database schema and reference data.", no_args_is_help=True)


@handle_errors
def config_command() -> None:
    """Print the effective settings (secrets masked)."""
    for name, value in settings().masked().items():
        typer.echo(f"{name} = {value}")


@db_app.command("upgrade")
@handle_errors
def upgrade_command() -> None:
    """Apply pending schema migrations (creates the SQLite file on first use)."""
    cfg = settings()
    engine = make_engine(cfg.effective_database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"Schema already up to date (revision {after}).")
    else:
        typer.echo(f"Schema upgraded from {before or 'empty'} to {after}.")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


@db_app.command("backup")
@handle_errors
def backup_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The backup file to write, e.g. backups/gunmane.db.")],
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Copy the SQLite database into FILE, consistent while the bot runs (PostgreSQL: use pg_dump)."""
    info = backup_sqlite(settings().effective_database_url, file, overwrite=force)
    typer.echo(f"Backed up to {info.path} ({info.size:,} bytes, schema revision {info.revision}: "
               f"{_counts(info.counts)}).")


@db_app.command("restore")
@handle_errors
def restore_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by `gunmane db backup`.")],
    force: bool = typer.Option(False, "--force", help="Restore even while a gunmane process has the database open."),
) -> None:
    """Replace the SQLite database by FILE, after checking it is a gunmane database at a known revision."""
    result = restore_sqlite(file, settings().effective_database_url, force=force)
    typer.echo(f"Restored {result.info.path} (schema revision {result.info.revision}: "
               f"{_counts(result.info.counts)}). Vector indexes rebuild on first use.")
    if result.needs_upgrade:
        typer.echo(f"The backup's schema is older than this gunmane's ({result.head}): run `gunmane db upgrade`.")


def register(app: typer.Typer) -> None:
    app.command("config")(config_command)
    app.add_typer(db_app, name="db")
