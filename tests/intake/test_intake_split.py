"""A message with several problems → one sub-issue per problem; one problem stays whole."""

from __future__ import annotations

from matching.intake import extract_sub_issues, split_sub_issues


def test_two_matters_joined_by_ken_to() -> None:
    parts = split_sub_issues(
        "除雪車がいつ来るのか分からないって電話が鳴りやまない件と、道の穴を住民から教えてもらう仕組みの件"
    )
    assert parts == ["除雪車がいつ来るのか分からないって電話が鳴りやまない件", "道の穴を住民から教えてもらう仕組みの件"]


def test_no_to_enumeration() -> None:
    subs = extract_sub_issues(
        "簡易水道の取水施設の点検が追いついてないのと、浄水場の薬品の購入契約を近隣とまとめたいのと"
    )
    assert [s.extraction.processes for s in subs] == [["inspection"], ["procurement"]]
    assert subs[0].text == "簡易水道の取水施設の点検が追いついてない"


def test_single_problem_over_several_sentences_stays_whole() -> None:
    text = (
        "うちの町の普通河川で、毎年同じ場所があふれます。県に相談したら町で改修するよう言われました。"
        "川幅を広げる設計なんてやったことがなく、どこまでをコンサルに任せればいいか分かりません。"
    )
    assert split_sub_issues(text) == [text]


def test_single_short_problem() -> None:
    assert split_sub_issues("橋っこのひび、誰に見てもらえば") == ["橋っこのひび、誰に見てもらえば"]


def test_new_matter_marker_and_shared_wish() -> None:
    subs = extract_sub_issues(
        "今年の点検で直さないといけない橋が2つ見つかり、補修の設計と工事を急いでいます。"
        "一方で隧道の点検は手付かずのまま。どちらも相談できる相手がほしいです。"
    )
    assert [s.extraction.fields for s in subs] == [["bridge"], ["tunnel"]]
    assert [s.extraction.processes for s in subs] == [["design", "construction"], ["inspection"]]
    assert all("advisor" in s.extraction.wanted for s in subs)


def test_ato_continues_with_the_assets_just_named() -> None:
    subs = extract_sub_issues("遊具を職員で点検できるようにしたい。あと植え込みの刈り込みも人が足りない")
    assert len(subs) == 2
    assert subs[1].extraction.fields == ["park"] and subs[1].extraction.processes == ["pruning"]


def test_different_assets_in_one_list_stay_one_issue() -> None:
    text = "川の堤防、砂防えん堤、林道、どれも県と町で管理がまたがっていて、誰がどこを見回ってるのか把握できてない"
    subs = extract_sub_issues(text)
    assert len(subs) == 1 and subs[0].extraction.fields == ["river", "sabo", "agri_forest_road"]


def test_english_two_issues() -> None:
    subs = extract_sub_issues(
        "Two issues: nobody has ever checked our debris dams, and the port access road has a collapsed shoulder."
    )
    assert [s.extraction.fields for s in subs] == [["sabo"], ["port"]]


def test_bullets() -> None:
    assert len(split_sub_issues("・橋の点検が追いつかない\n・公園の草刈りの業者がいない")) == 2


def test_a_sentence_opening_with_soreto_comma_starts_a_new_problem():
    text = "市道の橋の点検をどう発注すればいいか分からない件。それと、冬の除雪の業者が見つからない件も相談したいです"
    parts = split_sub_issues(text)
    assert len(parts) == 2
    assert parts[0].endswith("分からない件") and parts[1].startswith("それと、冬の除雪")
