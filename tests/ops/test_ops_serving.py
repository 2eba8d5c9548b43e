"""What every `gunmane serve …` process runs (bot/runtime): the scheduler in two real Slack servers on one
database (each job once), and /readyz on the Slack and Teams servers following the database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.monitoring import add_monitoring
from bot.runtime.serving import ServerRuntime
from bot.scheduler import default_registry
from bot.secretariat import introductions as intros
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI
from bot.slack.server import HttpServer
from bot.teams.auth import teams_auth
from bot.teams.server import create_teams_server
from bot.threaded_site import ThreadedSite
from knowledge.db import Database, make_engine, upgrade
from knowledge.models import JobRun
from knowledge.settings import Settings
from tests.ops.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_S = 180
JOBS = {spec.name for spec in default_registry()}   # every gunmane job, whichever issues added them


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def _wait_for(condition: Any, what: str, deadline_s: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)   # polling an observable condition with a deadline


def _port(log_path: Path) -> int:
    """The port a `gunmane serve slack --http --port 0` says it listens on (0 until it says so)."""
    found = re.search(r"listening on port (\d+)", log_path.read_text(errors="replace"))
    return int(found.group(1)) if found else 0


# ---------------------------------------------------------------- the scheduler in two serve processes


def _fired_everything(port: int) -> bool:
    status, body = _get(f"http://127.0.0.1:{port}/metrics")
    return status == 200 and all(f'gunmane_job_runs_total{{job="{name}"' in body for name in JOBS)


def test_two_slack_servers_run_each_due_job_once(db: Database, cli_env: dict[str, str], make_intro: Any,
                                                 tmp_path: Path) -> None:
    overdue = [make_intro(days_ago=20), make_intro(days_ago=30)]
    with FakeSlackAPI(team_id="T0SERVE") as api:
        env = {**os.environ, **cli_env, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-serve-test",
               "SLACK_SIGNING_SECRET": "serve-test-secret", "GUNMANE_SLACK_API_URL": api.url}
        logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
        workers = []
        for log_path in logs:   # port 0: the OS picks a free one, the server logs which
            with log_path.open("wb") as out:
                workers.append(subprocess.Popen(
                    [sys.executable, "-c", "from bot.cli import main; main()", "serve", "slack", "--http",
                     "--host", "127.0.0.1", "--port", "0"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        try:
            for worker, log_path in zip(workers, logs, strict=True):
                _wait_for(lambda w=worker, lp=log_path: _port(lp) or _died(w, lp), f"{log_path.name} listening")
                port = _port(log_path)
                _wait_for(lambda p=port: _get(f"http://127.0.0.1:{p}/readyz")[0] == 200, f"worker on {port} ready")
                _wait_for(lambda p=port: _fired_everything(p), f"every job fired on worker {port}")
            with db.session() as session:
                runs = session.scalars(select(JobRun)).all()
                assert len(JOBS) >= 3 and sorted(r.name for r in runs) == sorted(JOBS), [(r.name, r.worker)
                                                                                         for r in runs]
                assert {r.outcome for r in runs} == {"ok"}
                assert [intros.get(session, i).state for i in overdue] == ["expired", "expired"]
            for worker in workers:
                assert worker.poll() is None, "a failing or finished job must never stop the server"
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=30)
    text = "\n".join(p.read_text(errors="replace") for p in logs)
    assert "scheduler started" in text and "Traceback" not in text


def _died(worker: subprocess.Popen[bytes], log_path: Path) -> bool:
    if worker.poll() is not None:
        raise AssertionError(f"the server exited ({worker.returncode}): {log_path.read_text(errors='replace')}")
    return False


# ---------------------------------------------------------------- readiness follows the database


class QuietEngine:
    """Engine-like; these tests ask only the monitoring paths."""

    def handle(self, key: Any, incoming: Any) -> Any:
        raise AssertionError("no turn in this test")

    def user_overview(self, platform: str, user_id: str) -> Any:
        raise AssertionError("no turn in this test")

    def reset(self, key: Any) -> None:
        raise AssertionError("no turn in this test")

    def language_of(self, text: str) -> str:
        return "ja"


@contextmanager
def _servers(settings: Settings, db: Database, api: FakeSlackAPI) -> Iterator[dict[str, str]]:
    """The Slack and Teams servers of one runtime, as `gunmane serve` builds them: name → /readyz URL."""
    runtime = ServerRuntime(settings, db, engine=QuietEngine(), warm_up=False).start()
    slack = HttpServer(build_app(settings, db, mode="http", engine=runtime.pool), settings, host="127.0.0.1",
                       port=0, threads=2, monitor=runtime.monitor).start()

    def teams_app() -> Any:
        server = create_teams_server(runtime.pool, db, teams_auth(settings, insecure_local=True))
        add_monitoring(server.web_app, runtime.monitor)
        return server.web_app

    teams = ThreadedSite(teams_app).start()
    try:
        yield {"slack": f"http://127.0.0.1:{slack.port}/readyz", "teams": f"{teams.url}/readyz"}
    finally:
        teams.stop()
        slack.stop()
        runtime.stop()


def _readiness(urls: dict[str, str]) -> dict[str, tuple[int, dict[str, Any]]]:
    found = {}
    for name, url in urls.items():
        status, body = _get(url)
        found[name] = (status, json.loads(body) if body.startswith("{") else {})
        assert _get(url.replace("/readyz", "/healthz"))[0] == 200, f"{name}: /healthz answers while alive"
    return found


def _slack_settings(settings: Settings, url: str, api: FakeSlackAPI) -> Settings:
    return settings.model_copy(update={
        "database_url": url, "slack_bot_token": SecretStr("xoxb-ready-test"),
        "slack_signing_secret": SecretStr("ready-test-secret"), "slack_api_url": api.url,
        "scheduler": False})   # the scheduler's own tests are above; here only the monitoring paths


def test_readiness_of_slack_and_teams_follows_an_sqlite_file(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "ready.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    db = Database(engine)
    with FakeSlackAPI(team_id="T0READY") as api:
        with _servers(_slack_settings(settings, f"sqlite:///{path}", api), db, api) as urls:
            assert {name: status for name, (status, _) in _readiness(urls).items()} == {"slack": 200, "teams": 200}
            db.dispose()
            os.rename(path, f"{path}.away")
            red = _readiness(urls)
            assert {name: status for name, (status, _) in red.items()} == {"slack": 503, "teams": 503}
            assert all(not body["checks"]["database"]["ok"] for _, body in red.values())
            os.rename(f"{path}.away", path)
            assert {name: status for name, (status, _) in _readiness(urls).items()} == {"slack": 200, "teams": 200}
    db.dispose()


def test_readiness_of_slack_and_teams_follows_postgres(settings: Settings, database_url: str,
                                                      _migrated: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs GUNMANE_TEST_DATABASE_URL=postgresql://…")
    url = urlsplit(database_url)
    target = (url.hostname or "127.0.0.1", url.port or 5432)
    proxy = TcpProxy(target)
    port = proxy.port
    proxied = database_url.replace(f"{url.hostname}:{url.port or 5432}", f"127.0.0.1:{port}")
    db = Database(make_engine(proxied))
    try:
        with FakeSlackAPI(team_id="T0READY") as api:
            with _servers(_slack_settings(settings, proxied, api), db, api) as urls:
                assert {n: s for n, (s, _) in _readiness(urls).items()} == {"slack": 200, "teams": 200}
                proxy.close()
                red = _readiness(urls)
                assert {n: s for n, (s, _) in red.items()} == {"slack": 503, "teams": 503}
                assert all("unreachable" in body["checks"]["database"]["detail"] or "no answer" in
                           body["checks"]["database"]["detail"] for _, body in red.values())
                proxy = TcpProxy(target, port=port)
                assert {n: s for n, (s, _) in _readiness(urls).items()} == {"slack": 200, "teams": 200}
    finally:
        proxy.close()
        db.dispose()


def test_a_secured_teams_server_answers_monitoring_without_a_token(settings: Settings, db: Database) -> None:
    secured = settings.model_copy(update={"teams_app_id": "00000000-0000-0000-0000-000000000001",
                                          "teams_app_password": SecretStr("teams-test-password"),
                                          "teams_tenant_id": "00000000-0000-0000-0000-000000000002",
                                          "scheduler": False})
    auth = teams_auth(secured)
    assert auth.secured
    runtime = ServerRuntime(secured, db, engine=QuietEngine(), warm_up=False).start()

    def teams_app() -> Any:
        server = create_teams_server(runtime.pool, db, auth)
        add_monitoring(server.web_app, runtime.monitor)
        return server.web_app

    try:
        with ThreadedSite(teams_app) as site:
            assert _get(f"{site.url}/healthz")[0] == 200 and _get(f"{site.url}/readyz")[0] == 200
            request = urllib.request.Request(f"{site.url}/api/messages", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
            try:
                urllib.request.urlopen(request, timeout=10)
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == 401   # everything else still needs Microsoft's token
    finally:
        runtime.stop()
