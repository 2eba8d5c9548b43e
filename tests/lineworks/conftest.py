"""LINE WORKS fixtures: the real callback server and the fake LINE WORKS API, both on 127.0.0.1.

``lineworks`` starts the application `gunmane serve lineworks` runs
(``lineworks_app``: the callback, the relay's delivery of notices, the
monitoring routes) in a background thread with the real DialogueEngine over
the test database; callbacks are posted signed over HTTP and whatever the bot
sends comes back through ``stack.fake.log``. ``SECRETARIAT_MEMBER`` is the
secretariat's LINE WORKS member (``GUNMANE_SECRETARIAT_USERS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lineworks_stack import BOT_ID, BOT_SECRET, CLIENT_ID, CLIENT_SECRET, SECRETARIAT_MEMBER, SERVICE_ACCOUNT, Stack
from pydantic import SecretStr

from bot.cli.lineworks_cmd import lineworks_app
from bot.dialogue.engine import DialogueEngine
from bot.lineworks.config import lineworks_config
from bot.lineworks.fake_api import FakeIdentity, FakeLineWorks
from bot.lineworks.server import CALLBACK_PATH
from bot.threaded_site import ThreadedSite
from knowledge.db import Database
from knowledge.sample import seed_sample
from knowledge.settings import Settings


@pytest.fixture(scope="session")
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(app_key: rsa.RSAPrivateKey, tmp_path: Path) -> Path:
    path = tmp_path / "private_20270401.key"
    path.write_bytes(app_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path


@pytest.fixture
def fake(app_key: rsa.RSAPrivateKey) -> Iterator[FakeLineWorks]:
    with FakeLineWorks(FakeIdentity(BOT_ID, CLIENT_ID, CLIENT_SECRET, SERVICE_ACCOUNT, app_key.public_key())) as f:
        yield f


@pytest.fixture
def lw_settings(settings: Settings, fake: FakeLineWorks, key_file: Path) -> Settings:
    return settings.model_copy(update={
        "lineworks_bot_id": BOT_ID, "lineworks_bot_secret": SecretStr(BOT_SECRET),
        "lineworks_client_id": CLIENT_ID, "lineworks_client_secret": SecretStr(CLIENT_SECRET),
        "lineworks_service_account": SERVICE_ACCOUNT, "lineworks_private_key": key_file,
        "lineworks_api_url": fake.api_url, "lineworks_auth_url": fake.auth_url,
        "secretariat_users": [f"lineworks:{SECRETARIAT_MEMBER}"],
    })


@pytest.fixture
def lineworks(db: Database, lw_settings: Settings, fake: FakeLineWorks) -> Iterator[Stack]:
    engine = DialogueEngine(db, lw_settings)
    config = lineworks_config(lw_settings)
    made: list[web.Application] = []

    def make_app() -> web.Application:
        made.append(lineworks_app(lw_settings, db, engine, config))
        return made[0]

    site = ThreadedSite(make_app).start()
    try:
        yield Stack(site.url + CALLBACK_PATH, fake, made[0], site)
    finally:
        site.stop()


@pytest.fixture
def sample_db(db: Database) -> Iterator[Database]:
    with db.session() as session:
        seed_sample(session)
    yield db
