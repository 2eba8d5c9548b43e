"""`gunmane serve lineworks`: the LINE WORKS callback server.

Thin: it reads and checks the settings (a missing one stops start-up naming
it), opens the database and the engine, and runs the aiohttp application
``lineworks_app`` builds — the same one the end-to-end tests run.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import typer

from bot.cli.common import handle_errors, settings
from bot.monitoring.logs import configure_logging
from bot.ports import ensure_port_free
from knowledge.db import Database, open_database
from knowledge.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

    from bot.lineworks.config import LineWorksConfig
    from bot.lineworks.server import DialogueEngineLike
    from bot.monitoring import Monitor

log = logging.getLogger("gunmane.lineworks")


def lineworks_app(cfg: Settings, db: Database, engine: DialogueEngineLike, config: LineWorksConfig, *,
                  monitor: Monitor | None = None) -> web.Application:
    """The callback server with everything around it: notices delivered through the relay to every configured
    platform (this server's own LINE WORKS sender included), and ``/healthz``, ``/readyz``, ``/metrics``."""
    from bot.lineworks.api import LineWorksApi
    from bot.lineworks.sender import LineWorksSender
    from bot.lineworks.server import create_lineworks_app
    from bot.monitoring import Metrics, Monitor, Probe
    from bot.relay.dispatch import Dispatcher
    from bot.relay.senders import configured_senders

    sender = LineWorksSender(LineWorksApi(config), secretariat_users=cfg.secretariat_users)
    dispatcher = Dispatcher(db, configured_senders(cfg, db).replacing(sender))
    if monitor is not None:   # the server runtime's (bot/runtime): it closes its own probe
        return create_lineworks_app(engine, db, config, sender=sender, notices=dispatcher.notify, monitor=monitor)
    probe = Probe(db)
    app = create_lineworks_app(engine, db, config, sender=sender, notices=dispatcher.notify,
                               monitor=Monitor(probe, Metrics(db)))

    async def close_probe(_: web.Application) -> None:
        probe.close()

    app.on_cleanup.append(close_probe)
    return app


@handle_errors
def serve_lineworks(
    port: int = typer.Option(3001, "--port", help="Port to listen on (the bot's Callback URL points here)."),
    host: str = typer.Option("0.0.0.0", "--host", help="Address to bind."),
) -> None:
    """Serve the LINE WORKS bot at /lineworks/callback (every request signature-checked)."""
    from aiohttp import web

    from bot.lineworks.config import lineworks_config
    from bot.lineworks.server import CALLBACK_PATH

    cfg = settings()
    configure_logging(cfg)
    config = lineworks_config(cfg)
    ensure_port_free(host, port)
    from bot.dialogue.engine import DialogueEngine  # the engine loads indexes and models: only when serving
    from bot.relay.events import forget_events_older_than
    from bot.runtime.serving import ServerRuntime

    db = open_database(cfg, "serve lineworks")
    try:
        forget_events_older_than(db, days=7, platform="lineworks")   # the de-duplication's old callback digests
        # the turn pool, the warm-up, the scheduler; this adapter counts its turns itself
        with ServerRuntime(cfg, db, engine=DialogueEngine(db, cfg), count_turns=False) as runtime:
            app = lineworks_app(cfg, db, runtime.pool, config, monitor=runtime.monitor)

            def announce(_: str) -> None:  # aiohttp calls this once the port is bound
                log.info("LINE WORKS callback listening on http://%s:%d%s (bot %s); /healthz, /readyz, /metrics",
                         host, port, CALLBACK_PATH, config.bot_id)

            web.run_app(app, host=host, port=port, print=announce, access_log=None)
    finally:
        db.dispose()


def register(serve_app: typer.Typer) -> None:
    """Add `lineworks` to the `serve` command group."""
    serve_app.command("lineworks")(serve_lineworks)
