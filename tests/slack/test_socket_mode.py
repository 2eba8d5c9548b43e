"""Socket Mode start-up against a local fake of Slack's Socket Mode endpoint.

apps.connections.open (on the fake Web API, with the xapp- token) hands out the
ws:// URL of a local WebSocket server; it sends ``hello`` and then envelopes;
the app must acknowledge each envelope and reply through the Web API.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI
from bot.slack.fake_socket import FakeSocketModeEndpoint
from bot.slack.server import socket_mode_handler
from knowledge.db import Database
from knowledge.settings import Settings
from tests.slack.conftest import APP_TOKEN, SlackSender, texts_of


@pytest.fixture
def socket_app(sample_db: Database, slack_settings: Settings,
               fake_api: FakeSlackAPI) -> Iterator[tuple[FakeSocketModeEndpoint, SlackSender, FakeSlackAPI]]:
    executor = ThreadPoolExecutor(max_workers=4)
    with FakeSocketModeEndpoint() as endpoint:
        fake_api.socket_mode_url = endpoint.url
        app = build_app(slack_settings.model_copy(update={"slack_signing_secret": None}), sample_db, mode="socket",
                        working_notice_after=0, listener_executor=executor)
        handler: SocketModeHandler = socket_mode_handler(app, slack_settings)
        handler.connect()
        try:
            yield endpoint, SlackSender("http://unused", fake_api), fake_api
        finally:
            handler.close()
            executor.shutdown(wait=True)


def test_socket_mode_start_up(socket_app: tuple[FakeSocketModeEndpoint, SlackSender, FakeSlackAPI]) -> None:
    """One connection (closing the built-in client takes seconds): hello, an event, its retry, a command."""
    endpoint, send, api = socket_app
    # start-up: apps.connections.open with the app-level token hands out the fake's ws:// URL
    opened = api.wait_for("apps.connections.open")[0]
    assert opened.token == APP_TOKEN and opened.response["url"] == endpoint.url
    # an events_api envelope after hello is acknowledged and answered through the Web API
    event = send.event_callback(send.dm_event("こんにちは", channel="D0SOCKET"))
    envelope = endpoint.push_event(event)
    assert endpoint.wait_for_ack(envelope)["envelope_id"] == envelope
    reply = api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0SOCKET")[0]
    assert "群マネ" in texts_of(reply) and reply.token is not None and reply.token.startswith("xoxb-")
    # Slack's retry of the same event is acknowledged, and answered no second time
    retry = endpoint.push_event(event, retry_attempt=1)
    assert endpoint.wait_for_ack(retry)["envelope_id"] == retry
    endpoint.wait_for_ack(endpoint.push_event(send.event_callback(send.dm_event("こんにちは", channel="D0MARKER"))))
    api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0MARKER")
    working = [c for c in api.calls_to("chat.postMessage")
               if c.params["channel"] == "D0SOCKET" and "確認しています" in texts_of(c)]
    assert len(working) == 1
    # a slash command's acknowledgement carries the ephemeral answer
    command = endpoint.push("slash_commands", {
        "token": "t", "team_id": "T0GUNMANE", "team_domain": "gunmane-test", "channel_id": "C0GENERAL",
        "channel_name": "general", "user_id": "U0ENGINEER", "user_name": "u", "command": "/gunmane", "text": "help",
        "api_app_id": "A0GUNMANE", "is_enterprise_install": "false", "response_url": api.response_url("s"),
        "trigger_id": "1.2.3",
    })
    ack = endpoint.wait_for_ack(command)
    assert ack["payload"]["response_type"] == "ephemeral" and "/gunmane 事例" in ack["payload"]["text"]
    assert endpoint.connections == 1


def test_socket_mode_needs_the_app_token(sample_db: Database, slack_settings: Settings) -> None:
    from knowledge.errors import ConfigError

    settings = slack_settings.model_copy(update={"slack_app_token": None})
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        build_app(settings, sample_db, mode="socket")
