"""The `gunmane` command line: thin — parse, call public functions, print.

Each area registers its commands from its own module, so the modules stay
small and independent.
"""

from __future__ import annotations

import typer

from bot.cli import (
    chat_cmd,
    data_cmd,
    db_cmd,
    groups_cmd,
    intake_cmd,
    jobs_cmd,
    match_cmd,
    secretariat_cmd,
    serve_cmd,
    web_cmd,
)

app = typer.Typer(
    name="gunmane",
    help="gunmane — 市町村の土木技術者のための相談・マッチングボット (人の群マネ)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (
    db_cmd, data_cmd, match_cmd, intake_cmd, chat_cmd, serve_cmd, secretariat_cmd, jobs_cmd, groups_cmd, web_cmd
):
    module.register(app)


def main() -> None:
    app()
