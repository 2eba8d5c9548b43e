"""Colloquial sentences → codes, and the context rules that decide what the need is."""

from __future__ import annotations

import pytest

from matching.intake import detect_language, extract


@pytest.mark.parametrize(
    ("text", "fields", "processes"),
    [
        ("橋っこのひび、誰に見てもらえばいいんだろう", ["bridge"], ["inspection"]),
        ("夏場の草がすごくて苦情の電話ばかり", [], ["weeding"]),
        ("マンホールの蓋がガタガタ", ["sewerage"], []),
        ("町道の穴ぼこ、直しても直してもすぐまた開く", ["pavement"], ["construction"]),
        ("見廻りの車を出す人がいない", [], ["patrol"]),
        ("くさかりの委託先が見つからない", [], ["weeding", "procurement"]),
        ("隧道の諸元、何も残ってない", ["tunnel"], ["data"]),
        ("下水道と上水道の料金の問い合わせまで技術の自分が受けてる", ["sewerage", "water_supply"], ["counter"]),
    ],
)
def test_colloquial_sentences(text: str, fields: list[str], processes: list[str]) -> None:
    e = extract(text)
    assert (e.fields, e.processes) == (fields, processes)


def test_most_specific_asset_wins_within_a_phrase() -> None:
    assert extract("町道橋の補修").fields == ["bridge"]
    assert extract("町道の穴ぼこ").fields == ["pavement"]
    assert extract("町道の側溝が詰まる").fields == ["road"]


def test_forest_road_bridge_gets_both_and_forest_road_absorbs_road_words() -> None:
    assert extract("林道にかかってる橋の点検").fields == ["bridge", "agri_forest_road"]
    assert extract("林道の側溝に落ち葉が詰まって水が道にあふれる").fields == ["agri_forest_road"]


def test_inspection_that_already_happened_is_background() -> None:
    assert "inspection" not in extract("今年の点検で、急いで直さないといけない橋が見つかった").processes
    assert "inspection" not in extract("去年点検した橋の補修工事").processes
    assert "inspection" not in extract("点検の結果、判定3の橋が3つ").processes


def test_inspection_never_done_or_not_keeping_up_is_the_need() -> None:
    assert "inspection" in extract("漁港の防波堤、一度も点検したことがない").processes
    assert "inspection" in extract("橋の点検が終わらない").processes
    assert "inspection" in extract("Nobody has ever checked our debris dams.").processes
    assert "inspection" not in extract("The bridge was inspected last year.").processes


def test_negated_word_is_not_the_subject() -> None:
    assert extract("点検ではなく補修の話です").processes == ["construction"]


def test_complaints_as_background_are_not_front_desk_work() -> None:
    assert "counter" not in extract("草がすごくて苦情の電話ばかり").processes
    assert "counter" in extract("水道の漏水の電話、全部自分が出てる").processes


def test_looking_is_inspection_only_with_a_structure() -> None:
    assert "inspection" in extract("岸壁のひびを見てもらいたい").processes
    assert "inspection" not in extract("事例を見てもらいたい").processes
    assert "inspection" not in extract("橋もトンネルも全部見てる").processes


def test_repairs_inside_a_plan_are_planning() -> None:
    assert extract("ガードレールの更新計画を作りたい").processes == ["planning"]
    assert extract("ガードレールの更新をしたい").processes == ["construction"]


def test_department_names_are_not_the_subject() -> None:
    assert extract("都市計画課の者です").is_empty


def test_pains_and_wanted() -> None:
    e = extract("技術職が自分一人で、橋の点検のやり方が分からない。相談できる相手と研修がほしい")
    assert {"staff_shortage", "know_how"} <= set(e.pains)
    assert {"advisor", "training"} <= set(e.wanted)
    assert extract("近隣の町の技術者と話したい。他の自治体の事例も知りたい").wanted == ["case", "engineer"]
    assert "window" in extract("整備局の相談窓口に聞いてみたい").wanted


def test_a_pain_phrase_does_not_hide_the_process_inside_it() -> None:
    e = extract("樋門の図面が見当たらない")
    assert "data" in e.processes and "records" in e.pains


def test_terms_explain_each_code() -> None:
    e = extract("橋っこのひび、誰に見てもらえば")
    assert e.words_for("bridge") == ["橋っこ"]
    assert e.words_for("inspection", "process") == ["見てもらえ"]


def test_english() -> None:
    e = extract("Looking for a town that has outsourced its road patrols to a private company.")
    assert (e.fields, e.processes) == (["road"], ["patrol", "procurement"])
    assert extract("We need to train our staff to inspect small bridges.").processes == ["inspection", "training"]


def test_order_is_the_taxonomys() -> None:
    e = extract("水道と下水と橋と道路")
    assert e.fields == ["road", "bridge", "sewerage", "water_supply"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("橋の点検", "ja"),
        ("Our bridges need inspection", "en"),
        ("We are in 宇陀市 and our bridges need inspection", "en"),
        ("橋の inspection について", "ja"),
        ("", "ja"),
        ("🙂", "ja"),
        ("<@U123> help", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
