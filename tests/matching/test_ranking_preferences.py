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
    rec.advisor(db, "outside-perfect", BRIDGE, regions=["北海道"])
    rec.advisor(db, "covers-weaker", "橋の点検の発注について助言します", regions=["奈良県"])
    results = matcher.match(MatchQuery(BRIDGE, "advisor", "奈良県", "宇陀市"))
    assert [r.id for r in results] == ["covers-weaker", "outside-perfect"]


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
    rec.case(db, "c1", "長寿命化修繕計画の策定", "町が橋の長寿命化修繕計画を見直した事例")
    rec.case(db, "c2", "除雪の共同発注", "除雪業務をまとめて発注")
    (first, *_rest) = matcher.match(MatchQuery("修繕計画を見直したい", "case"))
    assert first.id == "c1"
    assert "キーワード:" in first.why and "修繕" in first.why


def test_reference_cases_rank_like_any_case(db: Database, matcher: Matcher) -> None:
    rec.case(db, "ref-1", "除雪車の位置をスマホで公開", "除雪車の位置情報を住民に公開した事例", is_reference=True)
    rec.case(db, "own-1", "公園遊具の点検委託", "遊具点検を専門業者に委託")
    results = matcher.match(MatchQuery("除雪車がいつ来るか住民に知らせたい", "case"))
    assert results[0].id == "ref-1" and results[0].details["is_reference"] is True
