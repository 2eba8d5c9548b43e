"""Issue 16, item 14: record text never reaches a terminal as control sequences or rich markup.

A name with ``\\x1b[31m`` (recolour), ``\\x1b]8;;…`` (hyperlink), ``\\r``
(overwrite the line), U+202E (right-to-left override) or ``[link=…]`` (rich
markup) is printed as visible escapes by every command that shows records;
JSON output keeps the exact text (as ``\\uXXXX`` escapes).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.chat import TerminalChat
from bot.cli import app
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.messages import say
from bot.terminal import cell, json_line, printable, typed
from knowledge.db import Database, bump_version
from knowledge.models import Advisor, Consultation, Introduction
from matching.embedders.fake import FakeEmbedder

HOSTILE = "悪意\x1b[31m赤\x1b[0m\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07\r上書き\u202eevil\x9b2J[link=http://x]m[/link]"
SHOWN = "悪意\\x1b[31m赤\\x1b[0m\\x1b]8;;http://evil.example/\\x07link\\x1b]8;;\\x07\\x0d上書き\\u202eevil\\x9b2J"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\x9b")


def invoke(cli_env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=cli_env, input=stdin)


def assert_clean(text: str) -> None:
    assert text.strip(), "the command printed nothing"
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the terminal"


@pytest.fixture
def hostile_advisor(db: Database, cli_env: dict[str, str], tmp_path: Path) -> str:
    row = {"id": "adv-x", "name": HOSTILE, "expertise": "橋梁の定期点検と発注の支援 " + HOSTILE, "fields": ["bridge"],
           "processes": ["inspection"], "prefecture": "奈良県", "contact": "x\x1b[8m@example.jp"}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = invoke(cli_env, "import", "advisor", str(path))
    assert result.exit_code == 0, result.output
    return "adv-x"


def test_printable_escapes_only_what_a_terminal_would_run():
    assert printable(HOSTILE).startswith(SHOWN)
    kept = "改行\nとタブ\tはそのまま、絵文字😀、全角ＡＢＣ、עברית、e\u0301"
    assert printable(kept) == kept
    assert printable("\ud800") == "\\ud800"
    assert cell("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert json.loads(json_line({"n": HOSTILE})) == {"n": HOSTILE} and not any(r in json_line(HOSTILE) for r in RAW)
    lines = json_line({"n": "a\u2028b\u2029c\u0085d"})
    assert json.loads(lines) == {"n": "a\u2028b\u2029c\u0085d"} and len(lines.splitlines()) == 1


def test_list_table_and_json(hostile_advisor, cli_env):
    table = invoke(cli_env, "list", "advisor", "--show-contacts")
    assert table.exit_code == 0, table.output
    assert_clean(table.stdout)
    assert "\\x1b[31m" in table.stdout and "[link=http://x]m[/link]" in table.stdout
    listed = invoke(cli_env, "list", "advisor", "--json")
    assert_clean(listed.stdout)
    assert json.loads(listed.stdout)["name"] == HOSTILE


def test_secretariat_show_list_and_audit(hostile_advisor, cli_env):
    for args in (("advisor", "show", "adv-x"), ("advisor", "show", "adv-x", "--json"), ("advisor", "list"),
                 ("advisor", "list", "--json"), ("audit",), ("audit", "--json")):
        result = invoke(cli_env, *args)
        assert result.exit_code == 0, (args, result.output)
        assert_clean(result.stdout)
        assert "\\x1b" in result.stdout or "\\u001b" in result.stdout, args


def test_intros_list(db, cli_env):
    with db.session() as s:
        advisor = Advisor(ext_id="adv-i", name="n", expertise="e", fields=[], processes=[], regions=[], capacity=3,
                          status="active")
        s.add(advisor)
        s.flush()
        s.add(Introduction(requester_platform="teams", requester_id="teams:\x1b[2J\u202eevil", target_kind="advisor",
                           target_id=advisor.id))
    for args in (("intros", "list"), ("intros", "list", "--json")):
        result = invoke(cli_env, *args)
        assert result.exit_code == 0, result.output
        assert_clean(result.stdout)
        assert "teams:" in result.stdout


def test_problem_messages_of_a_bad_file(db, cli_env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "a", "name": "n", "expertise": "e", "\x1b[31mkey": 1, "status": HOSTILE}) + "\n",
                    encoding="utf-8")
    result = invoke(cli_env, "import", "advisor", str(path))
    assert result.exit_code == 1
    assert_clean(result.stderr)
    assert "'\\x1b[31mkey': unknown field" in result.stderr


def test_match_table(hostile_advisor, cli_env):
    result = invoke(cli_env, "match", "--kind", "advisor", "橋梁の定期点検の発注")
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert "adv-x" in result.stdout and "\\x1b[31m" in result.stdout


def test_chat_in_the_terminal(db, hostile_advisor, cli_env):
    with db.session() as s:
        bump_version(s, "advisor")
    script = f"奈良県宇陀市です。橋の点検を頼める人がいない{HOSTILE}\n1\n1\n"
    for flags in ((), ("--json",)):
        result = invoke(cli_env, "chat", "--user", "tty", *flags, stdin=script)
        assert result.exit_code == 0, result.output
        assert_clean(result.stdout)
    assert "悪意" in result.stdout


def test_typed_bytes_that_are_not_utf8_do_not_break_the_chat(db, settings, hostile_advisor):
    assert typed("橋\udc82\udca0の点検\ud800") == "橋\ufffd\ufffdの点検\ufffd"
    # piped Shift_JIS bytes arrive as lone surrogates (stdin's surrogateescape); the consultation is still stored
    out = io.StringIO()
    chat = TerminalChat(DialogueEngine(db, settings, embedder=FakeEmbedder()), "sjis", out)
    assert chat.run_lines(["奈良県宇陀市です。橋の点検\udc82\udca0を頼める人がいない\n", "1\n", "1\n"]) == 3
    shown = out.getvalue()
    assert say("ja", "internal_error") not in shown
    assert "悪意" in shown  # the results came
    with db.session() as s:
        assert s.scalar(select(Consultation.text)) == "奈良県宇陀市です。橋の点検\ufffd\ufffdを頼める人がいない"
