"""Fixtures of the web tests: the app over the test database with the sample data, accounts,
logged-in clients (ASGI, in process) and a real uvicorn server on a loopback port."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.web.accounts import add_user
from bot.web.app import create_app
from bot.web.state import portal_matcher
from knowledge.db import Database
from knowledge.sample import load_sample
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder

SECRET = "test-secret-key-" + "x" * 40
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with small costs: the same algorithm and code path, a fraction of the time on shared cores."""
    from argon2 import PasswordHasher

    from bot.web import security

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(security, "_hasher", quick)
    monkeypatch.setattr(security, "_DUMMY_HASH", quick.hash("gunmane-no-such-account"))


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"web_secret_key": SecretStr(SECRET), "web_cookie_secure": False,
                                       "web_base_url": "http://portal.test"})


@pytest.fixture
def sample(db: Database) -> Database:
    with db.session() as session:
        load_sample(session)
    return db


@pytest.fixture
def app(web_settings: Settings, sample: Database) -> Any:
    return create_app(web_settings, sample,
                      matcher_factory=lambda: portal_matcher(sample, FakeEmbedder(), web_settings))


@pytest.fixture
def accounts(sample: Database) -> dict[str, str]:
    with sample.session() as session:
        add_user(session, "jimukyoku", "secretariat", PASSWORD, actor="test")
        add_user(session, "etsuran", "viewer", PASSWORD, actor="test")
    return {"secretariat": "jimukyoku", "viewer": "etsuran"}


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """An in-process client that keeps cookies and fills in the CSRF token of the page it came from."""

    client: TestClient

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def token(self, path: str = "/submit") -> str:
        return csrf_of(self.get(path).text)

    def post(self, path: str, data: dict[str, Any] | None = None, *, token_from: str | None = None,
             files: Any = None, **kwargs: Any) -> httpx.Response:
        form = dict(data or {})
        if "csrf_token" not in form:
            form["csrf_token"] = self.token(token_from or "/submit")
        return self.client.post(path, data=form, files=files, follow_redirects=False, **kwargs)


def login(client: TestClient, name: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": "/admin"}, follow_redirects=False)


@pytest.fixture
def public(app: Any) -> Iterator[Browser]:
    with TestClient(app) as client:
        yield Browser(client)


@pytest.fixture
def secretariat(app: Any, accounts: dict[str, str]) -> Iterator[Browser]:
    with TestClient(app) as client:
        assert login(client, accounts["secretariat"]).status_code == 303
        yield Browser(client)


@pytest.fixture
def viewer(app: Any, accounts: dict[str, str]) -> Iterator[Browser]:
    with TestClient(app) as client:
        assert login(client, accounts["viewer"]).status_code == 303
        yield Browser(client)


# ---------------------------------------------------------------- a real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


def start_server(app: Any, *, root_path: str = "") -> LiveServer:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, root_path=root_path, log_level="warning",
                            access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)   # polling an observable condition with a deadline, not synchronising by sleep
    return LiveServer(f"http://127.0.0.1:{port}{root_path}", server, thread)


def stop_server(live: LiveServer) -> None:
    live.server.should_exit = True
    live.thread.join(timeout=20)


@pytest.fixture
def live(app: Any) -> Iterator[LiveServer]:
    server = start_server(app)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def artefacts() -> Path:
    """Screenshots and other test artefacts (git-ignored)."""
    path = Path(__file__).resolve().parents[2] / ".ci-out" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
