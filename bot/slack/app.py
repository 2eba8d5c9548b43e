"""The one bolt ``App`` of gunmane, for HTTP (Events API) and Socket Mode alike.

    app = build_app(settings, db, mode="http")      # or mode="socket"

Credentials come from :class:`knowledge.settings.Settings` (``SLACK_BOT_TOKEN``,
``SLACK_SIGNING_SECRET`` for HTTP, ``SLACK_APP_TOKEN`` for Socket Mode); a
missing one stops start-up with a :class:`ConfigError` naming it. The Web API
client talks to ``settings.slack_api_url`` (``GUNMANE_SLACK_API_URL``), so a
fake API or an air-gapped relay can stand in for Slack.

The app's parts: the conversation listeners (``handlers``), the secretariat's
admin tools (``admin``), the sender that carries deliveries into Slack
(``sender``) and the relay's dispatcher that both use for what a turn's
notices mean for other people — on Slack, and on every other platform the
settings configure.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Literal

from pydantic import SecretStr
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient

from bot.monitoring.logs import guarded_logger
from bot.relay.dispatch import Dispatcher
from bot.relay.senders import configured_senders
from bot.slack.admin import AdminTools
from bot.slack.handlers import DialogueEngineLike, SlackHandlers
from bot.slack.middleware import GunmaneApp, deduplicate_events
from bot.slack.sender import make_client as slack_client
from bot.slack.sender import sender_for
from knowledge.db import Database
from knowledge.errors import ConfigError
from knowledge.settings import Settings

log = logging.getLogger(__name__)

Mode = Literal["http", "socket"]
LISTENER_THREADS = 16


def _required(value: SecretStr | None, variable: str, purpose: str) -> str:
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        raise ConfigError(
            f"{variable} is not set; it is needed {purpose}. Set the environment variable {variable} "
            f"(or GUNMANE_{variable}) or put it in .env — the README's Slack section says where to find it."
        )
    return secret


def check_credentials(settings: Settings, mode: Mode) -> None:
    """Stop early, naming the missing setting, before anything talks to Slack."""
    _required(settings.slack_bot_token, "SLACK_BOT_TOKEN",
              "to post as the bot (Slack app → OAuth & Permissions → Bot User OAuth Token, xoxb-…)")
    if mode == "http":
        _required(settings.slack_signing_secret, "SLACK_SIGNING_SECRET",
                  "to verify requests in HTTP mode (Slack app → Basic Information → Signing Secret)")
    else:
        _required(settings.slack_app_token, "SLACK_APP_TOKEN",
                  "for Socket Mode (Slack app → Basic Information → App-Level Tokens, xapp-… with connections:write)")


def make_client(settings: Settings) -> WebClient:
    _required(settings.slack_bot_token, "SLACK_BOT_TOKEN", "to post as the bot")
    client = slack_client(settings)
    assert client is not None  # the token was checked just above
    return client


def build_app(
    settings: Settings,
    db: Database,
    *,
    mode: Mode = "http",
    engine: DialogueEngineLike | None = None,
    working_notice_after: float = 1.5,
    listener_executor: Executor | None = None,
) -> App:
    """The bolt app with every gunmane listener; checks the bot token with ``auth.test``."""
    check_credentials(settings, mode)
    if engine is None:
        from bot.dialogue.engine import DialogueEngine

        engine = DialogueEngine(db, settings)
    client = make_client(settings)
    signing_secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    try:
        app = GunmaneApp(
            client=client,
            logger=guarded_logger("gunmane.slack.bolt"),  # bolt logs bodies at INFO: they go to DEBUG, cut
            signing_secret=signing_secret,
            name="gunmane",
            process_before_response=False,
            # HTTP: the server's handler checks the signature on the raw body, against the current or (during
            # a rotation) the previous secret (bot/slack/server.py); bolt's own check knows only one.
            request_verification_enabled=False,
            listener_executor=listener_executor
            or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="gunmane-slack"),
        )
    except BoltError as exc:
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Check the token, and GUNMANE_SLACK_API_URL "
            f"(now {settings.slack_api_url})."
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"Cannot reach the Slack Web API at {settings.slack_api_url} ({exc}). "
            "Check the network or GUNMANE_SLACK_API_URL."
        ) from exc
    app.use(deduplicate_events(db))
    sender = sender_for(client, settings, db)
    dispatcher = Dispatcher(db, configured_senders(settings, db).replacing(sender))
    admin = AdminTools(settings, db, dispatcher)
    admin.register(app)
    SlackHandlers(engine, sender, dispatcher, admin=admin, working_notice_after=working_notice_after).register(app)
    return app
