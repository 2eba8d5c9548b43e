"""Soft preferences and the ``why`` they leave behind: region, capacity, distance, trainings, agreement."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.db import Database
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from matching.engine import Matcher
from matching.types import MatchQuery

import ranking_records as rec

BRIDGE = "橋梁の定期点検の発注と点検結果の評価を支援します"


@pytest.fixture
def matcher(db: Database, settings: Settings, fake_embedder: FakeEmbedder) -> Matcher:
    return Matcher(db, fake_embedder, settings, today=lambda: rec.TODAY)


def by_id(results: list) -> dict:  # type: ignore[type-arg]
    return {r.id: r for r in results}


FILLER = ["下水道の管路調査", "除雪業務の委託", "公園の樹木の剪定", "河川の除草の発注", "道路照明の更新"]


def fill(db: Database, kind: str) -> None:
    """Unrelated records, so that relevance is judged against a corpus and not against one other record."""
    for i, text in enumerate(FILLER):
        if kind == "advisor":
            rec.advisor(db, f"filler-{i}", text)
        else:
            rec.engineer(db, f"filler-{i}", text, "北海道", "札幌市")


def test_advisor_region_coverage_orders_and_explains(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "outside", BRIDGE, regions=["北海道", "青森県"])
    rec.advisor(db, "nationwide", BRIDGE, regions=[])
    rec.advisor(db, "covers", BRIDGE, regions=["奈良県", "京都府"])
    results = matcher.match(MatchQuery(BRIDGE, "advisor", "奈良県", "宇陀市"))
    assert [r.id for r in results] == ["covers", "nationwide", "outside"]
    why = {r.id: r.why for r in results}
    assert "奈良県を担当" in why["covers"]
    assert "全国対応" in why["nationwide"]
    assert "担当地域外" in why["outside"]


def test_region_outside_pushed_below_a_weaker_match_that_covers(db: Database, matcher: Matcher) -> None:
    fill(db, "advisor")
    rec.advisor(db, "outside-perfect", BRIDGE, regions=["北海道"])
    rec.advisor(db, "covers-weaker", "橋の点検の発注について助言します", regions=["奈良県"])
    results = matcher.match(MatchQuery(BRIDGE, "advisor", "奈良県", "宇陀市", top=10))
    order = [r.id for r in results]
    assert order[0] == "covers-weaker" and order.index("outside-perfect") > 0


def test_without_a_prefecture_regions_do_not_reorder(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "hokkaido", BRIDGE, regions=["北海道"])
    rec.advisor(db, "other", "公園の遊具", regions=[])
    results = matcher.match(MatchQuery(BRIDGE, "advisor"))
    assert results[0].id == "hokkaido"
    assert "担当地域外" not in results[0].why


def test_advisor_with_free_capacity_before_full_one(db: Database, matcher: Matcher) -> None:
    full = rec.advisor(db, "full", BRIDGE, capacity=1)
    rec.advisor(db, "free", BRIDGE, capacity=1)
    first = matcher.match(MatchQuery(BRIDGE, "advisor"))
    assert {r.id for r in first} == {"full", "free"}
    with db.session() as session:
        rec.accepted_introduction(session, full)
    results = matcher.match(MatchQuery(BRIDGE, "advisor"))
    assert [r.id for r in results] == ["free", "full"]
    assert "受付枠" in results[1].why and "受付枠" not in results[0].why


def test_engineers_ordered_by_distance_with_km_in_why(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "tokyo", BRIDGE, "東京都", "八王子市")        # ~330 km
    rec.engineer(db, "wakayama", BRIDGE, "和歌山県", "和歌山市")  # ~80 km
    rec.engineer(db, "sakurai", BRIDGE, "奈良県", "桜井市")       # ~10 km
    results = matcher.match(MatchQuery(BRIDGE, "engineer", "奈良県", "宇陀市"))
    assert [r.id for r in results] == ["sakurai", "wakayama", "tokyo"]
    distances = [r.distance_km for r in results]
    assert distances[0] is not None and distances[0] < 60
    assert 60 < distances[1] < 150 and distances[2] > 150
    assert f"約{distances[0]:.0f}km" in results[0].why and "桜井市" in results[0].why
    assert all(r.to_json()["distance_km"] == round(r.distance_km, 1) for r in results)


def test_a_neighbour_with_the_right_expertise_beats_a_far_perfect_match(db: Database, matcher: Matcher) -> None:
    fill(db, "engineer")
    rec.engineer(db, "far-perfect", BRIDGE, "群馬県", "高崎市")
    rec.engineer(db, "near-good", "橋梁点検の発注と結果の評価", "三重県", "名張市")
    results = matcher.match(MatchQuery(BRIDGE, "engineer", "奈良県", "宇陀市"))
    assert results[0].id == "near-good"


def test_prefectural_staff_sit_at_the_capital(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "nara-pref", BRIDGE, "奈良県", "奈良県")
    (result,) = matcher.match(MatchQuery(BRIDGE, "engineer", "奈良県", "宇陀市"))
    assert result.distance_km is not None and 15 < result.distance_km < 30  # 宇陀市 → 奈良市
    assert "奈良県庁" in result.why


def test_engineer_without_asker_place_has_no_distance(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "e", BRIDGE, "奈良県", "桜井市")
    (result,) = matcher.match(MatchQuery(BRIDGE, "engineer"))
    assert result.distance_km is None and "distance_km" not in result.to_json()


def test_trainings_upcoming_before_past(db: Database, matcher: Matcher) -> None:
    text = "橋梁点検の基礎を学ぶ研修"
    rec.training(db, "past", text, "橋の点検の基本", prefecture="奈良県", start_date=date(2026, 6, 1))
    rec.training(db, "upcoming", text, "橋の点検の基本", prefecture="奈良県", start_date=date(2027, 2, 1))
    results = matcher.match(MatchQuery(text, "training", "奈良県", "宇陀市"))
    assert [r.id for r in results] == ["upcoming", "past"]
    assert "開催予定" in results[0].why and "開催済み" in results[1].why
    assert results[0].details["upcoming"] is True and results[1].details["upcoming"] is False


def test_today_is_injectable(db: Database, settings: Settings, fake_embedder: FakeEmbedder) -> None:
    text = "橋梁点検の基礎を学ぶ研修"
    rec.training(db, "t", text, "橋の点検の基本", prefecture="奈良県", start_date=date(2027, 2, 1))
    later = Matcher(db, fake_embedder, settings, today=lambda: date(2027, 3, 1))
    (result,) = later.match(MatchQuery(text, "training", "奈良県", "宇陀市"))
    assert "開催済み" in result.why


def test_online_training_counts_as_near(db: Database, matcher: Matcher) -> None:
    text = "下水道管路の改築計画を学ぶ講座"
    rec.training(db, "far", text, "改築の順番の決め方", prefecture="北海道", kind="training", start_date=date(2027, 2, 1))
    rec.training(db, "online", text, "改築の順番の決め方", kind="webinar", start_date=date(2027, 2, 1))
    rec.training(db, "nearby", text, "改築の順番の決め方", prefecture="奈良県", kind="seminar", start_date=date(2027, 2, 1))
    results = matcher.match(MatchQuery(text, "training", "奈良県", "宇陀市"))
    assert [r.id for r in results][2] == "far"
    assert {r.id for r in results[:2]} == {"online", "nearby"}
    why = {r.id: r.why for r in results}
    assert "オンライン開催" in why["online"] and "県内開催" in why["nearby"] and "北海道で開催" in why["far"]


def test_field_and_process_hints_prefer_agreeing_records_and_name_them(db: Database, matcher: Matcher) -> None:
    text = "点検の発注について相談したい"
    rec.advisor(db, "park", "点検の発注について助言します", fields=["park"], processes=["inspection"])
    rec.advisor(db, "bridge", "点検の発注について助言します", fields=["bridge"], processes=["inspection", "procurement"])
    results = matcher.match(MatchQuery(text, "advisor", fields=("bridge",), processes=("inspection", "procurement")))
    assert [r.id for r in results] == ["bridge", "park"]
    assert results[0].why.startswith("橋梁・点検・発注・契約の経験")
    assert "橋梁" not in results[1].why


def test_why_names_key_terms_found_in_both(db: Database, matcher: Matcher) -> None:
    rec.case(db, "c1", "遊具の長寿命化計画の策定", "町が公園遊具の長寿命化計画を見直した事例")
    rec.case(db, "c2", "除雪の共同発注", "除雪業務をまとめて発注")
    results = by_id(matcher.match(MatchQuery("遊具の長寿命化計画を見直したい", "case", top=20)))
    assert "キーワード:" in results["c1"].why and "遊具" in results["c1"].why
    assert "遊具" not in results["c2"].why


def test_reference_cases_rank_like_any_case(db: Database, matcher: Matcher) -> None:
    rec.case(db, "ref-1", "除雪車のGPS位置をスマホで公開", "除雪車のGPS位置情報を住民に公開した事例", is_reference=True,
             fields=["road"], processes=["snow_removal", "data"])
    rec.case(db, "own-1", "公園遊具の点検委託", "遊具点検を専門業者に委託")
    results = matcher.match(MatchQuery("除雪車のGPS位置を住民に公開したい", "case"))
    assert results[0].id == "ref-1" and results[0].details["is_reference"] is True


def test_case_using_the_scheme_the_query_leans_to_is_preferred_and_named(db: Database, matcher: Matcher) -> None:
    from knowledge.taxonomy import get_taxonomy

    term = get_taxonomy().term("performance_spec")
    query = f"{term.label}: {term.description}"  # the fake embedder puts this exactly on the scheme
    rec.case(db, "plain", "河川除草の委託", "除草を業者に委託した", fields=["river"])
    rec.case(db, "perf", "河川除草の委託", "除草を業者に委託した", fields=["river"], scheme=["performance_spec"])
    z = matcher.schemes.z_scores(matcher.embedder.encode_queries([query])[0])
    assert max(z, key=z.__getitem__) == "performance_spec"
    results = by_id(matcher.match(MatchQuery(query, "case", top=20)))
    assert results["perf"].score > results["plain"].score
    assert "性能規定の型" in results["perf"].why and "性能規定" not in results["plain"].why


def test_a_message_with_two_problems_gets_the_best_of_each(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "pump", "下水道のマンホールポンプの故障対応と更新計画")
    rec.advisor(db, "pothole", "町道の舗装の穴ぼこ補修と住民通報の仕組み")
    for i, text in enumerate(FILLER):
        rec.advisor(db, f"filler-{i}", text + "の相談")
    text = "汚水のポンプがしょっちゅう止まる件と、穴ぼこだらけの町道の件"
    results = matcher.match(MatchQuery(text, "advisor", top=2))
    assert {r.id for r in results} == {"pump", "pothole"}
    assert results[0].score >= results[1].score


def test_merge_sub_issues_interleaves_by_distance_from_each_best() -> None:
    from matching.engine import merge_sub_issues
    from matching.types import MatchResult

    def r(rid: str, score: float) -> MatchResult:
        return MatchResult("advisor", rid, 0, score, "", rid, "")

    merged = merge_sub_issues([[r("a", 1.2), r("b", 1.1), r("c", 0.2)], [r("x", 0.6), r("b", 0.55), r("y", 0.1)]], 4)
    assert [m.id for m in merged] == ["a", "x", "b", "y"]  # c falls 1.0 behind its best, y only 0.5
    assert [m.score for m in merged] == sorted((m.score for m in merged), reverse=True)
