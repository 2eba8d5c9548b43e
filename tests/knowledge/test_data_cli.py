"""The data commands run through typer's CliRunner against the test database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app

ROWS = [
    {"id": "adv-1", "name": "山田 太郎(架空)", "expertise": "橋梁点検", "fields": ["橋梁"], "prefecture": "奈良県",
     "municipality": "宇陀市", "contact": "t.yamada@example.jp"},
    {"id": "adv-2", "name": "佐藤 花子(架空)", "expertise": "除雪", "contact": "@sato-hanako"},
]


def invoke(cli_env, *args: str):
    return CliRunner().invoke(app, list(args), env=cli_env)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_list_export(db, cli_env, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", ROWS)
    result = invoke(cli_env, "import", "advisor", str(path))
    assert result.exit_code == 0, result.output
    assert "2 advisor record(s) — 2 were created, 0 were updated, 0 unchanged" in result.stdout
    listed = invoke(cli_env, "list", "advisor", "--json")
    assert [json.loads(line)["fields"] for line in listed.stdout.splitlines()] == [["bridge"], []]
    assert json.loads(listed.stdout.splitlines()[0])["contact"] == "t.yamada@example.jp"
    out = tmp_path / "out.csv"
    exported = invoke(cli_env, "export", "advisor", str(out))
    assert exported.exit_code == 0 and f"Wrote 2 advisor record(s) to {out}" in exported.stdout
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id,name,affiliation,kind,expertise")


def test_list_table_masks_contacts_unless_asked(db, cli_env, tmp_path):
    invoke(cli_env, "import", "advisor", str(write_jsonl(tmp_path / "a.jsonl", ROWS)))
    table = invoke(cli_env, "list", "advisor").stdout
    assert "山田" in table and "橋梁" in table and "奈良県 宇陀市" in table
    assert "t.yamada@example.jp" not in table and "@sato-hanako" not in table
    assert "t***@example.jp" in table and "@s***" in table
    shown = invoke(cli_env, "list", "advisor", "--show-contacts").stdout
    assert "t.yamada@example.jp" in shown and "@sato-hanako" in shown


def test_bad_file_exits_1_with_every_problem_and_changes_nothing(db, cli_env, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{**ROWS[0], "fields": ["はし"]}, {"id": "adv-2", "name": "x"}])
    result = invoke(cli_env, "import", "advisor", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: fields: 'はし' is not a field code or label" in result.stderr
    assert f"{path}:2: expertise: required field is missing or empty" in result.stderr
    assert "2 problem(s); nothing was changed." in result.stderr
    assert invoke(cli_env, "list", "advisor", "--json").stdout == ""


def test_dry_run_changes_nothing(db, cli_env, tmp_path):
    result = invoke(cli_env, "import", "advisor", str(write_jsonl(tmp_path / "a.jsonl", ROWS)), "--dry-run")
    assert result.exit_code == 0 and "2 would be created" in result.stdout and "dry run" in result.stdout
    assert invoke(cli_env, "list", "advisor", "--json").stdout == ""


def test_formula_warning_goes_to_stderr(db, cli_env, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,name,expertise\nadv-1,山田,=1+1\n", encoding="utf-8")
    result = invoke(cli_env, "import", "advisor", str(path))
    assert result.exit_code == 0 and f"warning: {path}:2: expertise: starts with '='" in result.stderr


def test_unknown_kind_is_a_usage_error(db, cli_env, tmp_path):
    result = invoke(cli_env, "import", "vendor", str(tmp_path / "a.jsonl"))
    assert result.exit_code == 2 and "vendor" in result.output


def test_db_seed_is_idempotent_and_prints_counts(db, cli_env):
    first = invoke(cli_env, "db", "seed")
    second = invoke(cli_env, "db", "seed")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "1,741 municipalities" in second.stdout and "10 windows" in second.stdout
    assert first.stdout == second.stdout


def test_out_of_date_schema_names_the_command(cli_env, tmp_path):
    env = {**cli_env, "GUNMANE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    for args, name in [(["import", "advisor", "x.jsonl"], "import"), (["list", "case"], "list"),
                       (["export", "case", "x.csv"], "export"), (["db", "seed"], "db seed")]:
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 1
        assert "has no schema yet" in result.stderr and f"Run `gunmane db upgrade`, then `gunmane {name}` again" in result.stderr


def test_config_masks_secrets(cli_env):
    env = {**cli_env, "GUNMANE_SLACK_BOT_TOKEN": "xoxb-very-secret-token-42",
           "GUNMANE_TEAMS_APP_PASSWORD": "p@ssw0rd-teams-99",
           "GUNMANE_DATABASE_URL": "postgresql://bot:hunter2@db.example:5432/gunmane"}
    result = CliRunner().invoke(app, ["config"], env=env)
    assert result.exit_code == 0
    assert "xoxb-very-secret" not in result.stdout and "slack_bot_token = ****42" in result.stdout
    assert "p@ssw0rd" not in result.stdout and "teams_app_password = ****99" in result.stdout
    assert "hunter2" not in result.stdout and "postgresql://bot:****@db.example:5432/gunmane" in result.stdout


def test_db_seed_sample_loads_demo_data_idempotently(db, cli_env):
    first = invoke(cli_env, "db", "seed", "--sample")
    assert first.exit_code == 0, first.output
    assert "Sample data (fictional): 25 advisor record(s) — 25 created" in first.stdout
    second = invoke(cli_env, "db", "seed", "--sample")
    assert "30 engineer record(s) — 0 created, 0 updated, 30 unchanged" in second.stdout
    assert len(invoke(cli_env, "list", "engineer", "--json").stdout.splitlines()) == 30
