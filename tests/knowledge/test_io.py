"""Import and export: round trips, upserts with audit, and every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge import models
from knowledge.audit import history
from knowledge.db import get_version
from knowledge.errors import ValidationFailed
from knowledge.io import escape_formula, export_records, import_records, records_of_kind, unescape_formula

ADVISORS = [
    {"id": "adv-1", "name": "山田 太郎(架空)", "affiliation": "=HYPERLINK(\"http://evil\")", "kind": "retired_official",
     "expertise": "橋梁点検の発注;積算;報告書の確認。\n二行目もあります。", "fields": ["bridge"],
     "processes": ["inspection", "procurement"], "prefecture": "奈良県", "municipality": "宇陀市",
     "regions": ["奈良県", "三重県"], "capacity": 2, "status": "active", "contact": "@yamada"},
    {"id": "adv-2", "name": "+81 佐藤 花子(架空)", "affiliation": None, "kind": None, "expertise": "-除雪計画の見直し",
     "fields": [], "processes": [], "prefecture": None, "municipality": None, "regions": [], "capacity": 3,
     "status": "paused", "contact": None},
    {"id": "adv-3", "name": "'=quoted(架空)", "affiliation": "'plain", "kind": "consultant", "expertise": "@mention 下水道",
     "fields": ["sewerage"], "processes": ["planning"], "prefecture": "岩手県", "municipality": "岩手県",
     "regions": [], "capacity": 0, "status": "retired", "contact": "x@example.jp"},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def run_import(db, kind, path, **kw):
    with db.session() as s:
        return import_records(s, kind, path, actor="test", **kw)


def snapshot(db, kind="advisor"):
    with db.session() as s:
        return [r.contract_dict() for r in records_of_kind(s, kind)], s.scalar(select(func.count(models.AuditEntry.id)))


def failure(db, kind, path) -> list[str]:
    before = snapshot(db, kind)
    with pytest.raises(ValidationFailed) as err:
        run_import(db, kind, path)
    assert snapshot(db, kind) == before, "a failed import must change nothing"
    return err.value.problems


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_import_export_import_is_lossless(db, tmp_path, suffix):
    report = run_import(db, "advisor", write_jsonl(tmp_path / "in.jsonl", ADVISORS))
    assert report.created == ["adv-1", "adv-2", "adv-3"]
    first, _ = snapshot(db)
    assert first == ADVISORS
    exported = tmp_path / f"out{suffix}"
    with db.session() as s:
        assert export_records(s, "advisor", exported) == 3
    again = run_import(db, "advisor", exported)
    assert (again.unchanged, again.created, again.updated) == (["adv-1", "adv-2", "adv-3"], [], [])
    assert snapshot(db)[0] == ADVISORS
    with db.session() as s:
        export_records(s, "advisor", tmp_path / f"again{suffix}")
    assert (tmp_path / f"again{suffix}").read_bytes() == exported.read_bytes()


def test_csv_export_escapes_formula_cells_and_import_reverses_it(db, tmp_path):
    run_import(db, "advisor", write_jsonl(tmp_path / "in.jsonl", ADVISORS))
    with db.session() as s:
        export_records(s, "advisor", tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "\"'=HYPERLINK(\"\"http://evil\"\")\"" in text
    assert "'+81 佐藤" in text and "'-除雪" in text and "'@mention" in text and "''=quoted" in text
    assert "'plain" in text and "''plain" not in text
    assert "regions" in text.splitlines()[0] and "奈良県;三重県" in text


def test_round_trip_of_every_kind_in_both_formats(db, tmp_path):
    files = {
        "case": [{"id": "c-1", "title": "共同発注(架空)", "summary": "A;B;C", "prefecture": "静岡県",
                  "municipalities": ["静岡県", "下田市"], "scheme": ["joint_procurement"], "fields": ["road"],
                  "processes": ["patrol"], "population": 20000, "engineers": 6, "source": "資料"}],
        "engineer": [{"id": "e-1", "name": "技師(架空)", "prefecture": "群馬県", "municipality": "甘楽町",
                      "department": None, "years": None, "expertise": "公園", "fields": ["park"], "processes": [],
                      "discoverable": False, "contact": None}],
        "training": [{"id": "t-1", "title": "研修(架空)", "kind": "webinar", "organizer": None, "prefecture": None,
                      "start_date": "2027-02-01", "end_date": "2027-02-02", "description": "オンライン",
                      "fields": [], "processes": ["training"], "url": "https://example.jp/t?a=1;b=2"}],
    }
    for kind, rows in files.items():
        run_import(db, kind, write_jsonl(tmp_path / f"{kind}.jsonl", rows))
        for suffix in (".csv", ".jsonl"):
            with db.session() as s:
                export_records(s, kind, tmp_path / f"{kind}-out{suffix}")
            again = run_import(db, kind, tmp_path / f"{kind}-out{suffix}")
            assert rows[0]["id"] in again.unchanged and not again.changed
        assert [r for r in snapshot(db, kind)[0] if r["id"] == rows[0]["id"]] == rows


def test_formula_escaping_is_exactly_reversible():
    for value in ["=1+1", "+x", "-", "@a", "'=x", "''+y", "'plain", "plain", ""]:
        assert unescape_formula(escape_formula(value)) == value


def test_reference_cases_are_exported(db, tmp_path):
    with db.session() as s:
        reference = s.scalar(select(func.count(models.Case.id)))
        assert export_records(s, "case", tmp_path / "cases.jsonl") == reference


# ---------------------------------------------------------------- upsert, audit, versions, dry run


def test_upsert_updates_and_audits_before_and_after(db, tmp_path):
    run_import(db, "advisor", write_jsonl(tmp_path / "a.jsonl", ADVISORS[:2]))
    with db.session() as s:
        version = get_version(s, "advisor")
    changed = [{**ADVISORS[0], "capacity": 5}, ADVISORS[1], ADVISORS[2]]
    report = run_import(db, "advisor", write_jsonl(tmp_path / "b.jsonl", changed))
    assert (report.created, report.updated, report.unchanged) == (["adv-3"], ["adv-1"], ["adv-2"])
    with db.session() as s:
        assert get_version(s, "advisor") == version + 1
        entries = history(s, kind="advisor", record_id="adv-1")
        assert [e.action for e in entries] == ["import", "import"]
        assert entries[1].before["capacity"] == 2 and entries[1].after["capacity"] == 5
        assert entries[0].before is None
        assert history(s, kind="advisor", record_id="adv-2")[-1].after == ADVISORS[1]
        assert len(history(s, kind="advisor", record_id="adv-2")) == 1


def test_unchanged_import_writes_nothing(db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", ADVISORS)
    run_import(db, "advisor", path)
    with db.session() as s:
        version = get_version(s, "advisor")
    before = snapshot(db)
    report = run_import(db, "advisor", path)
    assert not report.changed and report.version is None
    assert snapshot(db) == before
    with db.session() as s:
        assert get_version(s, "advisor") == version


def test_dry_run_validates_and_changes_nothing(db, tmp_path):
    before = snapshot(db)
    report = run_import(db, "advisor", write_jsonl(tmp_path / "a.jsonl", ADVISORS), dry_run=True)
    assert report.created == ["adv-1", "adv-2", "adv-3"] and report.dry_run and "would be created" in report.summary()
    assert snapshot(db) == before
    with db.session() as s:
        assert get_version(s, "advisor") == 0
    bad = write_jsonl(tmp_path / "b.jsonl", [{"id": "x"}])
    with pytest.raises(ValidationFailed):
        run_import(db, "advisor", bad, dry_run=True)


def test_an_erased_person_cannot_be_reimported_with_their_data(db, tmp_path):
    from bot.secretariat.erasure import forget

    path = write_jsonl(tmp_path / "a.jsonl", ADVISORS)
    run_import(db, "advisor", path)
    with db.session() as s:
        forget(s, "advisor", "adv-1", actor="test")
    (problem,) = failure(db, "advisor", path)
    assert problem.startswith(f"{path}:1: id: 'adv-1' was erased")
    with db.session() as s:
        export_records(s, "advisor", tmp_path / "after.csv")
    assert run_import(db, "advisor", tmp_path / "after.csv").unchanged == ["adv-1", "adv-2", "adv-3"]


# ---------------------------------------------------------------- bad files


def test_unbalanced_quote(db, tmp_path):
    path = write_text(tmp_path / "a.csv", 'id,name,expertise\nadv-1,"山田,橋梁\nadv-2,佐藤,道路\n')
    (problem,) = failure(db, "advisor", path)
    assert problem.startswith(f"{path}:2: csv: malformed CSV") and "never closed" in problem


def test_wrong_column_count(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "id,name,expertise\nadv-1,山田,橋梁\nadv-2,佐藤,道路,余分\nadv-3,鈴木\n")
    problems = failure(db, "advisor", path)
    assert problems == [
        f"{path}:3: row: has 4 values but the header has 3 columns (a comma inside a value needs the value in double quotes)",
        f"{path}:4: row: has 2 values but the header has 3 columns (a comma inside a value needs the value in double quotes)",
    ]


def test_trailing_empty_cells_and_blank_lines_are_ignored(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "\ufeffid,name,expertise\r\n\r\nadv-1,山田,橋梁,,\r\n,,\r\n")
    assert run_import(db, "advisor", path).created == ["adv-1"]


def test_shift_jis_file_is_named_with_a_fix(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "id,name,expertise\nadv-1,山田,橋梁の点検\n", encoding="cp932")
    (problem,) = failure(db, "advisor", path)
    assert problem.startswith(f"{path}:2: file: the file is not UTF-8")
    assert "Shift_JIS" in problem and "CSV UTF-8" in problem and "iconv -f CP932 -t UTF-8" in problem


def test_unknown_taxonomy_label_lists_allowed_values(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "id,name,expertise,fields\nadv-1,山田,橋,橋梁;はし\n")
    (problem,) = failure(db, "advisor", path)
    assert problem.startswith(f"{path}:2: fields: 'はし' is not a field code or label; allowed: road (道路), bridge (橋梁)")


def test_duplicate_ids_in_one_file(db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [ADVISORS[0], ADVISORS[1], {**ADVISORS[0], "name": "別人"}])
    (problem,) = failure(db, "advisor", path)
    assert problem == f"{path}:3: id: 'adv-1' appears again (first on line 1); each id may appear only once in a file"


def test_missing_required_columns_and_unknown_columns(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "id,name,colour\nadv-1,山田,red\n")
    problems = failure(db, "advisor", path)
    assert problems[0].startswith(f"{path}:1: header: unknown column(s) 'colour'; the columns of advisor are id, name")
    assert problems[1] == f"{path}:1: header: missing required column(s) expertise"


def test_missing_required_values_name_line_and_field(db, tmp_path):
    path = write_text(tmp_path / "e.csv", "id,name,prefecture,municipality,expertise,discoverable\n"
                                          "eng-1,,奈良県,宇陀市,橋,true\neng-2,佐藤,奈良県,宇陀市,橋,\n")
    problems = failure(db, "engineer", path)
    assert problems == [f"{path}:2: name: required field is missing or empty",
                        f"{path}:3: discoverable: required field is missing or empty"]


def test_tab_separated_file_is_explained(db, tmp_path):
    path = write_text(tmp_path / "a.csv", "id\tname\texpertise\nadv-1\t山田\t橋\n")
    (problem,) = failure(db, "advisor", path)
    assert "separated by tabs" in problem


def test_ten_megabyte_field(db, tmp_path):
    big = "あ" * (10 * 1024 * 1024)
    for path in (write_text(tmp_path / "a.csv", f"id,name,expertise\nadv-1,山田,{big}\n"),
                 write_jsonl(tmp_path / "a.jsonl", [{"id": "adv-1", "name": "山田", "expertise": big}])):
        (problem,) = failure(db, "advisor", path)
        assert problem.startswith(f"{path}:2: expertise: is 10,485,760" if path.suffix == ".csv"
                                  else f"{path}:1: expertise: is 10,485,760")
        assert "the limit is 20,000 characters" in problem and len(problem) < 300


def test_formula_cells_are_kept_as_text_with_a_warning(db, tmp_path):
    path = write_text(tmp_path / "a.csv", 'id,name,expertise\nadv-1,山田,"=cmd|\' /C calc\'!A0"\nadv-2,佐藤,\'=SUM(A1)\n')
    report = run_import(db, "advisor", path)
    assert report.warnings == [f"{path}:2: expertise: starts with '='; kept as text (exports write it as '=… "
                               "so a spreadsheet does not run it)"]
    rows = {r["id"]: r["expertise"] for r in snapshot(db)[0]}
    assert rows == {"adv-1": "=cmd|' /C calc'!A0", "adv-2": "=SUM(A1)"}


@pytest.mark.parametrize("suffix,content", [(".csv", ""), (".csv", "\ufeff\n\n"), (".jsonl", ""), (".jsonl", "\n  \n")])
def test_empty_file(db, tmp_path, suffix, content):
    path = write_text(tmp_path / f"a{suffix}", content)
    (problem,) = failure(db, "advisor", path)
    assert problem.startswith(f"{path}:1: file: the file is empty")


def test_invalid_json_lines_and_non_objects(db, tmp_path):
    path = write_text(tmp_path / "a.jsonl", '{"id": "adv-1", "name": "山田", "expertise": "橋"}\n{"id": "adv-2",\n'
                                            '["adv-3"]\n"text"\n\n{"id": "adv-4", "name": "x", "expertise": "y"}\n')
    problems = failure(db, "advisor", path)
    assert problems[0].startswith(f"{path}:2: json: invalid JSON (")
    assert problems[1] == f"{path}:3: json: expected one JSON object {{\"id\": …}} per line, got list"
    assert problems[2] == f"{path}:4: json: expected one JSON object {{\"id\": …}} per line, got str"


def test_every_problem_of_a_file_is_reported(db, tmp_path):
    rows = [{"id": "a 1", "name": "x", "expertise": "y"}, {"id": "adv-2", "expertise": "y", "status": "busy"},
            {"id": "adv-3", "name": "x", "expertise": "y", "prefecture": "奈良県", "municipality": "高崎市"}]
    problems = failure(db, "advisor", write_jsonl(tmp_path / "a.jsonl", rows))
    assert [p.split(": ", 2)[:2] for p in problems] == [
        [f"{tmp_path}/a.jsonl:1", "id"], [f"{tmp_path}/a.jsonl:2", "name"], [f"{tmp_path}/a.jsonl:2", "status"],
        [f"{tmp_path}/a.jsonl:3", "municipality"],
    ]


def test_wrong_extension_and_unknown_kind(db, tmp_path):
    path = write_text(tmp_path / "a.xlsx", "x")
    assert "name the file .csv or .jsonl" in failure(db, "advisor", path)[0]
    with pytest.raises(ValidationFailed, match="unknown record kind 'vendor'"):
        run_import(db, "vendor", write_jsonl(tmp_path / "a.jsonl", ADVISORS))


def test_missing_file_and_nul_characters(db, tmp_path):
    missing = tmp_path / "none.csv"
    (problem,) = failure(db, "advisor", missing)
    assert problem.startswith(f"{missing}:1: file: cannot read the file")
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "adv-1", "name": "山\u0000田", "expertise": "橋"}])
    (problem,) = failure(db, "advisor", path)
    assert problem == f"{path}:1: name: contains a NUL character (\\x00) at position 2; remove it"
