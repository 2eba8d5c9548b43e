"""Hard filters: a trap record that matches the query perfectly must never appear.

Each trap has exactly the query's text (best dense and BM25 score there can be).
"""

from __future__ import annotations

import pytest

from knowledge.db import Database
from knowledge.models import Advisor, Engineer
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from matching.engine import Matcher, RankingConfig
from matching.types import MatchQuery

import ranking_records as rec

QUERY = "橋梁の定期点検を外注したいが発注の仕方が分からない"


@pytest.fixture
def matcher(db: Database, settings: Settings, fake_embedder: FakeEmbedder) -> Matcher:
    return Matcher(db, fake_embedder, settings, today=lambda: rec.TODAY)


def ids(results: list) -> list[str]:  # type: ignore[type-arg]
    return [r.id for r in results]


@pytest.mark.parametrize("status", ["paused", "retired"])
def test_inactive_advisor_never_recommended(db: Database, matcher: Matcher, status: str) -> None:
    rec.advisor(db, "trap", QUERY, status=status, fields=["bridge"], processes=["inspection", "procurement"])
    rec.advisor(db, "ok", "下水道の管路調査と改築計画", fields=["sewerage"])
    results = matcher.match(MatchQuery(QUERY, "advisor", "奈良県", "宇陀市", top=10))
    assert ids(results) == ["ok"]


def test_forgotten_advisor_never_recommended(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "trap", QUERY, forgotten=True)
    rec.advisor(db, "ok", "公園の遊具点検")
    assert ids(matcher.match(MatchQuery(QUERY, "advisor", top=10))) == ["ok"]


def test_inactive_advisor_alone_gives_no_result(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "trap", QUERY, status="paused")
    assert matcher.match(MatchQuery(QUERY, "advisor", top=5)) == []


def test_undiscoverable_engineer_never_recommended(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "trap", QUERY, "奈良県", "桜井市", discoverable=False)
    rec.engineer(db, "ok", "公園の遊具点検", "奈良県", "橿原市")
    assert ids(matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市", top=10))) == ["ok"]


def test_undiscoverable_engineer_alone_gives_no_result(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "trap", QUERY, "奈良県", "桜井市", discoverable=False)
    assert matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市")) == []
    assert matcher.match(MatchQuery(QUERY, "engineer")) == []


def test_engineer_never_recommended_to_own_municipality(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "own", QUERY, "奈良県", "宇陀市")
    assert matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市")) == []
    # the same engineer is a neighbour for the next town
    assert ids(matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "曽爾村"))) == ["own"]


def test_prefectural_staff_not_recommended_to_their_own_prefecture_office(db: Database, matcher: Matcher) -> None:
    rec.engineer(db, "pref", QUERY, "奈良県", "奈良県")
    assert matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "奈良県")) == []
    assert ids(matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市"))) == ["pref"]


def test_status_change_applies_on_the_next_query_without_reindexing(db: Database, matcher: Matcher) -> None:
    trap = rec.advisor(db, "trap", QUERY)
    assert ids(matcher.match(MatchQuery(QUERY, "advisor"))) == ["trap"]
    # no version bump: the indexes still hold the row, the filter reads the current one
    rec.set_values(db, Advisor, trap, "advisor", bump=False, status="paused")
    assert matcher.match(MatchQuery(QUERY, "advisor")) == []
    eng = rec.engineer(db, "eng", QUERY, "奈良県", "桜井市")
    assert ids(matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市"))) == ["eng"]
    rec.set_values(db, Engineer, eng, "engineer", bump=False, discoverable=False)
    assert matcher.match(MatchQuery(QUERY, "engineer", "奈良県", "宇陀市")) == []


def test_search_widens_past_filtered_candidates(db: Database, settings: Settings, fake_embedder: FakeEmbedder) -> None:
    for i in range(12):
        rec.advisor(db, f"trap-{i}", QUERY + f" その{i}", status="paused")
    rec.advisor(db, "far-but-active", "公園の遊具の安全点検")
    narrow = RankingConfig(min_candidates=2, candidates_per_result=1)
    matcher = Matcher(db, fake_embedder, settings, config=narrow, today=lambda: rec.TODAY)
    for mode in ("hybrid", "dense", "lexical"):  # the active one shares 点検, so BM25 finds it too
        assert ids(matcher.match(MatchQuery(QUERY, "advisor", top=1), mode=mode)) == ["far-but-active"]


def test_results_never_carry_contacts(db: Database, matcher: Matcher) -> None:
    rec.advisor(db, "a1", QUERY, contact="secret-advisor@example.jp")
    rec.engineer(db, "e1", QUERY, "奈良県", "桜井市", contact="secret-engineer@example.jp")
    for kind in ("advisor", "engineer"):
        found = matcher.match(MatchQuery(QUERY, kind, "奈良県", "宇陀市"))  # type: ignore[arg-type]
        assert [r.id for r in found] == [{"advisor": "a1", "engineer": "e1"}[kind]]  # the person with a contact
        for result in found:
            shown = repr(result.to_json()) + repr(result.details) + result.why + result.summary
            assert "secret-" not in shown
            assert "contact" not in result.details
