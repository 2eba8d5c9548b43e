"""The matcher's commands: `gunmane match` (one text or a JSONL batch) and `gunmane index build|status`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import database, handle_errors
from bot.terminal import cell, json_line

if TYPE_CHECKING:
    from knowledge.db import Database
    from knowledge.settings import Settings
    from matching.vector_index import VectorStore


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("match")(match_command)
    register_index(app)


# ---------------------------------------------------------------- gunmane match (ranker)


def match_command(
    text: str | None = typer.Argument(None, help="The problem, in your own words (Japanese or English)."),
    kind: str = typer.Option("all", "--kind", "-k", help="advisor, case, engineer, training, technology or all."),
    prefecture: str | None = typer.Option(None, "--prefecture", "-p", help="The asker's prefecture (奈良県)."),
    municipality: str | None = typer.Option(None, "--municipality", "-m", help="The asker's municipality (宇陀市)."),
    top: int = typer.Option(5, "--top", "-n", min=1, max=100, help="Results per kind."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per query and kind (data-format contract)."),
    batch: Path | None = typer.Option(None, "--batch",
                                      help="JSONL file of requests; one output line per line and kind."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid (default), dense or lexical — for comparisons."),
) -> None:
    """Find advisors, cases, neighbouring engineers and trainings for a problem, each with its reason."""
    _match(text, kind, prefecture, municipality, top, as_json, batch, mode)


def _match(
    text: str | None, kind: str, prefecture: str | None, municipality: str | None, top: int,
    as_json: bool, batch: Path | None, mode: str,
) -> None:
    from knowledge.errors import ConfigError
    from matching.batch import MatchRequest, check_places, kinds_for, output_object, read_requests, run_requests
    from matching.embedders import make_embedder
    from matching.engine import MODES, Matcher

    @handle_errors
    def run() -> None:
        if (text is None) == (batch is None):
            raise ConfigError("Give either the problem TEXT or --batch FILE.jsonl (not both).")
        if mode not in MODES:
            raise ConfigError(f"--mode {mode!r} is not known; use one of: {', '.join(MODES)}.")
        try:
            kinds = kinds_for(kind)
        except ValueError as exc:
            raise ConfigError(f"--kind: {exc}.") from exc
        with database("match") as (cfg, db):
            matcher = Matcher(db, make_embedder(cfg), cfg)
            if batch is not None:
                requests = read_requests(batch, kind=kind, prefecture=prefecture, municipality=municipality, top=top)
                check_places(matcher, requests, str(batch))
            else:
                requests = [MatchRequest(text.strip(), kinds, prefecture, municipality, top)]  # type: ignore[union-attr]
                matcher.asker(prefecture, municipality)
            for _request, query, results in run_requests(matcher, requests, mode=mode):
                if as_json:
                    typer.echo(json_line(output_object(query, results)))
                else:
                    _print_results(query, results)

    run()


def _print_results(query, results) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from bot.dialogue.messages import label

    kind_label = label("kind", query.kind, "ja")
    table = Table(title=cell(f"{kind_label} — {query.text}"), title_justify="left", show_lines=False)
    for column, style in (("#", "dim"), ("id", "cyan"), ("名前・題名", ""), ("score", ""), ("理由", "green")):
        table.add_column(column, style=style or None, overflow="fold")
    for rank, result in enumerate(results, start=1):
        table.add_row(str(rank), cell(result.id), cell(result.title), f"{result.score:.3f}", cell(result.why))
    console = Console(width=160)
    if results:
        console.print(table)
    else:
        console.print(f"{kind_label}: 該当なし (no {query.kind} matched).")


# ---------------------------------------------------------------- gunmane index (vectors)
# matching/ is imported inside the commands: faiss and the model stay out of `gunmane --help`.

index_app = typer.Typer(help="FAISS vector indexes (one per record kind), derived from the database.",
                        no_args_is_help=True)


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
    kind: str | None = typer.Option(None, "--kind", "-k",
                                    help="advisor, case, engineer, training or technology (default: all)."),
) -> None:
    """(Re)build the vector index of one kind or of all; only texts missing from the embedding cache are embedded."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

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

                def on_progress(done: int, total: int, task: TaskID = task, to_embed: list[int] = to_embed) -> None:
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
