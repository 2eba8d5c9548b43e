"""Issue 16, items 7–9: hostile files are reported as ``FILE:LINE: field: message``, never a traceback.

Each test runs the real command line (typer's CliRunner against the test
database) or the importer itself, and checks that nothing was written.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from knowledge import models
from knowledge.db import Database
from knowledge.errors import ValidationFailed
from knowledge.io import export_records, import_records, records_of_kind
from knowledge.jsonl import MAX_DEPTH, parse_line, split_lines

ADVISOR = {"id": "adv-h", "name": "山田 太郎(架空)", "expertise": "橋梁点検"}
ENGINEER = {"id": "eng-h", "name": "佐藤 花子(架空)", "prefecture": "奈良県", "municipality": "宇陀市",
            "expertise": "除雪", "discoverable": True}
CASE = {"id": "case-h", "title": "共同発注(架空)", "summary": "近隣の町とまとめて発注した"}
INTEGER_FIELDS = [("advisor", ADVISOR, "capacity"), ("case", CASE, "population"), ("case", CASE, "engineers"),
                  ("engineer", ENGINEER, "years")]
DEEP = 100_000


def invoke(cli_env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=cli_env)


def jsonl_file(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def csv_file(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def count_rows(db: Database) -> int:
    with db.session() as s:
        return sum(s.scalar(select(func.count(m.id))) or 0
                   for m in (models.Advisor, models.Engineer, models.Training, models.AuditEntry)) + (
            s.scalar(select(func.count(models.Case.id)).where(models.Case.is_reference.is_(False))) or 0)


def refused(cli_env: dict[str, str], db: Database, kind: str, path: Path, *extra: str) -> list[str]:
    """Import (and dry-run) ``path``: exit 1, no traceback, nothing written; the problem lines."""
    before = count_rows(db)
    for flags in ((), ("--dry-run",)):
        result = invoke(cli_env, "import", kind, str(path), *flags, *extra)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output and "would be created" not in result.output
        assert count_rows(db) == before
    problems = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert problems, result.stderr
    return problems


# ---------------------------------------------------------------- item 7: lone surrogates


def test_lone_surrogate_is_reported_by_import_and_dry_run(db, cli_env, tmp_path):
    path = jsonl_file(tmp_path / "s.jsonl", r'{"id":"x","name":"\ud800","expertise":"e"}')
    (problem,) = refused(cli_env, db, "advisor", path)
    assert problem.startswith(f"{path}:1: name: contains \\ud800 at character 1")


@pytest.mark.parametrize("line, field", [
    (r'{"id":"x","name":"ok","expertise":"e","fields":["bridge","\udfff"]}', "fields"),
    (r'{"id":"x","name":"ok","expertise":"e","contact":"a\ud83db"}', "contact"),
    (r'{"id":"x","name":"ok","expertise":"e","\ud800":"v"}', r"'\ud800'"),
])
def test_lone_surrogates_in_lists_and_field_names(db, cli_env, tmp_path, line, field):
    path = jsonl_file(tmp_path / "s.jsonl", line)
    (problem,) = refused(cli_env, db, "advisor", path)
    assert problem.startswith(f"{path}:1: {field}: "), problem


def test_surrogate_from_the_command_line_is_a_field_problem(db, cli_env):
    # argv bytes that are not UTF-8 arrive as lone surrogates (surrogateescape)
    result = invoke(cli_env, "advisor", "add", "--set", "id=adv-s", "--set", "name=a\udcffb", "--set", "expertise=e")
    assert result.exit_code == 1 and "name: contains \\udcff at character 2" in result.stderr
    assert count_rows(db) == 0


# ---------------------------------------------------------------- item 7: huge numbers, deep nesting


@pytest.mark.parametrize("kind, base, field", INTEGER_FIELDS)
def test_an_integer_of_5000_digits_names_the_field(db, cli_env, tmp_path, kind, base, field):
    line = json.dumps(base, ensure_ascii=False)[:-1] + f', "{field}": {"9" * 5000}}}'
    (problem,) = refused(cli_env, db, kind, jsonl_file(tmp_path / "n.jsonl", line))
    assert problem.endswith(f":1: {field}: is a number of 5,000 digits, far outside the allowed range; "
                            f"write a whole number such as 3")
    cells = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in base.items()}
    path = csv_file(tmp_path / "n.csv", [{**cells, field: "9" * 5000}])
    (problem,) = refused(cli_env, db, kind, path)
    assert problem.startswith(f"{path}:2: {field}: is a number of 5,000 digits") and len(problem) < 300


def test_a_value_nested_100000_deep_is_reported_by_every_jsonl_reader(db, cli_env, tmp_path):
    deep = "[" * DEEP + "]" * DEEP
    path = jsonl_file(tmp_path / "d.jsonl", '{"id":"x","name":"n","expertise":' + deep + "}")
    (problem,) = refused(cli_env, db, "advisor", path)
    assert problem.startswith(f"{path}:1: expertise: lists or objects are nested more than {MAX_DEPTH} levels deep")
    batch = jsonl_file(tmp_path / "b.jsonl", '{"text":"橋の点検"}', '{"text":' + deep + "}")
    for command in ("match", "analyze"):
        result = invoke(cli_env, command, "--batch", str(batch), "--json")
        assert result.exit_code == 1, result.output
        assert f"{batch}:2: text: lists or objects are nested more than" in result.stderr, result.output
    result = invoke(cli_env, "advisor", "add", "--json", '{"id":"x","name":"n","expertise":' + deep + "}")
    assert result.exit_code == 1 and "--json: expertise: lists or objects are nested" in result.stderr
    result = invoke(cli_env, "advisor", "add", "--json", "{not json")
    assert result.exit_code == 1 and "--json: json: invalid JSON (" in result.stderr
    assert count_rows(db) == 0


def test_nesting_just_above_the_limit_is_named_too(db, tmp_path):
    nested = "[" * (MAX_DEPTH) + "]" * (MAX_DEPTH)
    path = jsonl_file(tmp_path / "d.jsonl", '{"id":"x","name":"n","expertise":"e","fields":' + nested + "}")
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", path, actor="test", dry_run=True)
    assert err.value.problems[0].startswith(f"{path}:1: fields: lists or objects are nested")


@pytest.mark.parametrize("value, expected", [
    ([1], "fields: item 1: input should be a valid string (got 1)"),
    ([None], "fields: item 1: input should be a valid string"),
    ([["bridge"]], "fields: item 1: input should be a valid string"),
    ({"bridge": 1}, "fields: input should be a valid list"),
    (7, "fields: input should be a valid list (got 7)"),
])
def test_list_fields_with_values_of_the_wrong_type(db, tmp_path, value, expected):
    path = jsonl_file(tmp_path / "l.jsonl", json.dumps({**ADVISOR, "fields": value}))
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", path, actor="test")
    assert err.value.problems == [f"{path}:1: {expected}"]


# ---------------------------------------------------------------- item 9: booleans are not integers


@pytest.mark.parametrize("kind, base, field", INTEGER_FIELDS)
@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_accepted_as_integers(db, tmp_path, kind, base, field, value):
    path = jsonl_file(tmp_path / "b.jsonl", json.dumps({**base, field: value}, ensure_ascii=False))
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, kind, path, actor="test")
    assert err.value.problems == [f"{path}:1: {field}: {str(value).lower()} is not a number; "
                                  f"write a whole number such as 3"]


@pytest.mark.parametrize("cell", ["true", "1_0", "３", "3.5", "0x10", "1e3", "- 3"])
def test_integer_cells_take_ascii_digits_only(db, tmp_path, cell):
    path = csv_file(tmp_path / "i.csv", [{**ADVISOR, "capacity": cell}])
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", path, actor="test")
    assert err.value.problems == [
        f"{path}:2: capacity: {cell!r} is not a whole number; write it in digits 0-9, such as 3"
    ]


def test_integer_cells_that_are_fine(db, tmp_path):
    path = csv_file(tmp_path / "i.csv", [{**ADVISOR, "capacity": " 4 "}, {**ADVISOR, "id": "adv-2", "capacity": "+0"}])
    with db.session() as s:
        assert import_records(s, "advisor", path, actor="test").created == ["adv-h", "adv-2"]
        assert [r.capacity for r in records_of_kind(s, "advisor")] == [0, 4]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [1, 0, "yes", "no", "on", "1", "t", 2])
def test_consent_is_true_or_false_only(db, tmp_path, value):
    path = jsonl_file(tmp_path / "e.jsonl", json.dumps({**ENGINEER, "discoverable": value}, ensure_ascii=False))
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "engineer", path, actor="test")
    assert err.value.problems == [f"{path}:1: discoverable: {value!r} is not allowed; write true or false"]


def test_consent_cells_in_any_case(db, tmp_path):
    rows = [{**ENGINEER, "discoverable": "TRUE"}, {**ENGINEER, "id": "eng-2", "discoverable": " false "}]
    with db.session() as s:
        import_records(s, "engineer", csv_file(tmp_path / "e.csv", rows), actor="test")
        assert [r.discoverable for r in records_of_kind(s, "engineer")] == [False, True]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["２０２７-０４-０１", "2027-4-1", "2027-02-30", 20270401, "2027-04-01\n2028"])
def test_dates_are_iso_with_ascii_digits(db, tmp_path, value):
    row = {"id": "trn-h", "title": "研修", "description": "d", "start_date": value}
    path = jsonl_file(tmp_path / "t.jsonl", json.dumps(row, ensure_ascii=False))
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "training", path, actor="test")
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}:1: start_date: {value!r} is not a")


def test_long_values_are_quoted_short_in_messages(db, tmp_path):
    rows = [{**ADVISOR, "prefecture": "奈" * 1_000_000, "status": "x" * 1_000_000, "fields": ["y" * 1_000_000] * 8,
             "z" * 1_000: 1}]
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", jsonl_file(tmp_path / "long.jsonl", json.dumps(rows[0])), actor="test")
    assert len(err.value.problems) == 4
    assert all(len(p) < 1_000 for p in err.value.problems), [len(p) for p in err.value.problems]
    assert any("(and 3 more)" in p for p in err.value.problems)


# ---------------------------------------------------------------- item 8: lines end at \n only


ODD_BREAKS = "一行目\u2028二行目\u2029三\u0085四\x0b五\x0c六\x1c七\x1d八\x1e九"


def test_split_lines_cuts_at_newline_only():
    assert list(split_lines(f"a{ODD_BREAKS}\r\nb\n\nc")) == [(1, f"a{ODD_BREAKS}"), (2, "b"), (3, ""), (4, "c")]
    assert parse_line(json.dumps({"t": ODD_BREAKS}, ensure_ascii=False)) == {"t": ODD_BREAKS}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_record_with_line_separators_exports_and_reimports_identically(db, tmp_path, suffix):
    record = {**ADVISOR, "expertise": ODD_BREAKS, "affiliation": "A\u2028B"}
    with db.session() as s:
        import_records(s, "advisor", jsonl_file(tmp_path / "in.jsonl", json.dumps(record, ensure_ascii=False)),
                       actor="test")
        first = [r.contract_dict() for r in records_of_kind(s, "advisor")]
        assert first[0]["expertise"] == ODD_BREAKS
        export_records(s, "advisor", tmp_path / f"out{suffix}")
    with db.session() as s:
        report = import_records(s, "advisor", tmp_path / f"out{suffix}", actor="test")
        assert (report.unchanged, report.created, report.updated) == (["adv-h"], [], [])
        assert [r.contract_dict() for r in records_of_kind(s, "advisor")] == first


def test_batch_readers_keep_line_separators_inside_a_line(db, cli_env, tmp_path):
    batch = jsonl_file(tmp_path / "b.jsonl", json.dumps({"text": "橋の点検\u2028職員が足りない"}, ensure_ascii=False),
                       json.dumps({"text": "下水道\u0085の更新"}, ensure_ascii=False))
    result = invoke(cli_env, "analyze", "--batch", str(batch), "--json")
    assert result.exit_code == 0, result.output
    texts = [json.loads(line)["text"] for line in result.stdout.split("\n") if line]
    assert texts == ["橋の点検\u2028職員が足りない", "下水道\u0085の更新"]
    result = invoke(cli_env, "match", "--batch", str(batch), "--json", "--kind", "case")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["query"] for line in result.stdout.split("\n") if line] == texts


# ---------------------------------------------------------------- file arguments that are not files


def test_a_directory_or_an_endless_pipe_is_a_problem_not_a_traceback(db, cli_env, tmp_path, monkeypatch):
    folder = tmp_path / "advisors.jsonl"
    folder.mkdir()
    (problem,) = refused(cli_env, db, "advisor", folder)
    assert problem == f"{folder}:1: file: this is a directory; give the .csv or .jsonl file in it"

    from knowledge import io as knowledge_io

    monkeypatch.setattr(knowledge_io, "MAX_FILE_BYTES", 1_000)
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)

    def feed() -> None:  # more than the limit; the reader stops early and closes, which may break the pipe
        with contextlib.suppress(BrokenPipeError):
            pipe.write_bytes(b"{}\n" * 100_000)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", pipe, actor="test")
    assert err.value.problems == [f"{pipe}:1: file: more than 0 MB; the limit is 0 MB — split it"]
    writer.join(timeout=30)
    assert not writer.is_alive()


def test_export_to_a_place_that_cannot_be_written(db, cli_env, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = invoke(cli_env, "export", "advisor", str(blocker / "out.csv"))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.stderr.startswith(f"error: Cannot write {blocker / 'out.csv'}: ")


def test_long_text_in_an_integer_cell_is_not_called_a_number(db, tmp_path):
    path = csv_file(tmp_path / "i.csv", [{**ADVISOR, "capacity": "three hundred and twenty-one"}])
    with pytest.raises(ValidationFailed) as err, db.session() as s:
        import_records(s, "advisor", path, actor="test")
    assert err.value.problems == [
        f"{path}:2: capacity: 'three hundred and twenty-one' is not a whole number; write it in digits 0-9, such as 3"
    ]
