"""`gunmane serve lineworks`: refusing to start without its settings, and a real start answering over HTTP."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

from lineworks_stack import BOT_ID, BOT_SECRET, CLIENT_ID, CLIENT_SECRET, SERVICE_ACCOUNT, post, signed_headers, until
from typer.testing import CliRunner

from bot.cli import app
from bot.lineworks.fake_api import FakeLineWorks

ALL = ("BOT_ID", "BOT_SECRET", "CLIENT_ID", "CLIENT_SECRET", "SERVICE_ACCOUNT", "PRIVATE_KEY")


def lineworks_env(fake: FakeLineWorks, key_file: Path) -> dict[str, str]:
    return {"GUNMANE_LINEWORKS_BOT_ID": BOT_ID, "GUNMANE_LINEWORKS_BOT_SECRET": BOT_SECRET,
            "GUNMANE_LINEWORKS_CLIENT_ID": CLIENT_ID, "GUNMANE_LINEWORKS_CLIENT_SECRET": CLIENT_SECRET,
            "GUNMANE_LINEWORKS_SERVICE_ACCOUNT": SERVICE_ACCOUNT, "GUNMANE_LINEWORKS_PRIVATE_KEY": str(key_file),
            "GUNMANE_LINEWORKS_API_URL": fake.api_url, "GUNMANE_LINEWORKS_AUTH_URL": fake.auth_url}


def test_without_settings_start_up_is_refused_naming_every_missing_one(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["serve", "lineworks", "--port", "3001"], env=cli_env)
    assert result.exit_code == 1
    assert all(f"GUNMANE_LINEWORKS_{name}" in result.output for name in ALL)
    assert "Developer Console" in result.output


def test_one_missing_setting_is_named_alone(cli_env: dict[str, str], fake: FakeLineWorks, key_file: Path) -> None:
    env = {**cli_env, **lineworks_env(fake, key_file), "GUNMANE_LINEWORKS_BOT_SECRET": ""}
    result = CliRunner().invoke(app, ["serve", "lineworks"], env=env)
    assert result.exit_code == 1
    assert "GUNMANE_LINEWORKS_BOT_SECRET" in result.output and "GUNMANE_LINEWORKS_BOT_ID" not in result.output


def test_a_missing_or_wrong_key_file_is_named(cli_env: dict[str, str], fake: FakeLineWorks, tmp_path: Path,
                                              key_file: Path) -> None:
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("これは鍵ではありません", encoding="utf-8")
    for path, says in ((tmp_path / "nowhere.key", "cannot read"), (not_a_key, "not an unencrypted PEM")):
        env = {**cli_env, **lineworks_env(fake, key_file), "GUNMANE_LINEWORKS_PRIVATE_KEY": str(path)}
        result = CliRunner().invoke(app, ["serve", "lineworks"], env=env)
        assert result.exit_code == 1
        assert "GUNMANE_LINEWORKS_PRIVATE_KEY" in result.output and says in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_lineworks_answers_a_signed_callback_through_the_fake(
    cli_env: dict[str, str], fake: FakeLineWorks, key_file: Path
) -> None:
    port = _free_port()
    gunmane = Path(sys.executable).with_name("gunmane")
    process = subprocess.Popen(
        [str(gunmane), "serve", "lineworks", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **cli_env, **lineworks_env(fake, key_file)},
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or []], daemon=True)
    reader.start()
    try:
        while "listening" not in (line := lines.get(timeout=60)):
            pass
        assert "/lineworks/callback" in line
        raw = b'{"type": "message", "source": {"userId": "cli-user", "domainId": 1}, ' \
              b'"content": {"type": "text", "text": "help"}}'
        assert post(f"http://127.0.0.1:{port}/lineworks/callback", raw, signed_headers(raw)) == 200
        until(lambda: bool(fake.log.delivered("cli-user")))
        assert post(f"http://127.0.0.1:{port}/lineworks/callback", raw, {}) == 401
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=30)           # the pipe is at its end once the process is gone
        if process.stderr is not None:
            process.stderr.close()
