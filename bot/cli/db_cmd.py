"""`gunmane config`, `gunmane db upgrade`."""

from __future__ import annotations

import typer

from bot.cli.common import handle_errors, settings
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


def register(app: typer.Typer) -> None:
    app.command("config")(config_command)
    app.add_typer(db_app, name="db")
