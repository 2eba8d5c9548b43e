"""The app under a real uvicorn on 127.0.0.1: headers, cookies, a reverse-proxy prefix, body limits."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx

from bot.web.app import create_app
from knowledge.db import Database
from knowledge.settings import Settings
from tests.web.conftest import LiveServer, csrf_of, start_server, stop_server


def test_health_and_headers_over_real_http(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        page = client.get("/trainings")
        assert page.status_code == 200 and "研修・視察を探す" in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"


def test_cookies_are_secure_by_default(web_settings: Settings, sample: Database) -> None:
    app = create_app(web_settings.model_copy(update={"web_cookie_secure": True}), sample)
    server = start_server(app)
    try:
        with httpx.Client(base_url=server.url) as client:
            cookie = client.get("/login").headers["set-cookie"]
        assert "gm_csrf=" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    finally:
        stop_server(server)


def test_a_reverse_proxy_prefix(app: Any) -> None:
    server = start_server(app, root_path="/gunmane")
    try:
        # The proxy serves https://host/gunmane/… and forwards the path without the prefix.
        with httpx.Client(base_url=server.url.removesuffix("/gunmane")) as client:
            page = client.get("/trainings")
            assert page.status_code == 200
            assert 'href="/gunmane/static/style.css"' in page.text and 'action="/gunmane/trainings"' in page.text
            redirect = client.get("/admin/queues", follow_redirects=False)
            assert redirect.status_code == 303
            assert redirect.headers["location"] == "/gunmane/login?next=%2Fadmin%2Fqueues"
            assert client.get("/static/style.css").status_code == 200
    finally:
        stop_server(server)


def test_a_chunked_body_over_the_limit_is_cut_off(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url) as client:
        token = csrf_of(client.get("/submit").text)

        def chunks() -> Iterator[bytes]:   # small fields, no Content-Length: only the running count stops it
            yield f"csrf_token={token}".encode()
            for number in range(40):
                yield f"&f{number}=".encode() + b"x" * 60_000

        response = client.post("/submit", content=chunks(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code == 413, response.text[-3000:]
        assert "送信された内容が大きすぎます" in response.text
        one_field = client.post("/submit", content=f"csrf_token={token}&description=".encode() + b"x" * 500_000,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert one_field.status_code == 413 and "1つの項目は10万文字まで" in one_field.text
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as raw:   # a Content-Length that says too much
        raw.sendall(b"POST /submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 99999999\r\n\r\na=b")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


def test_serve_web_refuses_to_start_without_a_secret_key(cli_env: dict[str, str]) -> None:
    from typer.testing import CliRunner

    from bot.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "web", "--port", "1"], env=cli_env)
    assert result.exit_code == 1
    assert "GUNMANE_WEB_SECRET_KEY is not set" in result.output and "--insecure-dev" in result.output
    short = CliRunner().invoke(cli, ["serve", "web"], env={**cli_env, "GUNMANE_WEB_SECRET_KEY": "too-short"})
    assert short.exit_code == 1 and "at least 32" in short.output
    bad_root = CliRunner().invoke(cli, ["serve", "web", "--insecure-dev", "--root-path", "gunmane/"], env=cli_env)
    assert bad_root.exit_code == 2 and "--root-path must start with /" in bad_root.output


def test_serve_web_runs_as_a_command(cli_env: dict[str, str], tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.web.conftest import free_port

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        gunmane = str(Path(sys.executable).parent / "gunmane")
        process = subprocess.Popen([gunmane, "serve", "web", "--insecure-dev", "--port", str(port)],
                                   env={**os.environ, **cli_env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180   # start-up imports the whole app; the test machine may be busy
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)   # polling the server's port with a deadline
        assert answer is not None and answer.status_code == 200, log.read_text()
        assert "GUNMANE_WEB_SECRET_KEY is not set" in log.read_text() and "--insecure-dev" in log.read_text()
        # a server like the chat ones: readiness, metrics, and the scheduler's jobs registered (no cron needed)
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=30)
        assert ready.status_code == 200 and ready.json()["status"] == "ok", ready.text
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30).text
        assert "gunmane_queue_depth" in metrics and "gunmane_introductions" in metrics
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 200   # the portal still answers
        assert "scheduler started as" in log.read_text(), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
