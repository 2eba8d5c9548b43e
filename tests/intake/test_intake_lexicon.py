"""The synonyms file is data others rely on: every code covered, every word well-formed."""

from __future__ import annotations

import json

from knowledge.taxonomy import get_taxonomy
from matching.intake import code_label, get_lexicon, pain_codes, wanted_codes
from matching.intake._lexicon import SYNONYMS_FILE, build_lexicon


def test_every_taxonomy_code_has_words() -> None:
    lex, tax = get_lexicon(), get_taxonomy()
    assert lex.codes["field"] == tax.codes("field")
    assert lex.codes["process"] == tax.codes("process")
    for kind in ("field", "process"):
        assert tax.codes(kind), kind
        for code in tax.codes(kind):
            assert len(lex.words(code, kind)) >= 5, code  # type: ignore[arg-type]


def test_wanted_codes_include_the_contracts() -> None:
    assert {"advisor", "case", "engineer", "training", "window"} <= set(wanted_codes())
    assert "staff_shortage" in pain_codes()


def test_labels() -> None:
    assert code_label("field", "bridge") == "橋梁"
    assert code_label("process", "inspection", "en") == "Inspection"
    assert code_label("pain", "staff_shortage") == "人手不足"
    assert code_label("wanted", "window", "en") == "Consultation window"
    assert code_label("pain", "nonsense") == "nonsense"


def test_rules_name_known_codes() -> None:
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    known = set(get_taxonomy().codes("field")) | set(get_taxonomy().codes("process"))
    assert raw["rules"]["yield"] and raw["rules"]["needs"]
    for rule in raw["rules"]["yield"]:
        assert rule["code"] in known and set(rule["to"]) <= known
    for rule in raw["rules"]["needs"]:
        assert rule["code"] in known


def test_a_word_under_two_codes_gives_both() -> None:
    lex = build_lexicon({"fields": {"sewerage": {"ja": ["上下水道"]}, "water_supply": {"ja": ["上下水道"]}}})
    entry = lex.surface["上下水道"]
    assert set(entry.codes) == {("field", "sewerage"), ("field", "water_supply")}


def test_words_for_synonym_expansion() -> None:
    assert "橋っこ" in get_lexicon().words("bridge")
    assert "見回り" in get_lexicon().words("patrol", "process")
