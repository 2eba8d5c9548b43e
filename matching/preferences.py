"""Soft preferences: score adjustments that reorder fused candidates, and the evidence behind them.

Each adjustment is a small, named weight (``Weights``) added to the fused
relevance (which lies in [0, 1]); the ``Evidence`` it leaves behind is what
``matching.explain`` turns into the Japanese ``why``.

- fields and processes the record shares with what the query is about;
- advisors: regions covering the asker's prefecture (empty = nationwide) first,
  regions that exclude it pushed down strongly; free capacity before full;
- engineers: distance — within ~60 km best, 60–150 km reachable, beyond that
  not a neighbour;
- trainings: online or nearby first, upcoming before past.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from knowledge.municipalities import MunicipalityDirectory
from matching.filters import Asker
from matching.geo import DistanceBand, band, locate, place_distance_km
from matching.types import Kind


@dataclass(frozen=True)
class Weights:
    field: float = 0.12              # share of the query's fields the record covers
    process: float = 0.08            # share of the query's processes the record covers
    region_covers: float = 0.05      # advisor serves the asker's prefecture explicitly
    region_outside: float = -0.6     # advisor's regions exclude the asker's prefecture
    capacity_full: float = -0.25     # advisor has no free capacity now
    engineer_reachable: float = -0.15  # 60–150 km
    engineer_far: float = -0.5       # beyond 150 km
    training_far: float = -0.1       # in person, beyond reach
    training_past: float = -0.3      # already over
    case_scheme: float = 0.15        # the case uses the collaboration scheme the query leans to
    scheme_z_floor: float = 1.0      # affinity (z over all schemes) that earns nothing …
    scheme_z_full: float = 2.5       # … and the full bonus


@dataclass(frozen=True)
class QueryFocus:
    """What the query is about, as taxonomy codes (intake hints plus what was inferred)."""

    fields: tuple[str, ...] = ()
    processes: tuple[str, ...] = ()
    scheme_z: dict[str, float] = field(default_factory=dict)  # scheme code → affinity (matching.schemes)


@dataclass
class Evidence:
    shared_fields: list[str] = field(default_factory=list)
    shared_processes: list[str] = field(default_factory=list)
    region: str | None = None         # "covers" | "nationwide" | "outside"
    asker_prefecture: str | None = None
    capacity_full: bool = False
    distance_km: float | None = None
    band: DistanceBand | None = None
    online: bool = False
    start_date: date | None = None
    past: bool = False
    scheme: str | None = None         # the case's scheme the query clearly leans to
    key_terms: list[str] = field(default_factory=list)


def _shared(query_codes: tuple[str, ...], record_codes: list[str] | None) -> list[str]:
    record = set(record_codes or ())
    return [code for code in query_codes if code in record]


def _agreement(focus: QueryFocus, row: Any, ev: Evidence, w: Weights) -> float:
    ev.shared_fields = _shared(focus.fields, row.fields)
    ev.shared_processes = _shared(focus.processes, row.processes)
    score = 0.0
    if focus.fields:
        score += w.field * len(ev.shared_fields) / len(focus.fields)
    if focus.processes:
        score += w.process * len(ev.shared_processes) / len(focus.processes)
    return score


def _case(row: Any, focus: QueryFocus, ev: Evidence, w: Weights) -> float:
    affinities = [(focus.scheme_z.get(code, 0.0), code) for code in row.scheme or ()]
    if not affinities:
        return 0.0
    z, code = max(affinities)
    share = (z - w.scheme_z_floor) / (w.scheme_z_full - w.scheme_z_floor)
    share = min(1.0, max(0.0, share))
    if share >= 0.5:
        ev.scheme = code
    return w.case_scheme * share


def _advisor(row: Any, asker: Asker, open_load: int, ev: Evidence, w: Weights) -> float:
    score = 0.0
    regions = list(row.regions or ())
    if not regions:
        ev.region = "nationwide"
    elif asker.prefecture is not None:
        ev.asker_prefecture = asker.prefecture
        if asker.prefecture in regions:
            ev.region = "covers"
            score += w.region_covers
        else:
            ev.region = "outside"
            score += w.region_outside
    if open_load >= (row.capacity or 0):
        ev.capacity_full = True
        score += w.capacity_full
    return score


def _engineer(row: Any, asker: Asker, directory: MunicipalityDirectory, ev: Evidence, w: Weights) -> float:
    place = locate(directory, row.prefecture, row.municipality)
    if asker.place is None or place is None:
        return 0.0
    ev.distance_km = place_distance_km(asker.place, place)
    ev.band = band(ev.distance_km)
    if ev.band is DistanceBand.REACHABLE:
        return w.engineer_reachable
    if ev.band is DistanceBand.FAR:
        return w.engineer_far
    return 0.0


def is_online(row: Any) -> bool:
    return not row.prefecture or row.kind == "webinar"


def _training(row: Any, asker: Asker, directory: MunicipalityDirectory, today: date, ev: Evidence, w: Weights) -> float:
    score = 0.0
    ev.start_date = row.start_date
    last_day = row.end_date or row.start_date
    if last_day is not None and last_day < today:
        ev.past = True
        score += w.training_past
    if is_online(row):
        ev.online = True
        return score
    place = locate(directory, row.prefecture, None)  # held somewhere in the prefecture: its capital
    if asker.place is not None and place is not None:
        same_prefecture = asker.prefecture == row.prefecture
        ev.distance_km = 0.0 if same_prefecture else place_distance_km(asker.place, place)
        ev.band = DistanceBand.NEAR if same_prefecture else band(ev.distance_km)
        if ev.band is DistanceBand.FAR:
            score += w.training_far
    return score


def assess(
    kind: Kind,
    row: Any,
    *,
    focus: QueryFocus,
    asker: Asker,
    directory: MunicipalityDirectory,
    today: date,
    open_load: int = 0,
    weights: Weights = Weights(),
) -> tuple[float, Evidence]:
    """The total soft adjustment for ``row`` and the evidence that produced it."""
    ev = Evidence()
    score = _agreement(focus, row, ev, weights)
    if kind == "advisor":
        score += _advisor(row, asker, open_load, ev, weights)
    elif kind == "engineer":
        score += _engineer(row, asker, directory, ev, weights)
    elif kind == "training":
        score += _training(row, asker, directory, today, ev, weights)
    elif kind == "case":
        score += _case(row, focus, ev, weights)
    return score, ev
