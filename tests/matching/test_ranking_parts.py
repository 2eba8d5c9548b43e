"""The ranking's parts on their own: BM25 index and store, fusion, geography."""

from __future__ import annotations

import pytest

from knowledge.db import Database
from knowledge.municipalities import MunicipalityDirectory
from matching.fusion import fuse, mix, normalised_lexical, rrf, tied_ranks
from matching.geo import DistanceBand, band, haversine_km, locate
from matching.lexical import LexicalIndex, LexicalStore, bm25_tokens

import ranking_records as rec


# ---------------------------------------------------------------- BM25


def test_bm25_tokens_are_normalised_content_words_without_light_verbs() -> None:
    tokens = bm25_tokens("橋の点検をしている人がいない。見てもらえる人を探しています")
    assert "橋" in tokens and "点検" in tokens and "探す" in tokens
    assert not {"為る", "居る", "貰う", "て", "の"} & set(tokens)


def test_lexical_index_ranks_the_document_sharing_rare_words_first() -> None:
    docs = {1: "橋梁の定期点検と修繕計画", 2: "除雪業務の委託と除雪費", 3: "公園の遊具の点検"}
    index = LexicalIndex(list(docs), [bm25_tokens(t) for t in docs.values()])
    hits = index.search(bm25_tokens("除雪費が毎年ぶれる"), k=3)
    assert hits[0][0] == 2 and all(score > 0 for _, score in hits)
    assert [db_id for db_id, _ in hits] == [2]  # documents sharing no word are not returned
    # words found in both, rarest first (equally rare: in the query's order); 見直す is not in the document
    assert index.shared_terms(bm25_tokens("修繕計画を見直す橋梁"), 1) == ["修繕", "計画", "橋梁"]


def test_lexical_index_ideal_score_bounds_a_full_match() -> None:
    docs = ["橋梁 点検", "除雪 委託", "公園 遊具", "河川 除草"]
    index = LexicalIndex([1, 2, 3, 4], [bm25_tokens(t) for t in docs])
    query = bm25_tokens("橋梁 点検")
    (best, score), *_ = index.search(query, k=1)
    # every document has the average length here, so the full match scores exactly the ideal
    assert best == 1 and score == pytest.approx(index.ideal_score(query), rel=1e-4)
    assert index.ideal_score(bm25_tokens("まったく無関係な言葉")) == 0.0


def test_empty_lexical_index_returns_nothing() -> None:
    index = LexicalIndex([], [])
    assert len(index) == 0 and index.search(["橋"], 5) == [] and index.ideal_score(["橋"]) == 0.0


def test_lexical_store_rebuilds_only_when_the_version_moves(db: Database) -> None:
    store = LexicalStore(db)
    rec.advisor(db, "a1", "橋梁の点検")
    first = store.index("advisor")
    assert store.index("advisor") is first  # same version: no rebuild
    rec.advisor(db, "a2", "除雪の委託")      # bumps the version
    second = store.index("advisor")
    assert second is not first and len(second) == 2
    assert [db_id for db_id, _ in second.search(bm25_tokens("除雪"), 5)] != []


def test_lexical_store_leaves_forgotten_people_out(db: Database) -> None:
    rec.advisor(db, "gone", "橋梁の点検", forgotten=True)
    rec.advisor(db, "here", "橋梁の点検")
    assert len(LexicalStore(db).index("advisor")) == 1


# ---------------------------------------------------------------- fusion


def test_tied_scores_share_a_rank() -> None:
    assert tied_ranks([(1, 0.9), (2, 0.9), (3, 0.5)]) == [(1, 1), (2, 1), (3, 3)]


def test_rrf_rewards_agreement_and_scales_to_one() -> None:
    fused = rrf([[(1, 0.9), (2, 0.8)], [(1, 5.0), (3, 1.0)]], k=60)
    assert fused[1] == pytest.approx(1.0)
    assert fused[1] > fused[2] and fused[1] > fused[3]


def test_mix_normalises_each_list() -> None:
    fused = mix([(1, 0.86), (2, 0.84), (3, 0.80)], [(3, 8.0)], dense_weight=0.7)
    assert fused[1] == pytest.approx(0.7) and fused[3] == pytest.approx(0.3)
    assert fused[2] == pytest.approx(0.7 * (0.04 / 0.06))


def test_lexical_normalisation_keeps_a_weak_best_hit_weak() -> None:
    assert normalised_lexical([(1, 2.0)], ideal=8.0)[1] == pytest.approx(0.25)
    assert normalised_lexical([(1, 2.0)])[1] == pytest.approx(1.0)


def test_fuse_with_one_list_uses_that_list_alone() -> None:
    assert fuse([(1, 0.9), (2, 0.5)], [], method="mix")[1] == pytest.approx(1.0)
    assert fuse([], [(2, 3.0)], method="rrf")[2] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="rrf"):
        fuse([], [], method="nope")  # type: ignore[arg-type]


# ---------------------------------------------------------------- geography


def test_haversine_tokyo_osaka() -> None:
    assert haversine_km(35.681, 139.767, 34.702, 135.496) == pytest.approx(403, abs=5)
    assert haversine_km(35.0, 135.0, 35.0, 135.0) == 0.0


def test_distance_bands() -> None:
    assert band(12) is DistanceBand.NEAR and band(60) is DistanceBand.NEAR
    assert band(61) is DistanceBand.REACHABLE and band(150) is DistanceBand.REACHABLE
    assert band(151) is DistanceBand.FAR


def test_locate_prefectural_staff_at_the_capital(db: Database) -> None:
    with db.session() as session:
        directory = MunicipalityDirectory(session)
    nara_pref = locate(directory, "奈良県", "奈良県")
    nara_city = directory.get("奈良県", "奈良市")
    assert nara_pref is not None and nara_city is not None
    assert (nara_pref.lat, nara_pref.lng) == (nara_city.lat, nara_city.lng)
    assert locate(directory, None, "宇陀市") is None
    assert locate(directory, "奈良県", "宇陀市") == directory.get("奈良県", "宇陀市")
