"""The pure grouping (matching/groups): distance bound, sizes, a body in two needs, stable ids."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pytest

from matching.geo import haversine_km
from matching.groups import METHODS, Body, Need, Params, Precedent, suggest_groups

NARA = {"曽爾村": (34.509, 136.123), "御杖村": (34.487, 136.172), "東吉野村": (34.402, 135.996),
        "宇陀市": (34.528, 135.953), "桜井市": (34.519, 135.843), "奈良県": (34.685, 135.805)}
FAR = {"足寄町": ("北海道", 43.244, 143.554)}
CASES = [Precedent("case-nara", "奈良県の橋梁点検代行", ("delegation",), ("bridge",), ("inspection",)),
         Precedent("case-joint", "共同発注の例", ("joint_procurement",), ("road",), ())]


def need(n: int, place: str, fields: tuple[str, ...], processes: tuple[str, ...], *, consultation: int | None = None,
         vector: np.ndarray | None = None) -> Need:
    prefecture, lat, lng = FAR[place] if place in FAR else ("奈良県", *NARA[place])
    cid = consultation if consultation is not None else n
    return Need(n, cid, f"c{cid}", Body(prefecture, place, lat, lng), fields, processes, ("staff_shortage",), vector)


BRIDGE = (("bridge",), ("inspection",))
PAVEMENT = (("pavement",), ("patrol",))


def bridge_group() -> list[Need]:
    return [need(i, place, *BRIDGE) for i, place in enumerate(["曽爾村", "御杖村", "東吉野村", "宇陀市"])]


@pytest.mark.parametrize("method", METHODS)
def test_bodies_sharing_a_need_nearby_are_grouped_and_others_are_not(method):
    needs = bridge_group() + [need(10, "足寄町", *BRIDGE), need(11, "桜井市", *PAVEMENT)]
    suggestions = suggest_groups(needs, Params(method=method), CASES)
    assert len(suggestions) == 1
    s = suggestions[0]
    assert [m.body.municipality for m in s.members] == ["宇陀市", "御杖村", "曽爾村", "東吉野村"]
    assert s.fields == ("bridge",) and s.processes == ("inspection",)
    assert "橋梁の点検" in s.why and "4団体" in s.why
    codes = [scheme.code for scheme in s.schemes]
    assert codes[:2] == ["joint_procurement", "delegation"] and "case-nara" in s.schemes[1].why


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("max_km", [15.0, 25.0, 60.0])
def test_no_two_members_are_farther_apart_than_the_bound(method, max_km):
    needs = [need(i, place, *BRIDGE) for i, place in enumerate(NARA)]
    suggestions = suggest_groups(needs, Params(max_km=max_km, min_size=2, method=method))
    assert suggestions, "some bodies are within every bound tried"
    for s in suggestions:
        bodies = [m.body for m in s.members]
        distances = [haversine_km(a.lat, a.lng, b.lat, b.lng) for a, b in combinations(bodies, 2)]
        assert max(distances) <= max_km and s.max_distance_km == pytest.approx(max(distances))


@pytest.mark.parametrize("method", METHODS)
def test_group_sizes_stay_within_bounds(method):
    needs = [need(i, place, *BRIDGE) for i, place in enumerate(NARA)]
    suggestions = suggest_groups(needs, Params(min_size=2, max_size=3, method=method))
    assert suggestions
    assert all(2 <= len(s.members) <= 3 for s in suggestions)
    placed = [m.body.key for s in suggestions for m in s.members]
    assert len(placed) == len(set(placed))          # one body, one need: at most one suggestion
    assert not suggest_groups(needs[:2], Params(min_size=3, method=method))


def test_a_body_with_two_needs_is_in_two_suggestions_but_once_per_need():
    needs = bridge_group()
    needs.append(need(20, "宇陀市", *PAVEMENT, consultation=3))     # 宇陀市's consultation has two problems
    needs += [need(21, "桜井市", *PAVEMENT), need(22, "曽爾村", *PAVEMENT, consultation=0)]
    needs.append(need(23, "宇陀市", *BRIDGE))                         # a second consultation, same need
    suggestions = suggest_groups(needs, Params())
    by_need = {s.fields: s for s in suggestions}
    assert set(by_need) == {("bridge",), ("pavement",)}
    uda_bridge = [m for m in by_need[("bridge",)].members if m.body.municipality == "宇陀市"]
    assert len(uda_bridge) == 1 and uda_bridge[0].consultation_refs == ("c3", "c23")
    assert [m.body.municipality for m in by_need[("pavement",)].members] == ["宇陀市", "曽爾村", "桜井市"]


def test_prefectural_staff_sit_at_the_capital():
    needs = bridge_group()[:2] + [need(5, "奈良県", *BRIDGE)]
    s = suggest_groups(needs, Params(max_km=60))[0]
    assert "奈良県(県庁)" in s.why
    assert s.max_distance_km == pytest.approx(haversine_km(*NARA["御杖村"], *NARA["奈良県"]))
    assert not suggest_groups(needs, Params(max_km=30))              # the capital is ~40 km from the villages


def test_ids_are_stable_for_the_same_data_in_any_order():
    rng = np.random.default_rng(0)
    needs = [need(i, place, *BRIDGE, vector=rng.normal(size=8) / 3) for i, place in enumerate(NARA)]
    first = [s.to_json() for s in suggest_groups(needs, Params(min_size=2, max_size=3))]
    shuffled = list(needs)
    random.Random(4).shuffle(shuffled)
    assert [s.to_json() for s in suggest_groups(shuffled, Params(min_size=2, max_size=3))] == first
    assert all(s["id"].startswith("sg-") and len(s["id"]) == 9 for s in first)
    changed = [need(0, "曽爾村", *BRIDGE, consultation=99)] + needs[1:]
    assert suggest_groups(changed, Params(min_size=2, max_size=3))[0].id not in {s["id"] for s in first}


def test_a_missing_code_is_decided_by_the_words():
    same = np.ones(8) / np.sqrt(8)
    other = np.zeros(8)
    other[0] = 1.0
    needs = [need(i, p, ("road",), ("snow_removal",), vector=same) for i, p in enumerate(["曽爾村", "御杖村"])]
    needs.append(need(2, "東吉野村", (), ("snow_removal",), vector=same))
    assert len(suggest_groups(needs, Params())[0].members) == 3
    assert not suggest_groups(needs, Params(similarity="codes"))
    needs[2] = need(2, "東吉野村", (), ("snow_removal",), vector=other)
    assert not suggest_groups(needs, Params())


@pytest.mark.parametrize("params, word", [(Params(max_km=-1), "--max-km"), (Params(min_size=1), "--min-size"),
                                          (Params(min_size=4, max_size=3), "--max-size"),
                                          (Params(method="kmeans"), "--method")])  # type: ignore[arg-type]
def test_bad_parameters_say_which_option(params, word):
    with pytest.raises(ValueError, match=word):
        suggest_groups(bridge_group(), params)


def test_a_sub_issue_without_any_code_is_not_grouped_on_its_words_alone():
    same = np.ones(8) / np.sqrt(8)
    needs = [need(i, p, *BRIDGE, vector=same) for i, p in enumerate(["曽爾村", "御杖村", "東吉野村"])]
    needs += [need(10 + i, p, (), (), vector=same) for i, p in enumerate(["宇陀市", "桜井市", "奈良県"])]
    (s,) = suggest_groups(needs, Params())
    assert [m.body.municipality for m in s.members] == ["御杖村", "曽爾村", "東吉野村"]
