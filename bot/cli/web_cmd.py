"""`gunmane serve web` and `gunmane web user add|list|disable|enable|passwd`.

    gunmane serve web [--host 127.0.0.1] [--port 8000] [--root-path /gunmane] [--insecure-dev]
    gunmane web user add NAME --role secretariat|viewer     (password prompted, or one line on stdin)
    gunmane web user list
    gunmane web user disable|enable NAME
    gunmane web user passwd NAME

Thin: parse, call bot.web.accounts / bot.web.app, print.
"""

from __future__ import annotations

import logging
import sys

import typer

from bot.cli.common import database, fail, handle_errors, settings
from bot.monitoring.logs import configure_logging
from knowledge.db import open_database
from knowledge.errors import ValidationFailed

log = logging.getLogger("gunmane.web")
web_app = typer.Typer(help="ウェブ (研修・視察ポータルと事務局の管理画面) のアカウント。", no_args_is_help=True)
user_app = typer.Typer(help="管理画面のアカウント: add, list, disable, enable, passwd.", no_args_is_help=True)
web_app.add_typer(user_app, name="user")


def _read_password(confirm: bool = True) -> str:
    """Prompted (hidden, twice) on a terminal; otherwise the first line of stdin."""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))
    line = sys.stdin.readline()
    if not line:
        raise ValidationFailed(["password: give the password on stdin (one line) or run the command in a terminal"])
    return line.rstrip("\r\n")


@user_app.command("add")
@handle_errors
def user_add(name: str = typer.Argument(..., metavar="NAME"),
             role: str = typer.Option(..., "--role", help="secretariat (may change things) or viewer (reads only)"),
             by: str = typer.Option("cli", "--by", help="Who makes the account (audit log).")) -> None:
    """Add a console account (password prompted, or one line on stdin)."""
    from bot.web.accounts import add_user

    password = _read_password()
    with database("web user add") as (_, db), db.session() as session:
        add_user(session, name, role, password, actor=by)
    typer.echo(f"Added web account {name} ({role}).")


@user_app.command("list")
@handle_errors
def user_list() -> None:
    """List the console accounts."""
    from bot.web.accounts import list_users

    with database("web user list") as (_, db), db.session() as session:
        users = [(u.name, u.role, u.disabled, u.created_at) for u in list_users(session)]
    if not users:
        typer.echo("No web accounts. Add one with `gunmane web user add NAME --role secretariat`.")
    for name, role, disabled, created in users:
        typer.echo(f"{name}\t{role}\t{'disabled' if disabled else 'active'}\t{created:%Y-%m-%d}")


def _set_disabled(name: str, disabled: bool, by: str) -> None:
    from bot.web.accounts import set_disabled

    with database("web user disable" if disabled else "web user enable") as (_, db), db.session() as session:
        set_disabled(session, name, disabled, actor=by)
    typer.echo(f"{'Disabled' if disabled else 'Enabled'} web account {name}"
               + (" and ended its sessions." if disabled else "."))


@user_app.command("disable")
@handle_errors
def user_disable(name: str = typer.Argument(..., metavar="NAME"), by: str = typer.Option("cli", "--by")) -> None:
    """Disable an account (its sessions end at once)."""
    _set_disabled(name, True, by)


@user_app.command("enable")
@handle_errors
def user_enable(name: str = typer.Argument(..., metavar="NAME"), by: str = typer.Option("cli", "--by")) -> None:
    """Enable a disabled account again."""
    _set_disabled(name, False, by)


@user_app.command("passwd")
@handle_errors
def user_passwd(name: str = typer.Argument(..., metavar="NAME"), by: str = typer.Option("cli", "--by")) -> None:
    """Set a new password (prompted, or one line on stdin); the account's sessions end."""
    from bot.web.accounts import set_password

    password = _read_password()
    with database("web user passwd") as (_, db), db.session() as session:
        set_password(session, name, password, actor=by)
    typer.echo(f"Changed the password of web account {name}; its sessions ended.")


@handle_errors
def serve_web(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (behind a reverse proxy: 127.0.0.1)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    root_path: str = typer.Option("", "--root-path", help="Path prefix under which a reverse proxy serves the "
                                                         "app (e.g. /gunmane)."),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                            help="Proxies whose X-Forwarded-For / -Proto are trusted."),
    insecure_dev: bool = typer.Option(False, "--insecure-dev", help="Local trial only: a random secret key and "
                                                                   "cookies without Secure (plain http)."),
) -> None:
    """Serve the 研修・視察 portal and the secretariat console (uvicorn)."""
    import uvicorn

    from bot.monitoring import MonitoringASGI
    from bot.runtime.serving import ServerRuntime
    from bot.web.app import create_app

    cfg = settings()
    if insecure_dev:
        cfg = cfg.model_copy(update={"web_cookie_secure": False})
    configure_logging(cfg)
    if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
        raise fail("--root-path must start with / and not end with / (e.g. --root-path /gunmane).", 2)
    db = open_database(cfg, "serve web")
    try:
        app = create_app(cfg, db, insecure_dev=insecure_dev)
        # The web process is a server like the chat ones: it runs the scheduler (no cron) and answers /readyz and
        # /metrics. It takes no chat turns, so no turn pool and no engine warm-up.
        with ServerRuntime(cfg.model_copy(update={"turn_processes": 0}), db, warm_up=False) as runtime:
            log.info("gunmane web on http://%s:%d%s/ (portal) and %s/admin (console); /healthz, /readyz, /metrics",
                     host, port, root_path, root_path)
            # No access log: paths carry profile and host-management tokens.
            uvicorn.run(MonitoringASGI(app, runtime.monitor), host=host, port=port, root_path=root_path,
                        proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips, access_log=False,
                        log_level=cfg.log_level.lower())
    finally:
        db.dispose()


def register(app: typer.Typer) -> None:
    """Add ``gunmane web …`` and ``gunmane serve web``."""
    from bot.cli.serve_cmd import serve_app

    serve_app.command("web")(serve_web)
    app.add_typer(web_app, name="web")
