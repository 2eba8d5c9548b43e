"""`gunmane chat`: talk to the dialogue engine in a terminal (or pipe lines through it)."""

from __future__ import annotations

import getpass
import sys

import typer

from bot.cli.common import database, handle_errors
from knowledge.errors import ConfigError


@handle_errors
def chat_command(
    user: str = typer.Option(None, "--user",
                             help="Chat user id (default: your login name); the profile is kept per user."),
    municipality: str = typer.Option(
        None, "--municipality", help="都道府県,市区町村 (e.g. 奈良県,宇陀市; prefectural staff: 奈良県,奈良県)."
    ),
    json_lines: bool = typer.Option(False, "--json",
                                    help="Print each bot turn as one JSON line (with the intake card)."),
) -> None:
    """Counselling chat in the terminal; with piped stdin, one user message per line."""
    from bot.chat import PLATFORM, TerminalChat
    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.profiles import set_place
    from knowledge.municipalities import MunicipalityDirectory

    user_id = user or _login_name()
    with database("chat") as (cfg, db):
        if municipality:
            prefecture, _, name = municipality.replace("，", ",").partition(",")
            if not prefecture.strip() or not name.strip():
                raise ConfigError("--municipality needs 都道府県,市区町村, e.g. --municipality 奈良県,宇陀市")
            with db.session() as session:
                place = MunicipalityDirectory(session).resolve(prefecture.strip(), name.strip())
                set_place(session, PLATFORM, user_id, place.prefecture, place.name)
        engine = DialogueEngine(db, cfg)
        interactive = sys.stdin.isatty() and not json_lines
        chat = TerminalChat(engine, user_id, sys.stdout, json_lines=json_lines, echo_user=not interactive)
        if interactive:
            chat.run_interactive()
        else:
            chat.run_lines(sys.stdin)


def _login_name() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:
        return "local"


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("chat")(chat_command)
