"""Curation: add, edit, status, delete, list filters — each change audited and versioned."""

from __future__ import annotations

import pytest

from bot.secretariat import curation
from knowledge import audit
from knowledge.db import get_version
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.municipalities import MunicipalityDirectory


def test_add_writes_audit_and_bumps_version(people):
    with people.session() as session:
        entries = audit.history(session, kind="advisor", record_id="adv-t1")
        assert [e.action for e in entries] == ["add"]
        assert entries[0].after["name"] == "架空 橋太郎"
        assert entries[0].actor == "test"
        assert get_version(session, "advisor") == 2


def test_add_rejects_invalid_record_with_importer_messages(db):
    with db.session() as session, pytest.raises(ValidationFailed) as err:
        curation.add(session, "advisor", {"id": "bad id", "name": "", "expertise": "x", "fields": ["宇宙"],
                                          "prefecture": "奈良県", "municipality": "存在しない町"},
                     actor="t", directory=MunicipalityDirectory(session))
    text = "\n".join(err.value.problems)
    assert "id:" in text and "name:" in text and "fields:" in text and "municipality:" in text


def test_add_refuses_existing_id(people):
    with people.session() as session, pytest.raises(ConflictError, match="edit adv-t1"):
        curation.add(session, "advisor", {"id": "adv-t1", "name": "x", "expertise": "y"}, actor="t",
                     directory=MunicipalityDirectory(session))


def test_edit_audits_only_changed_fields(people):
    with people.session() as session:
        row, changed = curation.edit(session, "advisor", "adv-t1", {"capacity": 4, "fields": ["橋梁", "道路"]},
                                     actor="sec:alice", directory=MunicipalityDirectory(session))
        assert set(changed) == {"capacity", "fields"} and set(changed["fields"]) == {"bridge", "road"}
        assert row.capacity == 4 and set(row.fields) == {"bridge", "road"}
    with people.session() as session:
        entry = audit.history(session, kind="advisor", record_id="adv-t1")[-1]
        assert entry.action == "edit" and entry.actor == "sec:alice"
        assert entry.before == {"capacity": 1, "fields": ["bridge"]}
        assert entry.after["capacity"] == 4
        assert set(entry.before) == set(entry.after) == {"capacity", "fields"}


def test_edit_without_change_writes_nothing(people):
    with people.session() as session:
        version = get_version(session, "advisor")
        _, changed = curation.edit(session, "advisor", "adv-t1", {"capacity": 1}, actor="t",
                                   directory=MunicipalityDirectory(session))
        assert changed == {}
        assert get_version(session, "advisor") == version
        assert len(audit.history(session, kind="advisor", record_id="adv-t1")) == 1


def test_edit_validates_the_merged_record(people):
    with people.session() as session, pytest.raises(ValidationFailed, match="capacity"):
        curation.edit(session, "advisor", "adv-t1", {"capacity": -2}, actor="t",
                      directory=MunicipalityDirectory(session))
    with people.session() as session:
        assert curation.find(session, "advisor", "adv-t1").capacity == 1


def test_status_changes_are_audited_and_idempotent(people):
    with people.session() as session:
        _, changed = curation.set_advisor_status(session, "adv-t1", "paused", actor="t")
        assert changed
        _, changed = curation.set_advisor_status(session, "adv-t1", "paused", actor="t")
        assert not changed
        entries = [e for e in audit.history(session, kind="advisor", record_id="adv-t1") if e.action == "status"]
        assert len(entries) == 1 and entries[0].before == {"status": "active"} and entries[0].after == {
            "status": "paused"}


def test_delete_audits_without_personal_data(people):
    with people.session() as session:
        curation.delete(session, "engineer", "eng-t1", actor="t")
        with pytest.raises(NotFound):
            curation.find(session, "engineer", "eng-t1")
        entry = audit.history(session, kind="engineer", record_id="eng-t1")[-1]
        assert entry.action == "delete" and "contact" not in entry.before and entry.before["fields"] == ["sewerage"]


@pytest.mark.parametrize(
    ("kind", "filters", "expected"),
    [
        ("advisor", {"field": "橋梁"}, ["adv-t1"]),
        ("advisor", {"process": "snow_removal"}, ["adv-t2"]),
        ("advisor", {"prefecture": "群馬県"}, ["adv-t2"]),
        ("advisor", {"status": "active"}, ["adv-t1", "adv-t2"]),
        ("engineer", {"status": "hidden"}, ["eng-t2"]),
        ("engineer", {"status": "discoverable", "field": "sewerage"}, ["eng-t1"]),
        ("training", {"status": "upcoming"}, ["trn-t1"]),
        ("case", {"status": "own"}, ["case-t1"]),
    ],
)
def test_list_filters(people, kind, filters, expected):
    with people.session() as session:
        assert [r.ext_id for r in curation.list_records(session, kind, **filters)] == expected


def test_list_rejects_unknown_filter_values(people):
    with people.session() as session, pytest.raises(ValidationFailed) as err:
        curation.list_records(session, "engineer", field="宇宙", status="paused")
    assert any(p.startswith("field:") for p in err.value.problems)
    assert any(p.startswith("status:") for p in err.value.problems)
