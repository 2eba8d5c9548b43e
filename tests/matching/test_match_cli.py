"""`gunmane match` against the test database with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from knowledge.db import Database

import ranking_records as rec

TEXT = "橋梁の定期点検の発注と点検結果の評価"


@pytest.fixture
def records(db: Database) -> None:
    rec.advisor(db, "adv-1", TEXT, regions=["奈良県"], fields=["bridge"], processes=["inspection"])
    rec.advisor(db, "adv-2", "下水道の包括委託の導入支援", regions=[])
    rec.advisor(db, "adv-paused", TEXT, status="paused")
    rec.case(db, "case-1", "橋梁点検の共同発注", "近隣の町と橋梁点検をまとめて発注した", fields=["bridge"])
    rec.engineer(db, "eng-1", TEXT, "奈良県", "桜井市")
    rec.engineer(db, "eng-own", TEXT, "奈良県", "宇陀市")
    rec.training(db, "trn-1", "橋梁点検 入門講座", "橋の点検の基本をオンラインで", kind="webinar")


def invoke(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["match", *args], env=env)


def test_json_output_is_the_contracts_match_output(records: None, cli_env: dict[str, str]) -> None:
    result = invoke(["--kind", "engineer", "-p", "奈良県", "-m", "宇陀市", "--json", TEXT], cli_env)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    obj = json.loads(line)
    assert list(obj) == ["query", "kind", "results"]
    assert obj["query"] == TEXT and obj["kind"] == "engineer"
    (hit,) = obj["results"]  # eng-own is in the asker's own municipality
    assert hit["id"] == "eng-1" and set(hit) == {"id", "score", "why", "distance_km"}
    assert isinstance(hit["score"], float) and hit["why"] and 5 < hit["distance_km"] < 30


def test_kind_all_prints_one_line_per_kind(records: None, cli_env: dict[str, str]) -> None:
    result = invoke(["--json", "--top", "1", "-p", "奈良県", "-m", "宇陀市", TEXT], cli_env)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [obj["kind"] for obj in lines] == ["advisor", "case", "engineer", "training", "technology"]
    assert all(len(obj["results"]) == 1 for obj in lines[:4])
    assert lines[4]["results"] == []          # no technologies in this data
    assert lines[0]["results"][0]["id"] == "adv-1" and "奈良県を担当" in lines[0]["results"][0]["why"]
    assert "distance_km" not in lines[0]["results"][0]


def test_human_output_shows_a_table_with_reasons(records: None, cli_env: dict[str, str]) -> None:
    result = invoke(["--kind", "advisor", "-p", "奈良県", "-m", "宇陀市", TEXT], cli_env)
    assert result.exit_code == 0, result.output
    assert "adv-1" in result.stdout and "奈良県を担当" in result.stdout and "adv-paused" not in result.stdout


def test_batch_one_output_line_per_input_line(records: None, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "queries.jsonl"
    lines = [
        {"text": TEXT, "kind": "advisor", "prefecture": "奈良県", "municipality": "宇陀市", "top": 1},
        {"text": "下水道の包括委託", "kind": "advisor"},
        {"text": TEXT, "kind": "engineer", "prefecture": "奈良県", "municipality": "宇陀市"},
    ]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    result = invoke(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["query"], o["kind"]) for o in out] == [(x["text"], x["kind"]) for x in lines]
    assert [r["id"] for r in out[0]["results"]] == ["adv-1"]
    assert out[1]["results"][0]["id"] == "adv-2"
    assert [r["id"] for r in out[2]["results"]] == ["eng-1"]


def test_batch_uses_command_line_defaults(records: None, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(json.dumps({"text": TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = invoke(["--batch", str(batch), "--json", "--kind", "engineer", "-p", "奈良県", "-m", "宇陀市"], cli_env)
    assert result.exit_code == 0, result.output
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["kind"] == "engineer" and [r["id"] for r in obj["results"]] == ["eng-1"]


def test_malformed_batch_names_every_bad_line_and_prints_nothing(
    records: None, cli_env: dict[str, str], tmp_path: Path
) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text(
        "\n".join([
            json.dumps({"text": TEXT, "kind": "advisor"}),
            "{not json",
            json.dumps({"text": TEXT, "kind": "bridge"}),
            json.dumps({"kind": "advisor"}),
            json.dumps({"text": TEXT, "top": 0}),
        ]),
        encoding="utf-8",
    )
    result = invoke(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{batch}:2: not valid JSON" in result.stderr
    assert f"{batch}:3: unknown kind 'bridge'" in result.stderr
    assert f"{batch}:4: text is missing" in result.stderr
    assert f"{batch}:5: top must be" in result.stderr
    assert f"{batch}:1" not in result.stderr


def test_unknown_municipality_in_batch_names_the_line(records: None, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "place.jsonl"
    batch.write_text(
        json.dumps({"text": TEXT, "kind": "advisor"}) + "\n"
        + json.dumps({"text": TEXT, "prefecture": "奈良県", "municipality": "宇陀町"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = invoke(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{batch}:2:" in result.stderr and "宇陀市" in result.stderr


def test_unknown_municipality_suggests_the_closest_names(records: None, cli_env: dict[str, str]) -> None:
    result = invoke(["-p", "奈良県", "-m", "宇陀町", TEXT], cli_env)
    assert result.exit_code == 1
    assert "宇陀町" in result.stderr and "宇陀市" in result.stderr  # closest names
    wrong_prefecture = invoke(["-p", "奈良件", "-m", "宇陀市", TEXT], cli_env)
    assert wrong_prefecture.exit_code == 1 and "奈良県" in wrong_prefecture.stderr


def test_text_or_batch_is_required(cli_env: dict[str, str]) -> None:
    result = invoke(["--json"], cli_env)
    assert result.exit_code == 1 and "--batch" in result.stderr


def test_unknown_kind_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = invoke(["--kind", "bridge", TEXT], cli_env)
    assert result.exit_code == 1 and "advisor" in result.stderr and "all" in result.stderr
