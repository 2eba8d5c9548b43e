"""/healthz, /readyz and /metrics over real HTTP on loopback: WSGI (waitress), aiohttp, ASGI (uvicorn)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.monitoring import Metrics, Monitor, MonitoringASGI, MonitoringWSGI, Probe, add_monitoring
from knowledge.db import Database
from tests.ops.conftest import waitress_on_loopback

DEADLINE_S = 30


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def monitor(db: Database, make_intro) -> Iterator[Monitor]:
    make_intro(days_ago=1)
    probe = Probe(db)
    yield Monitor(probe, Metrics(db))
    probe.close()


def _check_paths(base: str) -> None:
    status, headers, body = _get(f"{base}/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, headers, body = _get(f"{base}/readyz", {"X-Request-Id": "lb-probe-1"})
    ready = json.loads(body)
    assert status == 200 and ready["status"] == "ok", ready
    assert set(ready["checks"]) == {"database", "migrations"}
    assert headers.get("X-Request-Id") == "lb-probe-1"
    status, headers, body = _get(f"{base}/metrics")
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'gunmane_introductions{state="requested"} 1.0' in text
    assert "gunmane_database_up 1.0" in text
    status, _, _ = _get(f"{base}/readyz", method="POST")
    assert status == 405
    status, headers, body = _get(f"{base}/other", {"X-Request-Id": "<script>"})
    assert status == 200 and body == b"inner app"
    assert headers.get("X-Request-Id") not in (None, "<script>")   # a hostile id is replaced


def test_wsgi_under_waitress(monitor: Monitor) -> None:
    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"inner app"]

    with waitress_on_loopback(MonitoringWSGI(inner, monitor)) as base:
        _check_paths(base)


def test_aiohttp(monitor: Monitor) -> None:
    from aiohttp import ClientSession, web

    async def inner(request: web.Request) -> web.Response:
        return web.Response(text="inner app")

    async def scenario() -> None:
        app = web.Application()
        app.router.add_get("/other", inner)
        add_monitoring(app, monitor)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            await asyncio.get_running_loop().run_in_executor(None, _check_paths, f"http://127.0.0.1:{port}")
            async with ClientSession() as client, client.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
        finally:
            await runner.cleanup()

    asyncio.run(scenario())


def test_asgi_under_uvicorn(monitor: Monitor) -> None:
    import uvicorn

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"inner app"})

    config = uvicorn.Config(MonitoringASGI(inner, monitor), host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        port = server.servers[0].sockets[0].getsockname()[1]
        _check_paths(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_readyz_is_503_with_reasons_when_the_database_file_is_gone(tmp_path: Path) -> None:
    from knowledge.db import make_engine, upgrade

    path = tmp_path / "gone.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    db = Database(engine)
    probe = Probe(db)
    monitor = Monitor(probe, Metrics(db))
    try:
        with waitress_on_loopback(MonitoringWSGI(lambda e, s: [], monitor)) as base:
            db.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            status, _, body = _get(f"{base}/readyz")
            ready = json.loads(body)
            assert status == 503 and ready["status"] == "unavailable"
            assert not ready["checks"]["database"]["ok"] and "does not exist" in ready["checks"]["database"]["detail"]
            assert _get(f"{base}/healthz")[0] == 200          # alive all the same
            status, _, body = _get(f"{base}/metrics")
            assert status == 200 and "gunmane_database_up 0.0" in body.decode()
            assert not path.exists()
    finally:
        probe.close()
