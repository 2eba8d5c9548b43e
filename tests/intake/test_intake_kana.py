"""Words written in kana only, and homophone slips of the input method."""

from __future__ import annotations

import pytest

from matching.intake import extract
from matching.intake._kana import kana_spans, reading_of


@pytest.mark.parametrize(
    ("text", "fields", "processes"),
    [
        ("はしの てんけんが おわらない", ["bridge"], ["inspection"]),
        ("げすいの まんほーるが うるさい", ["sewerage"], []),
        ("かわの どての くさかり", ["river"], ["weeding"]),
        ("じょせつの いたくさきが みつからない", [], ["snow_removal", "procurement"]),
        ("こうえんの ゆうぐを しらべたい", ["park"], ["inspection"]),
        ("だいちょうが ない", [], ["data"]),
    ],
)
def test_kana_only_messages(text: str, fields: list[str], processes: list[str]) -> None:
    e = extract(text)
    assert (e.fields, e.processes) == (fields, processes)


@pytest.mark.parametrize(
    "text",
    [
        "分かる人がいない",              # かる (刈る) is the ending of 分かる
        "やるのかどうかも分からない",      # かどう (河道) in running grammar
        "あなたのかわりに行きます",        # あな (穴), かわ (川) inside other words
        "くさいと言われる",              # くさ (草) is the start of くさい
    ],
)
def test_kana_inside_other_words_is_not_a_word(text: str) -> None:
    e = extract(text)
    assert (e.fields, e.processes) == ([], [])


def test_a_word_starts_after_the_particle_that_opens_a_run() -> None:
    assert extract("町道の はしが 古い").fields == ["bridge"]
    assert kana_spans("どうろのあなを", {"どうろ": 1, "あな": 1}) == [(0, 3, "どうろ"), (4, 6, "あな")]


@pytest.mark.parametrize(
    ("text", "field", "process"),
    [
        ("橋梁の天検が追いつかない", "bridge", "inspection"),     # 点検
        ("公円のトイレの掃除", "park", "cleaning"),               # 公園
        ("下水道の官路の調査", "sewerage", "inspection"),          # 管路 (no field of its own): the survey stays
        ("除雪の委宅先がない", None, "procurement"),              # 委託
    ],
)
def test_homophone_slips_read_as_the_word(text: str, field: str | None, process: str) -> None:
    e = extract(text)
    assert process in e.processes
    if field is not None:
        assert field in e.fields


def test_a_real_word_with_the_same_reading_is_not_a_slip() -> None:
    assert "counter" not in extract("専用の車両が足りない").processes      # 専用 is not 占用
    assert extract("市民会館での公演").fields == []                        # 公演 is not 公園


def test_reading_of() -> None:
    assert reading_of("点検") == ("てんけん", 1)
    assert reading_of("天検") == ("てんけん", 2)
    assert reading_of("3D") == ("", 0)          # a part with no kana reading: no reading at all
