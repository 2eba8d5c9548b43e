"""The data behind counselling: the knowledge base, the question bank, the romaji table, the relevance floors."""

from __future__ import annotations

import json
import re

import pytest

from bot.dialogue import knowledge_base, romaji
from bot.dialogue.counsel_data import DATA_FILE, counsel_data, parse
from bot.dialogue.relevance import FLOORS_FILE
from knowledge.reference import municipality_coordinates
from knowledge.taxonomy import get_taxonomy


def test_the_knowledge_base_has_forty_sourced_short_entries() -> None:
    entries = knowledge_base.entries()
    assert len(entries) >= 40
    schemes = set(get_taxonomy().codes("scheme"))
    for e in entries:
        assert e.source and ("国土交通省" in e.source), e.id
        assert e.keys and e.answer[0] and e.answer[1], e.id
        assert len([s for s in re.split("。", e.answer[0]) if s.strip()]) <= 5, e.id
        assert set(e.schemes) <= schemes, e.id
    covered = {code for e in entries for code in e.schemes}
    assert {
        "delegation",
        "joint_procurement",
        "council",
        "comprehensive_outsourcing",
        "multi_year",
        "performance_spec",
        "jv_cooperative",
    } <= covered


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("群マネって何ですか", "what_gunmane"),
        ("人の群マネとは", "people_gunmane"),
        ("包括的民間委託について教えて", "comprehensive_outsourcing"),
        ("性能規定とは？", "performance_spec"),
        ("相談窓口はどこですか", "window_what"),
        ("群マネを導入する手順は", "steps"),
        ("三つの束って何", "three_bundles"),
        ("What is gunmane?", "what_gunmane"),
    ],
)
def test_questions_find_their_entry(question: str, entry: str) -> None:
    hit = knowledge_base.find(question)
    assert hit is not None and hit.entry.id == entry


def test_the_base_knows_when_it_does_not_know() -> None:
    assert knowledge_base.find("補助金の申請書の締め切りはいつ？") is None


def test_the_question_bank_refers_only_to_known_problems_and_codes() -> None:
    data = counsel_data()
    tax = get_taxonomy()
    assert len(data.problems) >= 10 and len(data.questions) >= 5
    for p in data.problems:
        assert set(p.fields) <= set(tax.codes("field")) and set(p.processes) <= set(tax.codes("process"))
        assert p.schemes and all(s.code in tax.codes("scheme") and all(s.why) for s in p.schemes)
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    raw["questions"][0]["options"][0]["weights"] = {"no_such_problem": 1}
    with pytest.raises(ValueError, match="no_such_problem"):
        parse(raw)


def test_every_municipality_has_a_romaji_reading() -> None:
    names = set(municipality_coordinates())
    table = romaji.table()
    listed = {(p, n) for rows in table.municipalities.values() for p, n, _ in rows}
    assert listed == names
    assert len(table.prefectures) == 47


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sakai city, Osaka", [("大阪府", "堺市")]),
        ("Sakai-shi in Osaka Prefecture", [("大阪府", "堺市")]),
        ("We are in Uda, Nara", [("奈良県", "宇陀市")]),
        ("Soni village", [("奈良県", "曽爾村")]),
        ("Ōita city", [("大分県", "大分市")]),
        ("i work for sakai city in osaka", [("大阪府", "堺市")]),
        ("Fuchu city", [("広島県", "府中市"), ("東京都", "府中市")]),
    ],
)
def test_romanised_names(text: str, expected: list[tuple[str, str]]) -> None:
    found = romaji.find(text)
    assert found and sorted(found[0].candidates) == sorted(expected)


@pytest.mark.parametrize("text", ["I need help with our road", "Hello", "", "The bridge is old", "x" * 5000])
def test_plain_english_names_no_place(text: str) -> None:
    assert romaji.find(text) == []


def test_relevance_floors_are_numbers_per_kind() -> None:
    stored = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]
    assert stored
    for floors in stored.values():
        assert set(floors) <= {"advisor", "case", "engineer", "training"}
        assert all(isinstance(v, float) and 0 < v < 2 for v in floors.values())
