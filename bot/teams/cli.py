"""`gunmane serve teams`: the Teams messages endpoint.

Registered under the ``serve`` group by bot/cli/serve_cmd.py; thin — it reads
settings, opens the database, the engine and the other platforms' senders,
and runs the aiohttp server.
"""

from __future__ import annotations

import logging

import typer
from aiohttp import web

from bot.cli.common import handle_errors, settings
from bot.monitoring.logs import configure_logging
from bot.ports import ensure_port_free
from bot.relay.senders import configured_senders
from bot.teams.auth import INSECURE_WARNING, has_credentials, teams_auth
from bot.teams.server import MESSAGES_PATH, create_teams_server
from knowledge.db import open_database

log = logging.getLogger("gunmane.teams")


@handle_errors
def serve_teams(
    port: int = typer.Option(3978, "--port", help="Port to listen on (Azure Bot's messaging endpoint points here)."),
    host: str | None = typer.Option(
        None, "--host", help="Address to bind (default 0.0.0.0; 127.0.0.1 with --insecure-local)."),
    insecure_local: bool = typer.Option(
        False,
        "--insecure-local",
        help="Run WITHOUT authentication when no Teams credentials are set. Local testing only.",
    ),
) -> None:
    """Serve the Microsoft Teams bot at /api/messages (JWT-checked when credentials are set)."""
    cfg = settings()
    configure_logging(cfg)
    secured = has_credentials(cfg)
    if insecure_local and not secured:
        log.warning(INSECURE_WARNING)  # the first line the server logs, on purpose
    auth = teams_auth(cfg, insecure_local=insecure_local)
    host = host or ("0.0.0.0" if auth.secured else "127.0.0.1")   # unauthenticated: this machine only
    if not auth.secured and host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("--insecure-local on %s: anyone who reaches this port can talk to the bot", host)
    ensure_port_free(host, port)
    if insecure_local and secured:
        log.warning("--insecure-local ignored: Teams credentials are set, so every request is authenticated.")
    from bot.dialogue.engine import DialogueEngine  # the engine loads indexes and models: only when serving
    from bot.monitoring import add_monitoring
    from bot.runtime.serving import ServerRuntime

    db = open_database(cfg, "serve teams")
    try:
        with ServerRuntime(cfg, db, engine=DialogueEngine(db, cfg)) as runtime:   # pool, warm-up, scheduler
            server = create_teams_server(runtime.pool, db, auth, secretariat_users=cfg.secretariat_users,
                                         senders=configured_senders(cfg, db))
            add_monitoring(server.web_app, runtime.monitor)   # /healthz, /readyz, /metrics
            mode = "JWT authentication on" if auth.secured else "authentication OFF"

            def announce(_: str) -> None:  # aiohttp calls this once the port is bound
                log.info("Teams endpoint listening on http://%s:%d%s (%s)", host, port, MESSAGES_PATH, mode)

            web.run_app(server.web_app, host=host, port=port, print=announce, access_log=None)
    finally:
        db.dispose()


def register(serve_app: typer.Typer) -> None:
    """Add `teams` to the `serve` command group."""
    serve_app.command("teams")(serve_teams)
