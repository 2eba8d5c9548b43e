from sqlalchemy import select

from knowledge.db import get_version
from knowledge.models import Case
from knowledge.records import validate_record
from knowledge.seed_cases import reference_cases, seed_cases


def test_every_precedent_case_is_seeded_as_reference(db):
    with db.session() as s:
        rows = {c.ext_id: c for c in s.scalars(select(Case).where(Case.is_reference.is_(True)))}
    assert set(rows) == {c.id for c in reference_cases()}
    assert len(rows) == 9
    nara = rows["mlit-nara-bridge-delegation"]
    assert nara.scheme == ["delegation", "wide_area"] and nara.fields == ["bridge"] and nara.population == 1320000
    sanjo = rows["mlit-sanjo-comprehensive-outsourcing"]
    assert {"comprehensive_outsourcing", "multi_field"} <= set(sanjo.scheme) and sanjo.engineers == 30
    assert rows["mlit-shizuoka-shimoda-joint-road-maintenance"].scheme == ["joint_procurement"]
    assert all("群マネ" in (c.source or "") for c in rows.values())


def test_cases_name_real_places(directory):
    for case in reference_cases():
        validate_record("case", case.contract_dict(), directory)


def test_seed_cases_is_idempotent_and_repairs_edits(db):
    with db.session() as s:
        version = get_version(s, "case")
        assert seed_cases(s) == 9
        assert get_version(s, "case") == version  # nothing changed, no version bump
        row = s.scalar(select(Case).where(Case.ext_id == "mlit-odate-multi-field"))
        row.title = "edited"
    with db.session() as s:
        seed_cases(s)
        assert s.scalar(select(Case.title).where(Case.ext_id == "mlit-odate-multi-field")) == "大館市の多分野連携(秋田県)"
        assert get_version(s, "case") == version + 1
