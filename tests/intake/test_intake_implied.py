"""Processes the message implies without naming them, and what is background rather than the need."""

from __future__ import annotations

import pytest

from matching.intake import extract, extract_sub_issues
from matching.intake._lexicon import build_lexicon


@pytest.mark.parametrize(
    ("text", "fields", "process"),
    [
        ("桜の木の枝が伸びて歩道にはみ出している", ["road"], "pruning"),          # 歩道 → road
        ("公園の植木が伸び放題になっている", ["park"], "pruning"),
        ("The trees along the river are getting too big.", ["river"], "pruning"),
        ("用水路に泥がたまって水があふれる", ["river"], "cleaning"),
        ("The gutters on the main road are clogged with leaves.", ["road"], "cleaning"),
        ("毎朝、車で町道を流しながら落石がないか見ている", ["road"], "patrol"),
        ("I check the river banks from my car every morning on my way to work.", ["river"], "patrol"),
        ("水門の扉の錆がどこまで進んでいるのか調べたい", ["river"], "inspection"),
        ("トンネルの覆工のひびに気付いたときには、もうかなり広がっていた", ["tunnel"], "inspection"),
        ("We only noticed the cracks in the footbridge after a resident complained.", ["road_facility"], "inspection"),
        ("住民の要望に一件ずつ返事を書くだけで一日が終わる", [], "counter"),
        ("ベテランの勘に頼った浄水場の運転、あの人が定年になったら終わり", ["water_supply"], "training"),
        ("配水池の様子を現地に行かずに分かるようにしたい", ["water_supply"], "new_tech"),
    ],
)
def test_a_situation_implies_the_process(text: str, fields: list[str], process: str) -> None:
    e = extract(text)
    assert e.fields == fields
    assert process in e.processes


def test_implied_codes_are_marked_weak_and_named_ones_are_not() -> None:
    e = extract("公園の植木が伸び放題になっている")
    assert e.words_for("pruning") and {t.source for t in e.terms if t.code == "pruning"} == {"weak"}
    named = extract("公園の植木の剪定が追いつかない")
    assert {t.source for t in named.terms if t.code == "pruning"} == {"lexicon"}


def test_a_patrol_is_not_also_an_inspection() -> None:
    e = extract("毎日通勤のついでに車から堤防に異常がないか見ている")
    assert "patrol" in e.processes and "inspection" not in e.processes


def test_inspection_needs_an_asset_named_near() -> None:
    assert "inspection" not in extract("この件、どう確かめればいいでしょうか").processes
    assert "inspection" in extract("防護柵の支柱が腐っている。どう確かめればいいでしょうか").processes
    assert "inspection" in extract("The culvert under the school road has moved. Could someone take a look?").processes


def test_the_state_of_an_asset_across_two_sentences() -> None:
    assert "inspection" in extract("町道の擁壁が膨らんできた。大丈夫なのか心配で、一度きちんと調べたい").processes


def test_not_knowing_is_not_an_inspection() -> None:
    e = extract("下水道の担当になったが、どう引き継げばいいのか分からない状態です")
    assert "inspection" not in e.processes and "training" in e.processes


def test_monitoring_a_water_level_is_not_an_inspection() -> None:
    e = extract("センサーで用水路の水位を役場から見られるようにしたい")
    assert "inspection" not in e.processes and "new_tech" in e.processes


def test_a_rule_fires_only_with_every_group() -> None:
    lex = build_lexicon({
        "fields": {"park": {"ja": ["公園"]}},
        "processes": {"pruning": {"ja": ["剪定"]}},
        "rules": {"implies": [{"code": "pruning", "all": [["木", "tree"], ["伸びる", "grow"]]}]},
    })
    assert "pruning" in extract("公園の木が伸びる", lexicon=lex).processes
    assert extract("公園の木", lexicon=lex).processes == []
    assert extract("公園の草が伸びる", lexicon=lex).processes == []
    assert "pruning" in extract("The park trees grow fast", lexicon=lex).processes
    assert extract("木曜日に公園の芝が伸びる", lexicon=lex).processes == []   # 木 must be a word of its own


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("ご無沙汰しております、以前研修でお世話になった者です。公園の遊具が古くなってきました", "training"),
        ("To: 相談窓口\nFrom: 建設課\n橋の桁に錆が出ている", "counter"),
        ("Hi, I'm with the public works office. Our bridge has a crack.", "construction"),
    ],
)
def test_greetings_and_headers_give_no_process(text: str, absent: str) -> None:
    assert absent not in extract(text).processes


def test_a_greeting_does_not_hide_the_problem_after_it() -> None:
    e = extract("はじめまして、橋の点検で困っています")
    assert e.fields == ["bridge"] and e.processes == ["inspection"]


def test_office_names_name_no_asset() -> None:
    assert extract("公園緑地課の者です。街路樹の剪定の基準がない").fields == ["road"]
    assert extract("道路維持課です。除雪の委託先が見つからない").fields == []
    assert extract("I'm with the road department; our bridges need inspection.").fields == ["bridge"]
    assert extract("道路課題が山積み、特に側溝").fields == ["road"]   # 課題 is not an office


def test_road_parts_after_a_forest_road_belong_to_it() -> None:
    e = extract("林道で毎年のように落石がある。法面の状態をきちんと調べておきたい")
    assert e.fields == ["agri_forest_road"] and "inspection" in e.processes


