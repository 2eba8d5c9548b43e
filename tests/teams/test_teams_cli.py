"""`gunmane serve teams`: refusing to start unsafely, and a real start with --insecure-local."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

from teams_stack import TeamsUser
from typer.testing import CliRunner

from bot.cli import app
from bot.teams.fake_connector import FakeConnector


def test_without_credentials_start_up_is_refused_and_says_how_to_fix_it(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["serve", "teams", "--port", "3978"], env=cli_env)
    assert result.exit_code == 1
    assert "GUNMANE_TEAMS_APP_ID" in result.output and "--insecure-local" in result.output


def test_half_of_the_credentials_is_refused_naming_the_missing_one(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "GUNMANE_TEAMS_APP_ID": "00000000-1111-2222-3333-444444444444"}
    result = CliRunner().invoke(app, ["serve", "teams", "--insecure-local"], env=env)
    assert result.exit_code == 1
    assert "GUNMANE_TEAMS_APP_PASSWORD is not set" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_insecure_local_says_so_first_and_then_answers_over_http(cli_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    gunmane = Path(sys.executable).with_name("gunmane")
    process = subprocess.Popen(
        [str(gunmane), "serve", "teams", "--port", str(port), "--insecure-local"],   # no --host: loopback
        env={**os.environ, **cli_env}, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=60)
        assert "authentication is OFF" in first and "local testing only" in first
        while "listening" not in (line := lines.get(timeout=60)):
            pass
        assert "authentication OFF" in line
        assert f"http://127.0.0.1:{port}/" in line   # issue 16 item 5: unauthenticated binds this machine only
        with FakeConnector() as connector:
            user = TeamsUser(f"http://127.0.0.1:{port}/api/messages", connector.url, "aad-cli", "試験")
            assert user.says("ヘルプ") == 202
            assert connector.log.messages(user.conversation_id)
            assert all(call.authorization is None for call in connector.log.calls())  # no token is sent
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=30)   # the pipe reaches its end once the server has exited
        process.stderr.close()
