"""The fictional demo data: loads through the importer, idempotently, and looks like a demo needs."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from knowledge import models
from knowledge.audit import history
from knowledge.sample import SAMPLE_DIR, SAMPLE_FILES, seed_sample


def sample(kind: str) -> list[dict]:
    lines = (SAMPLE_DIR / SAMPLE_FILES[kind]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_seed_sample_loads_everything_once(db):
    with db.session() as s:
        counts = seed_sample(s)
    assert counts == {"advisor": 25, "case": 11, "engineer": 30, "training": 15}
    with db.session() as s:
        assert s.scalar(select(func.count(models.Advisor.id))) == 25
        assert {e.actor for e in history(s)} == {"seed"} and len(history(s)) == 81
        version = s.scalar(select(models.Meta.value).where(models.Meta.key == "version:engineer"))
    with db.session() as s:
        assert seed_sample(s) == counts
    with db.session() as s:
        assert len(history(s)) == 81, "a second seed writes nothing"
        assert s.scalar(select(models.Meta.value).where(models.Meta.key == "version:engineer")) == version


@pytest.mark.parametrize("kind", list(SAMPLE_FILES))
def test_every_sample_record_is_marked_fictional(kind):
    records = sample(kind)
    assert records, f"the sample data has {kind} records"
    for record in records:
        text = json.dumps(record, ensure_ascii=False)
        assert "架空" in text, record["id"]
        assert record["id"].startswith("demo-")
        contact = record.get("contact")
        assert contact is None or contact.endswith("@example.jp") or contact.startswith("@demo-"), record["id"]


def test_engineers_are_neighbours_in_nara_gunma_iwate():
    engineers = sample("engineer")
    discoverable = Counter(e["prefecture"] for e in engineers if e["discoverable"])
    assert all(discoverable[p] >= 6 for p in ("奈良県", "群馬県", "岩手県"))
    assert 2 <= sum(not e["discoverable"] for e in engineers) <= 6


def test_advisors_trainings_and_regions_make_a_demo():
    advisors = sample("advisor")
    assert {"paused", "retired"} <= {a["status"] for a in advisors}
    trainings = sample("training")
    assert all(t["start_date"].startswith("2027") for t in trainings)
    assert sum(t["prefecture"] is None for t in trainings) >= 3  # online
    places = {r["prefecture"] for kind in SAMPLE_FILES for r in sample(kind) if r.get("prefecture")}
    assert {"北海道", "岩手県", "群馬県", "東京都", "愛知県", "奈良県", "広島県", "福岡県"} <= places
