"""`gunmane analyze` and scripts/eval_intake.py, run as users run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue.cleaning import MAX_CHARS

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["analyze", *args], env=env)


def test_json_shape(cli_env: dict[str, str]) -> None:
    result = _run(["--json", "奈良県宇陀市です。村道の橋の点検、職員が足りなくて誰かに相談したい"], cli_env)
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    assert set(card) == {"text", "municipality", "sub_issues"}
    assert card["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}
    sub = card["sub_issues"][0]
    # Contract v2 (issue 10): every earlier key as it was, plus title and schemes.
    assert set(sub) == {"text", "fields", "processes", "pains", "wanted", "title", "schemes"}
    assert sub["title"] and len(sub["title"]) <= 40 and "宇陀市です" not in sub["title"]
    assert sub["schemes"] and all(set(s) == {"code", "why"} and s["why"] for s in sub["schemes"])
    assert sub["fields"] == ["bridge"] and sub["processes"] == ["inspection"]
    assert "staff_shortage" in sub["pains"] and "advisor" in sub["wanted"]


def test_flags_give_the_municipality(cli_env: dict[str, str]) -> None:
    result = _run(["--json", "--prefecture", "群馬県", "--municipality", "甘楽町", "下水のマンホール点検"], cli_env)
    assert json.loads(result.output)["municipality"] == {"prefecture": "群馬県", "name": "甘楽町"}


def test_ambiguous_and_none(cli_env: dict[str, str]) -> None:
    card = json.loads(_run(["--json", "伊達市の除雪"], cli_env).output)
    assert {m["prefecture"] for m in card["municipality"]["ambiguous"]} == {"北海道", "福島県"}
    assert json.loads(_run(["--json", "橋の点検"], cli_env).output)["municipality"] is None


def test_human_card_in_japanese(cli_env: dict[str, str]) -> None:
    result = _run(["宇陀市です。橋っこのひび、誰に見てもらえば"], cli_env)
    assert result.exit_code == 0
    assert "課題カード" in result.output and "奈良県 宇陀市" in result.output
    assert "分野: 橋梁" in result.output and "業務: 点検" in result.output


def test_batch(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "in.jsonl"
    batch.write_text(
        '{"text": "府中市の橋", "prefecture": "広島県"}\n\n{"text": "公園の草刈り", "municipality": "甘楽町"}\n',
        encoding="utf-8",
    )
    result = _run(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 0, result.output
    cards = [json.loads(line) for line in result.output.splitlines()]
    assert [c["municipality"]["name"] for c in cards] == ["府中市", "甘楽町"]
    assert cards[0]["municipality"]["prefecture"] == "広島県"


def test_bad_batch_line_names_file_and_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text(
        '{"text": "橋"}\nnot json\n{"text": 3}\n{"text": "橋", "municipality": "存在しない村"}\n', encoding="utf-8"
    )
    result = _run(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 1
    assert f"{batch}:2: not valid JSON" in result.output
    assert f"{batch}:3:" in result.output
    result = _run(["--batch", str(batch.with_name("missing.jsonl"))], cli_env)
    assert result.exit_code == 1 and "Cannot read" in result.output


def test_unknown_municipality_in_batch_names_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "m.jsonl"
    batch.write_text(
        '{"text": "橋"}\n{"text": "橋", "prefecture": "奈良県", "municipality": "宇田市"}\n', encoding="utf-8"
    )
    result = _run(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 1 and f"{batch}:2:" in result.output and "宇陀市" in result.output


def test_text_or_batch_required(cli_env: dict[str, str]) -> None:
    result = _run([], cli_env)
    assert result.exit_code == 1 and "--batch" in result.output


def test_eval_script(tmp_path: Path) -> None:
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(
        '{"text": "橋っこのひび、誰に見てもらえば", "fields": ["bridge"], "processes": ["inspection"]}\n'
        '{"text": "公園の草刈り", "fields": ["park"], "processes": ["pruning"]}\n',
        encoding="utf-8",
    )
    cmd = [sys.executable, str(REPO / "scripts" / "eval_intake.py"), str(labelled), "--embedder", "none"]
    out = subprocess.run([*cmd, "--json"], capture_output=True, text=True, check=True)
    scores = json.loads(out.stdout)["scores"]["overall"]
    assert scores["fields"]["f1"] == 1.0
    assert scores["processes"]["precision"] == 0.5 and scores["processes"]["recall"] == 0.5
    errors = subprocess.run([*cmd, "--errors"], capture_output=True, text=True, check=True).stdout
    assert "公園の草刈り" in errors and "missed ['pruning'] extra ['weeding']" in errors
    labelled.write_text('{"text": "x", "fields": "bridge"}\n', encoding="utf-8")
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert bad.returncode != 0 and f"{labelled}:1" in bad.stderr


def test_long_text_is_cut_to_the_chat_limit_and_says_so(cli_env: dict[str, str]) -> None:
    long_text = "町道の橋の点検が追いつかない。" * 400          # 6,000 characters
    assert len(long_text) > MAX_CHARS
    result = _run(["--json", long_text], cli_env)
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)                      # stdout stays one JSON object
    assert len(card["text"]) == MAX_CHARS and long_text.startswith(card["text"])
    assert card["sub_issues"] and card["sub_issues"][0]["fields"] == ["bridge"]
    assert "6,000" in result.stderr and f"{MAX_CHARS:,}" in result.stderr
    human = _run([long_text], cli_env)
    assert human.exit_code == 0 and "最初の2,000文字だけを読みました" in human.stdout and "課題カード" in human.stdout


def test_short_text_has_no_truncation_note(cli_env: dict[str, str]) -> None:
    result = _run(["--json", "橋の点検" * 10], cli_env)
    assert result.exit_code == 0 and result.stderr == "" and "文字だけを読みました" not in result.stdout


def test_batch_notes_name_the_line_that_was_cut(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "long.jsonl"
    rows = [{"text": "公園の草刈り"}, {"text": "下水のマンホール、" * 500}, {"text": "\u3000" * 3000 + "橋"}]
    batch.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = _run(["--batch", str(batch), "--json"], cli_env)
    assert result.exit_code == 0, result.output
    cards = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(cards) == 3 and cards[1]["sub_issues"][0]["fields"] == ["sewerage"]
    assert f"{batch}:2:" in result.stderr and f"{batch}:3:" in result.stderr and f"{batch}:1:" not in result.stderr
    assert cards[2]["sub_issues"] == []                   # only spaces were read: nothing to understand, no crash
