"""`gunmane serve slack|teams|lineworks`: run a chat front end.

The ``serve`` group holds one command per platform. ``slack`` lives here;
``teams`` is registered by bot/teams/cli.py, ``lineworks`` by bot/cli/lineworks_cmd.py.
"""

from __future__ import annotations

import logging

import typer

from bot.cli import lineworks_cmd
from bot.cli.common import fail, handle_errors, settings
from bot.monitoring.logs import configure_logging
from bot.ports import ensure_port_free
from knowledge.db import open_database

log = logging.getLogger("gunmane.slack")

serve_app = typer.Typer(help="Run a chat front end: Slack, Microsoft Teams or LINE WORKS.", no_args_is_help=True)


@serve_app.command("slack")
@handle_errors
def serve_slack(
    socket: bool = typer.Option(False, "--socket", help="Socket Mode: connect out to Slack (needs SLACK_APP_TOKEN)."),
    http: bool = typer.Option(False, "--http", help="HTTP: Events API, interactivity and /gunmane on /slack/events "
                                                   "(needs SLACK_SIGNING_SECRET)."),
    port: int = typer.Option(3000, "--port", help="HTTP port (with --http)."),
    host: str = typer.Option("0.0.0.0", "--host", help="Address to bind (with --http)."),
) -> None:
    """Serve the Slack app (SLACK_BOT_TOKEN always; Socket Mode or HTTP)."""
    if socket == http:
        raise fail("Choose one: `gunmane serve slack --socket` (Socket Mode, SLACK_APP_TOKEN) or "
                   "`gunmane serve slack --http --port 3000` (HTTP, SLACK_SIGNING_SECRET).", 2)
    from bot.relay.events import forget_events_older_than
    from bot.slack.app import Mode, build_app, check_credentials
    from bot.slack.server import HttpServer, socket_mode_handler

    cfg = settings()
    configure_logging(cfg)
    mode: Mode = "socket" if socket else "http"
    check_credentials(cfg, mode)
    if mode == "http":
        ensure_port_free(host, port)
    from bot.runtime.serving import ServerRuntime

    db = open_database(cfg, "serve slack")
    try:
        forget_events_older_than(db, days=7, platform="slack")
        with ServerRuntime(cfg, db) as runtime:   # turn pool, warm-up, scheduler, /healthz /readyz /metrics
            app = build_app(cfg, db, mode=mode, engine=runtime.pool)
            if mode == "socket":
                log.info("gunmane Slack app connecting in Socket Mode")
                socket_mode_handler(app, cfg).start()  # type: ignore[no-untyped-call]  # slack_bolt: unannotated
            else:
                HttpServer(app, cfg, host=host, port=port, monitor=runtime.monitor).serve_forever()
    finally:
        db.dispose()


def register(app: typer.Typer) -> None:
    """Add the ``serve`` group (Slack here, Teams from bot/teams/cli.py) to the main app."""
    from bot.teams.cli import register as register_teams

    register_teams(serve_app)
    lineworks_cmd.register(serve_app)
    app.add_typer(serve_app, name="serve")
