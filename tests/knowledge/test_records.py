from datetime import date

import pytest
from sqlalchemy import select

from knowledge import models
from knowledge.errors import ValidationFailed
from knowledge.records import (
    AdvisorRecord,
    CaseRecord,
    EngineerRecord,
    TrainingRecord,
    join_list,
    record_from_row,
    split_list,
    validate_record,
)

ADVISOR = {"id": "adv-1", "name": "山田 太郎(架空)", "expertise": "橋梁点検の発注支援"}
ENGINEER = {
    "id": "eng-1", "name": "佐藤(架空)", "prefecture": "奈良県", "municipality": "宇陀市",
    "expertise": "橋の点検", "discoverable": "true",
}


def problems(kind, data, directory=None):
    with pytest.raises(ValidationFailed) as err:
        validate_record(kind, data, directory)
    return err.value.problems


def test_defaults_and_label_normalisation():
    rec = validate_record("advisor", {**ADVISOR, "fields": "橋梁;road;bridge", "processes": ["点検"], "capacity": ""})
    assert isinstance(rec, AdvisorRecord)
    assert (rec.capacity, rec.status, rec.fields, rec.processes, rec.regions) == (3, "active", ["bridge", "road"], ["inspection"], [])


def test_list_text_with_escaped_semicolons_round_trips():
    assert split_list(r"a;b\;c; ;d") == ["a", "b;c", "d"]
    assert split_list(join_list(["x;y", "z"])) == ["x;y", "z"]
    assert split_list("") == []


def test_every_problem_is_reported_with_its_field():
    found = problems("advisor", {"id": "bad id", "name": " ", "expertise": "x", "kind": "boss", "status": "gone",
                                 "fields": ["橋", "bridge"], "regions": "奈良", "capacity": -1, "colour": "red"})
    by_field = {p.split(":", 1)[0]: p for p in found}
    assert set(by_field) == {"id", "name", "kind", "status", "fields", "regions", "capacity", "colour"}
    assert "'橋'" in by_field["fields"] and "bridge (橋梁)" in by_field["fields"]
    assert "奈良県" in by_field["regions"]
    assert "retired_official" in by_field["kind"]
    assert "unknown field" in by_field["colour"] and "expertise" in by_field["colour"]


def test_text_over_the_limit_says_so():
    (problem,) = problems("case", {"id": "c", "title": "t", "summary": "長" * 10_000_000})
    assert problem.startswith("summary: is 10,000,000 characters long; the limit is 20,000")


def test_required_fields_and_types():
    found = problems("engineer", {"id": "e", "name": "n", "prefecture": "奈良県", "municipality": "宇陀市",
                                  "discoverable": "maybe", "years": "ten"})
    assert any(p.startswith("expertise: required") for p in found)
    assert any(p.startswith("discoverable:") and "'maybe'" in p for p in found)
    assert any(p.startswith("years:") for p in found)


def test_municipality_must_exist_in_its_prefecture(directory):
    assert validate_record("engineer", ENGINEER, directory).municipality == "宇陀市"
    staff = validate_record("engineer", {**ENGINEER, "municipality": "奈良県"}, directory)
    assert staff.municipality == "奈良県"
    (problem,) = problems("engineer", {**ENGINEER, "municipality": "高崎市"}, directory)
    assert problem.startswith("municipality: no municipality '高崎市' in 奈良県") and "群馬県" in problem
    (problem,) = problems("engineer", {**ENGINEER, "municipality": "宇陀町"}, directory)
    assert "宇陀市" in problem
    (problem,) = problems("advisor", {**ADVISOR, "municipality": "宇陀市"}, directory)
    assert problem.startswith("municipality:") and "奈良県" in problem


def test_bad_prefecture_is_reported_once(directory):
    (problem,) = problems("engineer", {**ENGINEER, "prefecture": "奈良"}, directory)
    assert problem.startswith("prefecture: unknown prefecture '奈良'")


def test_case_bodies_are_prefectures_or_municipalities(directory):
    rec = validate_record("case", {"id": "c", "title": "t", "summary": "s", "prefecture": "奈良県",
                                   "municipalities": "奈良県;宇陀市;曽爾村", "scheme": "代行;wide_area"}, directory)
    assert isinstance(rec, CaseRecord) and rec.scheme == ["delegation", "wide_area"]
    (problem,) = problems("case", {"id": "c", "title": "t", "summary": "s", "municipalities": ["宇陀市", "宇陀村"]},
                          directory)
    assert problem.startswith("municipalities:") and "'宇陀村'" in problem


def test_training_dates():
    rec = validate_record("training", {"id": "t", "title": "t", "description": "d", "start_date": "2027-03-10"})
    assert isinstance(rec, TrainingRecord) and rec.start_date == date(2027, 3, 10)
    assert problems("training", {"id": "t", "title": "t", "description": "d", "start_date": "2027/03/10"})[0].startswith(
        "start_date: '2027/03/10' is not a date; write it as YYYY-MM-DD")
    assert problems("training", {"id": "t", "title": "t", "description": "d", "start_date": "2027-02-30"})[0].startswith(
        "start_date: '2027-02-30' is not a real date")
    (problem,) = problems("training", {"id": "t", "title": "t", "description": "d",
                                       "start_date": "2027-03-10", "end_date": "2027-03-01"})
    assert problem.startswith("end_date: 2027-03-01 is before start_date")


def test_unknown_kind_and_non_object():
    assert problems("vendor", {})[0].startswith("kind: unknown record kind 'vendor'; use one of advisor, case")
    assert problems("training", ["x"])[0].startswith("record: must be an object")


@pytest.mark.parametrize(
    "kind,data",
    [
        ("advisor", {**ADVISOR, "affiliation": "県OB", "kind": "retired_official", "fields": ["bridge"],
                     "prefecture": "奈良県", "municipality": "宇陀市", "regions": ["奈良県", "三重県"],
                     "capacity": 0, "status": "paused", "contact": "a@example.jp"}),
        ("case", {"id": "c-1", "title": "t", "summary": "s;with;semicolons", "municipalities": [], "population": 0}),
        ("engineer", {**ENGINEER, "department": "建設課", "years": 12, "discoverable": False}),
        ("training", {"id": "t-1", "title": "t", "description": "d", "kind": "webinar",
                      "start_date": "2027-01-05", "end_date": "2027-01-06", "url": "https://example.jp/x"}),
    ],
)
def test_record_to_row_and_back_loses_nothing(db, directory, kind, data):
    record = validate_record(kind, data, directory)
    with db.session() as session:
        session.add(record.to_row())
    with db.session() as session:
        row = session.scalar(select(type(record).orm).where(type(record).orm.ext_id == record.id))
        again = record_from_row(row)
    assert again == record and again.contract_dict() == record.contract_dict()


def test_to_row_updates_an_existing_row_in_place():
    row = models.Engineer(ext_id="eng-1", name="old")
    rec = validate_record("engineer", ENGINEER)
    assert rec.to_row(row) is row and row.name == "佐藤(架空)" and row.discoverable is True
    assert isinstance(EngineerRecord.from_row(row), EngineerRecord)
