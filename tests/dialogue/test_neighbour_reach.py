"""Engineers beyond reach are not offered as neighbours, whatever their score."""

from bot.dialogue.recommend import NEIGHBOUR_KM, _records
from matching.types import MatchResult


def _engineer(ext_id: str, km: float | None) -> MatchResult:
    return MatchResult(kind="engineer", id=ext_id, db_id=1, score=1.0, why="橋梁・点検", title=ext_id,
                       summary="", distance_km=km, details={})


def test_far_engineers_are_dropped_and_near_ones_kept_in_order():
    kept = _records([_engineer("far", 737.0), _engineer("near", 12.0), _engineer("edge", NEIGHBOUR_KM),
                     _engineer("unknown", None)], "ja")
    assert [r["id"] for r in kept] == ["near", "edge", "unknown"]


def test_other_kinds_are_not_cut_by_distance():
    training = MatchResult(kind="training", id="t", db_id=2, score=0.5, why="", title="t", summary="",
                           distance_km=900.0, details={})
    assert [r["id"] for r in _records([training], "ja")] == ["t"]
