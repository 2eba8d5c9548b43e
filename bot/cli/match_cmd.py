"""Commands of this area register themselves here (owned by one workstream).

`gunmane index build|status` (helper "vectors": ``register_index``) and
`gunmane match` (helper "ranker": ``register``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional

import typer

from bot.cli.common import database, handle_errors

if TYPE_CHECKING:
    from knowledge.db import Database
    from knowledge.settings import Settings
    from matching.vector_index import VectorStore


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    register_index(app)


# ---------------------------------------------------------------- gunmane index (vectors)
# matching/ is imported inside the commands: faiss and the model stay out of `gunmane --help`.

index_app = typer.Typer(help="FAISS vector indexes (one per record kind), derived from the database.", no_args_is_help=True)


def register_index(app: typer.Typer) -> None:
    """Add `gunmane index build|status`."""
    app.add_typer(index_app, name="index")


def vector_store(cfg: Settings, db: Database) -> VectorStore:
    """The store the settings describe (embedder, data directory, approximate-index threshold)."""
    from matching.embedders import make_embedder
    from matching.vector_index import VectorStore

    return VectorStore(db, make_embedder(cfg), cfg.data_dir, cfg.approx_index_threshold)


@index_app.command("build")
@handle_errors
def index_build_command(
    kind: Optional[str] = typer.Option(None, "--kind", "-k", help="advisor, case, engineer or training (default: all)."),
) -> None:
    """(Re)build the vector index of one kind or of all; only texts missing from the embedding cache are embedded."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from matching.types import KINDS

    kinds = _kinds(kind, KINDS)
    with database("index build") as (cfg, db):
        store = vector_store(cfg, db)
        columns = (
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("texts embedded"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        lines = []
        with Progress(*columns, console=Console(stderr=True)) as progress:
            for name in kinds:
                task = progress.add_task(name, total=None)
                to_embed = [0]

                def on_progress(done: int, total: int, task: int = task, to_embed: list[int] = to_embed) -> None:
                    progress.update(task, completed=done, total=total)
                    to_embed[0] = total

                started = time.perf_counter()
                meta = store.build(name, progress=on_progress)
                lines.append(
                    f"{meta.kind}: {meta.count} vectors ({meta.index_type}; {to_embed[0]} embedded now, "
                    f"{meta.count - to_embed[0]} from the cache) in {time.perf_counter() - started:.1f} s, "
                    f"database version {meta.db_version}"
                )
        for line in lines:
            typer.echo(line)


@index_app.command("status")
@handle_errors
def index_status_command() -> None:
    """Show each index: vectors, embedder, type, database version, and whether it is up to date."""
    from rich.console import Console
    from rich.table import Table

    with database("index status") as (cfg, db):
        store = vector_store(cfg, db)
        table = Table(title=f"Vector indexes in {store.directory}")
        for column in ("kind", "count", "embedder", "type", "version", "up to date?"):
            table.add_column(column)
        stale = 0
        for status in store.status():
            count = "-" if status.count is None else f"{status.count} / {status.db_count}"
            version = "-" if status.version is None else f"{status.version} / {status.db_version}"
            stale += not status.up_to_date
            state = "yes" if status.up_to_date else f"no: {status.reason}"
            table.add_row(status.kind, count, status.model_id or "-", status.index_type or "-", version, state)
        Console(width=200, soft_wrap=True).print(table)
        typer.echo("count and version: index / database." + (" Run `gunmane index build` to update." if stale else ""))


def _kinds(kind: str | None, kinds: tuple[str, ...]) -> tuple[str, ...]:
    from knowledge.errors import ConfigError

    if kind is None:
        return kinds
    if kind not in kinds:
        raise ConfigError(f"--kind {kind!r} is not a record kind; use one of: {', '.join(kinds)}.")
    return (kind,)
