"""A change made in one process is obeyed by another, long-running worker at its very next match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

WORKER = Path(__file__).with_name("match_worker.py")
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER)], cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert json.loads(self._line()) == {"ready": True}

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the worker died"
        return line

    def ask(self, text: str) -> dict[str, list[str]]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return json.loads(self._line())

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        if self.proc.stdout:
            self.proc.stdout.close()


def test_pause_forget_and_consent_reach_a_running_worker(people, cli_env):
    worker = Worker(cli_env)
    try:
        before = worker.ask("橋梁の点検と下水道の計画について相談したい")
        assert "adv-t1" in before["advisor"] and "eng-t1" in before["engineer"]

        run = CliRunner().invoke(app, ["advisor", "pause", "adv-t1", "--by", "test"], env=cli_env)
        assert run.exit_code == 0, run.output
        assert "adv-t1" not in worker.ask("橋梁の点検と下水道の計画について相談したい")["advisor"]

        run = CliRunner().invoke(app, ["advisor", "activate", "adv-t1"], env=cli_env)
        assert run.exit_code == 0, run.output
        assert "adv-t1" in worker.ask("橋梁の点検と下水道の計画について相談したい")["advisor"]

        run = CliRunner().invoke(app, ["engineer", "edit", "eng-t1", "--set", "discoverable=false"], env=cli_env)
        assert run.exit_code == 0, run.output
        assert "eng-t1" not in worker.ask("下水道の計画について相談したい")["engineer"]

        run = CliRunner().invoke(app, ["advisor", "forget", "adv-t1", "--yes"], env=cli_env)
        assert run.exit_code == 0, run.output
        assert "adv-t1" not in worker.ask("橋梁の点検と下水道の計画について相談したい")["advisor"]
    finally:
        worker.close()
