"""`gunmane index build|status` against the test database (fake embedder)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from knowledge import models
from knowledge.db import Database, bump_version


def seed(db: Database) -> None:
    with db.session() as session:
        session.add_all(
            models.Advisor(ext_id=f"adv-{i}", name="名前", expertise=text)
            for i, text in enumerate(["橋梁の定期点検", "下水道の包括委託", "河川の除草"])
        )
        bump_version(session, "advisor")


def test_status_before_and_after_build(db: Database, cli_env: dict[str, str], data_dir: Path) -> None:
    seed(db)
    runner = CliRunner()
    before = runner.invoke(app, ["index", "status"], env=cli_env)
    assert before.exit_code == 0, before.output
    assert "advisor" in before.output and "no: no index yet" in before.output
    assert "Run `gunmane index build`" in before.output

    built = runner.invoke(app, ["index", "build", "--kind", "advisor"], env=cli_env)
    assert built.exit_code == 0, built.output
    assert "advisor: 3 vectors (flat-ip; 3 embedded now, 0 from the cache)" in built.output
    assert (data_dir / "index" / "advisor.faiss").is_file()
    assert not (data_dir / "index" / "case.faiss").exists()

    after = runner.invoke(app, ["index", "status"], env=cli_env)
    advisor_line = next(line for line in after.output.splitlines() if "advisor" in line)
    assert "3 / 3" in advisor_line and "fake-ngram-64" in advisor_line and "yes" in advisor_line


def test_build_all_reuses_the_cache(db: Database, cli_env: dict[str, str], data_dir: Path) -> None:
    seed(db)
    runner = CliRunner()
    assert runner.invoke(app, ["index", "build"], env=cli_env).exit_code == 0
    again = runner.invoke(app, ["index", "build"], env=cli_env)
    assert again.exit_code == 0
    assert "advisor: 3 vectors (flat-ip; 0 embedded now, 3 from the cache)" in again.output
    assert {p.name for p in (data_dir / "index").glob("*.faiss")} == {
        "advisor.faiss", "case.faiss", "engineer.faiss", "training.faiss", "technology.faiss"
    }


def test_unknown_kind_is_an_error_listing_the_kinds(db: Database, cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["index", "build", "--kind", "bridge"], env=cli_env)
    assert result.exit_code == 1
    assert "advisor, case, engineer, training" in result.output


def test_misconfigured_embedder_names_the_setting(db: Database, cli_env: dict[str, str]) -> None:
    env = {**cli_env, "GUNMANE_EMBEDDER": "sentence-transformers"}
    result = CliRunner().invoke(app, ["index", "build"], env=env)
    assert result.exit_code == 1
    assert "GUNMANE_ST_MODEL" in result.output
