"""Teams fixtures: the real endpoint and the fake Bot Connector, both on 127.0.0.1.

``teams_http`` starts ``create_teams_server`` (the same function `gunmane
serve teams` uses) in a background thread, with the real DialogueEngine over
the test database; activities are posted as JSON over HTTP, and whatever the
bot says comes back through ``connector.log``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from teams_stack import TeamsStack, start_endpoint

from bot.teams.auth import teams_auth
from bot.teams.fake_connector import FakeConnector
from bot.teams.server import MESSAGES_PATH
from knowledge.db import Database
from knowledge.settings import Settings


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    with FakeConnector() as fake:
        yield fake


@pytest.fixture
def teams_http(db: Database, settings: Settings, connector: FakeConnector) -> Iterator[TeamsStack]:
    """The endpoint without authentication (``--insecure-local``), replying to the fake connector."""
    site = start_endpoint(db, settings, teams_auth(settings, insecure_local=True))
    try:
        yield TeamsStack(site.url + MESSAGES_PATH, connector)
    finally:
        site.stop()


SECRETARIAT_MEMBER = "aad-secretariat-1"


@pytest.fixture
def teams_http_with_secretariat(db: Database, settings: Settings, connector: FakeConnector) -> Iterator[TeamsStack]:
    """Like ``teams_http``, with one Teams member of the secretariat (GUNMANE_SECRETARIAT_USERS)."""
    configured = settings.model_copy(update={"secretariat_users": [f"teams:{SECRETARIAT_MEMBER}", "U0SLACK1"]})
    site = start_endpoint(db, configured, teams_auth(configured, insecure_local=True))
    try:
        yield TeamsStack(site.url + MESSAGES_PATH, connector)
    finally:
        site.stop()


@pytest.fixture
def secured_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "teams_app_id": "00000000-1111-2222-3333-444444444444",
        "teams_app_password": SecretStr("not-a-real-secret"),
        "teams_tenant_id": "55555555-6666-7777-8888-999999999999",
    })


@pytest.fixture
def secured_endpoint(db: Database, secured_settings: Settings) -> Iterator[str]:
    site = start_endpoint(db, secured_settings, teams_auth(secured_settings))
    try:
        yield site.url + MESSAGES_PATH
    finally:
        site.stop()


