"""Technology records (import/export/list/add/edit/show, matchable) and imported consultations."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from groups_fixtures import CONSULTATIONS, TECHNOLOGIES, invoke, write_jsonl
from sqlalchemy import select

from knowledge.models import AuditEntry, Consultation, ConsultationImport


def test_technology_round_trip_in_both_formats(db, cli_env, tmp_path):
    path = write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES)
    result = invoke(cli_env, "import", "technology", str(path))
    assert result.exit_code == 0, result.output
    assert "3 technology record(s) — 3 were created" in result.stdout
    for name in ("out.jsonl", "out.csv"):
        out = tmp_path / name
        assert invoke(cli_env, "export", "technology", str(out)).exit_code == 0
        again = invoke(cli_env, "import", "technology", str(out))
        assert "0 were created, 0 were updated, 3 unchanged" in again.stdout, again.output
    listed = [json.loads(line) for line in invoke(cli_env, "list", "technology", "--json").stdout.splitlines()]
    assert [r["id"] for r in listed] == ["KT-190018-A", "tech-002", "tech-003"]   # NETIS number kept as it is
    assert listed[0]["catalogue"] == "inspection_catalogue" and listed[2]["status"] == "retired"


def test_technology_table_masks_the_vendor_contact(db, cli_env, tmp_path):
    invoke(cli_env, "import", "technology", str(write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES)))
    table = invoke(cli_env, "list", "technology").stdout
    assert "ドローンによる橋梁点検支援" in table and "sales@drone.example.jp" not in table
    shown = invoke(cli_env, "technology", "list", "--status", "retired", "--json").stdout.splitlines()
    assert [json.loads(line)["id"] for line in shown] == ["tech-003"]


def test_technology_add_edit_show_and_audit(db, cli_env):
    added = invoke(cli_env, "technology", "add", "--set", "id=KT-200001-VE", "--set", "name=路面診断(架空)",
                   "--set", "description=舗装のひび割れを自動検出", "--set", "fields=舗装", "--by", "tester")
    assert added.exit_code == 0, added.output
    edited = invoke(cli_env, "technology", "edit", "KT-200001-VE", "--set", "status=retired", "--by", "tester")
    assert "Updated technology KT-200001-VE: status" in edited.stdout
    shown = json.loads(invoke(cli_env, "technology", "show", "KT-200001-VE", "--json").stdout)
    assert shown["fields"] == ["pavement"] and shown["status"] == "retired"
    audit = invoke(cli_env, "audit", "--kind", "technology", "--json").stdout.splitlines()
    assert [json.loads(line)["action"] for line in audit] == ["add", "edit"]


def test_bad_technology_rows_name_line_field_and_change_nothing(db, cli_env, tmp_path):
    rows = [{**TECHNOLOGIES[0], "catalogue": "catalog"}, {"id": "t 2", "name": "x", "description": "y"},
            {"id": "t3", "name": "x", "description": "y" * 20_001}, {"id": "t4", "name": "x\u0000", "description": "y"},
            {"id": "t5", "name": "x", "description": "y", "status": "paused"}]
    path = write_jsonl(tmp_path / "t.jsonl", rows)
    result = invoke(cli_env, "import", "technology", str(path))
    assert result.exit_code == 1
    for line, field in ((1, "catalogue"), (2, "id"), (3, "description"), (4, "name"), (5, "status")):
        assert f"{path}:{line}: {field}:" in result.stderr, result.stderr
    assert invoke(cli_env, "list", "technology", "--json").stdout == ""


def test_match_technology_filters_retired_and_never_shows_contacts(db, cli_env, tmp_path):
    invoke(cli_env, "import", "technology", str(write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES)))
    result = invoke(cli_env, "match", "--kind", "technology", "--json", "--top", "5", "橋の点検を足場なしでやりたい")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    ids = [r["id"] for r in out["results"]]
    assert out["kind"] == "technology" and ids[0] == "KT-190018-A"
    assert "tech-003" not in ids                       # retired: never recommended
    assert "橋梁・点検" in out["results"][0]["why"]
    assert "@" not in result.stdout                    # no contact of any vendor


def test_consultation_import_stores_an_ordinary_consultation(imported):
    with imported.session() as session:
        row = session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == "hc-004"))
        assert row is not None
        consultation = session.get(Consultation, row.consultation_id)
        assert consultation.platform == "import" and consultation.status == "imported"
        assert consultation.created_at.replace(tzinfo=UTC) == datetime(2027, 4, 20, tzinfo=UTC)
        subs = [(s.fields, s.processes) for s in consultation.sub_issues]
        assert (["bridge"], ["inspection"]) in subs and (["pavement"], ["patrol"]) in subs   # two needs
        assert all(isinstance(s.recommendations, dict) for s in consultation.sub_issues)


def test_consultation_contact_and_words_never_reach_the_audit_log(imported):
    with imported.session() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.kind == "consultation")))
    assert len(entries) == len(CONSULTATIONS)
    dumped = json.dumps([e.after for e in entries], ensure_ascii=False)
    assert "soni@example.jp" not in dumped and "技術職が自分ひとり" not in dumped
    assert '"has_contact": true' in dumped


def test_reimport_is_idempotent_and_a_changed_row_is_analysed_again(imported, cli_env, tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl", CONSULTATIONS)
    again = invoke(cli_env, "import", "consultation", str(path))
    assert f"{len(CONSULTATIONS)} unchanged" in again.stdout, again.output
    changed = [dict(CONSULTATIONS[0], text="村の除雪の担い手がいなくて困っています")] + CONSULTATIONS[1:]
    result = invoke(cli_env, "import", "consultation", str(write_jsonl(tmp_path / "d.jsonl", changed)))
    assert "1 were updated" in result.stdout, result.output
    with imported.session() as session:
        row = session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == "hc-001"))
        consultation = session.get(Consultation, row.consultation_id)
        assert [s.processes for s in consultation.sub_issues] == [["snow_removal"]]
        assert session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == "hc-001")).id == row.id


def test_bad_consultation_files_are_reported_whole_and_change_nothing(db, cli_env, tmp_path):
    rows = [
        {"id": "c1", "prefecture": "奈良県", "municipality": "宇田市", "text": "橋の点検", "date": "2027-04-01"},
        {"id": "c2", "prefecture": "奈良県", "municipality": "宇陀市", "text": "橋", "date": "2027-02-30"},
        {"id": "c3", "prefecture": "奈良県", "municipality": "宇陀市", "text": "x" * 20_001, "date": "2027-04-01"},
        {"id": "c4", "prefecture": "奈良県", "municipality": "宇陀市", "date": "2027-04-01"},
        {"id": "c5", "prefecture": "奈良県", "municipality": "宇陀市", "text": "橋", "date": "2027-04-01"},
        {"id": "c6", "prefecture": "奈良県", "municipality": "宇陀市", "text": "<script>alert(1)</script>\u0000",
         "date": "2027-04-01"},
        {"id": "c7", "prefecture": "奈良県", "municipality": "宇陀市", "text": "橋", "date": "2027-04-01", "name": "x"},
        {"id": "c5", "prefecture": "奈良県", "municipality": "宇陀市", "text": "橋の点検", "date": "2027-04-01"},
    ]
    path = write_jsonl(tmp_path / "c.jsonl", rows)
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    result = invoke(cli_env, "import", "consultation", str(path))
    assert result.exit_code == 1
    expected = [(1, "municipality"), (2, "date"), (3, "text"), (4, "text"), (6, "text"), (7, "name"), (8, "id"),
                (9, "json")]
    for line, field in expected:
        assert f"{path}:{line}: {field}:" in result.stderr, (line, field, result.stderr)
    assert "nothing was changed" in result.stderr
    with db.session() as session:
        assert session.scalar(select(Consultation.id)) is None


def test_consultation_file_in_shift_jis_or_csv_with_bad_header(db, cli_env, tmp_path):
    sjis = tmp_path / "c.csv"
    sjis.write_bytes("id,prefecture,municipality,text,date\nc1,奈良県,宇陀市,橋の点検,2027-04-01\n".encode("cp932"))
    result = invoke(cli_env, "import", "consultation", str(sjis))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr and "Shift_JIS" in result.stderr
    header = tmp_path / "h.csv"
    header.write_text("id,prefecture,municipality,body\nc1,奈良県,宇陀市,橋\n", encoding="utf-8")
    result = invoke(cli_env, "import", "consultation", str(header))
    assert "unknown column(s) 'body'" in result.stderr and "missing required column(s) text, date" in result.stderr
    good = tmp_path / "g.csv"
    good.write_text("\ufeffid,prefecture,municipality,text,date,contact\nc1,奈良県,奈良県,県の道路課です。橋の点検,"
                    "2027-04-01,\n", encoding="utf-8")
    result = invoke(cli_env, "import", "consultation", str(good))
    assert result.exit_code == 0 and "1 were created" in result.stdout, result.output


def test_consultations_cannot_be_exported_or_listed(db, cli_env, tmp_path):
    for args in (("export", "consultation", str(tmp_path / "x.jsonl")), ("list", "consultation")):
        result = invoke(cli_env, *args)
        assert result.exit_code == 1 and "imported only" in result.stderr


def test_technology_files_in_the_wrong_encoding_or_shape(db, cli_env, tmp_path):
    sjis = tmp_path / "t.csv"
    sjis.write_bytes("id,name,description\nKT-1,ドローン点検,橋の点検\n".encode("cp932"))
    result = invoke(cli_env, "import", "technology", str(sjis))
    assert result.exit_code == 1 and "Shift_JIS" in result.stderr
    quoted = tmp_path / "q.csv"
    quoted.write_text('id,name,description\nKT-1,"ドローン点検,橋の点検\n', encoding="utf-8")
    result = invoke(cli_env, "import", "technology", str(quoted))
    assert result.exit_code == 1 and "never closed" in result.stderr
    hostile = tmp_path / "h.csv"
    hostile.write_text("id,name,description,fields\nKT-1,=HYPERLINK(\"http://x\"),<script>x</script>,橋梁;はし\n",
                       encoding="utf-8")
    result = invoke(cli_env, "import", "technology", str(hostile))
    assert result.exit_code == 1 and f"{hostile}:2: fields: 'はし' is not a field code" in result.stderr
    assert invoke(cli_env, "list", "technology", "--json").stdout == ""
