"""Whatever arrives, extraction answers sensibly and never raises."""

from __future__ import annotations

import pytest

from matching.intake import clean_text, detect_language, extract, extract_sub_issues, split_sub_issues


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t\u3000", "🙂🙂🙏", ":smile: :+1:", "<@U123> <!channel>", "<b></b>&nbsp;"]
)
def test_nothing_to_read_gives_empty_results(text: str) -> None:
    assert extract(text).is_empty
    assert split_sub_issues(text) == []
    assert detect_language(text) == "ja"


def test_markup_is_removed_before_reading() -> None:
    text = "<@U123> <!here> <b>橋の点検</b>&amp;<https://example.jp/a|資料> <#C1|general> :bridge_at_night:"
    assert clean_text(text) == "橋の点検 &資料"
    assert extract(text).fields == ["bridge"]


def test_ten_thousand_characters() -> None:
    text = ("橋の点検が追いつかない。公園の草刈りも大変。" * 500)[:10_000]
    e = extract(text)
    assert e.fields == ["bridge", "park"]
    assert e.processes == ["weeding", "inspection"]
    assert len(extract_sub_issues(text)) >= 2


def test_mixed_scripts() -> None:
    e = extract("ＢＲＩＤＧＥの点検とｍａｎｈｏｌｅ、ﾏﾝﾎｰﾙのふた、Ｂrücke 桥 교량")
    assert "bridge" in e.fields and "sewerage" in e.fields
    assert "inspection" in e.processes


def test_non_string_like_control_characters() -> None:
    assert extract("橋\x00の\x07点検\u200b").fields == ["bridge"]


@pytest.mark.parametrize("piece", ["橋の点検、", "橋の点検が追いつかない", "bridge inspection and "])
def test_forty_thousand_characters_without_sentence_ends(piece: str) -> None:
    # The shapes that made extraction quadratic (one clause of 40k characters); speed is measured by
    # scripts/bench_intake.py, this checks the result on such a text.
    text = (piece * (40_000 // len(piece) + 1))[:40_000]
    subs = extract_sub_issues(text)
    assert subs and all(s.extraction.fields == ["bridge"] for s in subs)
    assert extract(text).processes == ["inspection"]