def test_facet_bullets_are_one_problem() -> None:
    subs = extract_sub_issues(
        "【相談】水道台帳の電子化\n・現状：紙のみ\n・課題：更新が追いつかない\n・希望：安いシステム"
    )
    assert len(subs) == 1
    assert subs[0].extraction.fields == ["water_supply"] and subs[0].extraction.processes == ["data"]


def test_a_hole_in_another_asset_is_that_assets() -> None:
    assert extract("歩道橋の階段がさびて穴が開きそう").fields == ["road_facility"]
    assert extract("町道に穴が開いている").fields == ["pavement"]


def test_several_places_is_not_a_count() -> None:
    assert "data" not in extract("護岸が何か所か崩れかけている").processes
    assert "data" in extract("護岸が何か所あるのか分からない").processes


def test_english_endings_of_y_words() -> None:
    e = extract("Our sewer pipes have never been surveyed.")
    assert e.fields == ["sewerage"] and e.processes == ["inspection"]


def test_calls_that_report_a_defect_are_not_front_desk_work() -> None:
    potholes = extract("住民から道路の穴のことで電話が鳴りやまない")
    assert potholes.fields == ["pavement"] and "counter" not in potholes.processes
    assert {t.source for t in potholes.terms if t.code == "construction"} == {"weak"}
    assert "counter" in extract("除雪車はいつ来るのかという電話が鳴りやまない").processes
    assert "counter" in extract("道路の問い合わせの電話に一日中出ている").processes


@pytest.mark.parametrize(
    ("text", "fields", "process"),
    [
        ("トンネルの照明が落ちて、やっと中の状態がひどいことに気付いた", ["tunnel"], "inspection"),
        ("橋脚の洗掘が分かったのは、住民に言われてからでした", ["bridge"], "inspection"),
        ("The culvert collapsed before anyone had looked at it properly.", ["road"], "inspection"),
        ("橋の欄干、ハンマーで叩いてみたほうがいいのかな", ["bridge"], "inspection"),
        ("滑り台の支柱を手で揺すってぐらつきを見るくらいしかできていない", ["park"], "inspection"),
        ("町の橋、ちゃんと見たことがないのが本音です", ["bridge"], "inspection"),
        ("朝、役場に来る途中で町道の穴を見つけるのが私の日課になってる", ["pavement"], "patrol"),
        ("隣の村と一緒に橋の点検を出せないか", ["bridge"], "procurement"),
        ("この水路、県のものか町のものか分からない", ["river"], "data"),
        ("カーブミラーが倒れてるって通報が来るまで、こっちは全然知らなかった", ["road_facility"], "patrol"),
        ("After the earthquake we had to go round every bridge by car to see if any were damaged.", ["bridge"],
         "patrol"),
        ("トンネルの点検結果はあるけど、それを見て次に何をすればいいのか読み解けない", ["tunnel"], "training"),
        ("舗装の補修、どこからやるか毎年勘で決めている", ["pavement"], "planning"),
        ("漁港の岸壁、コンクリートがはがれて鉄筋が見えてる。危ないのかな", ["port"], "inspection"),
        ("The streetlights on the bypass keep flickering and we only hear about it from taxi drivers.",
         ["road_facility"], "patrol"),
        ("Our only engineer is retiring in March and nobody else knows how the pumping station works.",
         ["sewerage"], "training"),
        ("Every spring the ditches along the farm roads fill up with mud.", ["agri_forest_road"], "cleaning"),
        ("課長に「橋が全部でいくつあるかくらいすぐ答えろ」と言われて、答えられなかった", ["bridge"], "data"),
        ("雪が降ると、朝4時に起きて自分で町内を一周して、どこから除雪車を出すか決めてる", [], "patrol"),
        ("用水路の柵が壊れていて、どこが壊れてるか全部は把握できてない", ["river"], "inspection"),
        ("若い職員が舗装の補修の積算をできるようになってほしい", ["pavement"], "training"),
    ],
)
def test_found_late_hands_on_never_looked_at_and_other_implied_work(
    text: str, fields: list[str], process: str
) -> None:
    e = extract(text)
    assert e.fields == fields
    assert process in e.processes
    assert {t.source for t in e.terms if t.code == process} == {"weak"}


def test_found_late_needs_an_asset() -> None:
    assert extract("やっと分かった。ありがとうございます").processes == []


def test_a_matter_said_to_be_settled_is_not_the_need() -> None:
    e = extract("草刈りは業者に出したので片付きました。困っているのはトンネルのほうで、どこが悪いのか調べたい")
    assert e.fields == ["tunnel"] and "inspection" in e.processes and "weeding" not in e.processes
    e = extract("除雪は県にお願いすることで話がつきました。それより、公園の遊具が古くて心配")
    assert "snow_removal" not in e.processes and e.fields == ["park"]
    kept = extract("草刈りは業者に出したので片付きました")          # nothing else follows: still the subject
    assert "weeding" in kept.processes


def test_a_report_before_the_repair_is_not_a_missing_round() -> None:
    assert "patrol" not in extract("カーブミラーが曲がってるって通報があっても、直すまで何か月もかかる").processes


def test_a_contractor_retiring_is_not_training() -> None:
    e = extract("Our snow plough contractor retired and no one else will take the job this winter.")
    assert "snow_removal" in e.processes and "training" not in e.processes
