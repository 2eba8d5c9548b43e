"""The ``why`` of a result: a short Japanese reason built only from what actually matched.

Pieces, joined with " / ": shared fields and processes (taxonomy labels),
region coverage (「奈良県を担当」/「全国対応」), distance (「約12km」), online or
upcoming date for trainings, and key terms found in both texts.
E.g. 「橋梁・点検の経験 / 奈良県を担当 / キーワード: 修繕計画」.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from matching.documents import CATALOGUE_LABELS, TRAINING_KIND_LABELS, labels
from matching.geo import DistanceBand
from matching.preferences import Evidence
from matching.types import Kind

_SUBJECT_SUFFIX = {
    "advisor": "の経験", "engineer": "の経験", "case": "の事例", "training": "を扱う", "technology": "に使える技術",
}
MAX_KEY_TERMS = 3


def _km(distance: float) -> str:
    return f"約{distance:.0f}km" if distance >= 1 else "1km未満"


def _subject(kind: Kind, ev: Evidence) -> str | None:
    shared = labels(ev.shared_fields) + labels(ev.shared_processes)
    return "・".join(shared) + _SUBJECT_SUFFIX[kind] if shared else None


def _region(ev: Evidence) -> str | None:
    if ev.region == "covers":
        return f"{ev.asker_prefecture}を担当"
    if ev.region == "nationwide":
        return "全国対応"
    if ev.region == "outside":
        return f"担当地域外({ev.asker_prefecture})"
    return None


def _engineer_place(row: Any, ev: Evidence) -> str | None:
    where = row.municipality if row.municipality != row.prefecture else f"{row.prefecture}庁"
    if ev.distance_km is None:
        return where
    return f"{where}・{_km(ev.distance_km)}"


def _training_place(row: Any, ev: Evidence, today: date) -> list[str]:
    parts = []
    if ev.online:
        parts.append("オンライン開催")
    elif ev.band is DistanceBand.NEAR and ev.distance_km == 0.0:
        parts.append("県内開催")
    elif row.prefecture:
        parts.append(f"{row.prefecture}で開催" + (f"({_km(ev.distance_km)})" if ev.distance_km else ""))
    if ev.start_date is not None:
        parts.append(f"{ev.start_date.isoformat()} 開催済み" if ev.past else f"{ev.start_date.isoformat()} 開催予定")
    elif row.kind in TRAINING_KIND_LABELS and not ev.online:
        parts.append(TRAINING_KIND_LABELS[row.kind])
    return parts


def why(kind: Kind, row: Any, ev: Evidence, *, today: date) -> str:
    """A short reason, most telling piece first; never empty."""
    parts: list[str] = []
    if subject := _subject(kind, ev):
        parts.append(subject)
    if kind == "advisor":
        if region := _region(ev):
            parts.append(region)
        if ev.capacity_full:
            parts.append("現在は受付枠が埋まっています")
    elif kind == "engineer":
        if place := _engineer_place(row, ev):
            parts.append(place)
    elif kind == "training":
        parts.extend(_training_place(row, ev, today))
    elif kind == "case" and ev.scheme is not None:
        parts.append(f"{labels([ev.scheme])[0]}の型")
    elif kind == "technology" and row.catalogue in ("netis", "inspection_catalogue"):
        parts.append(CATALOGUE_LABELS[row.catalogue])
    terms = [t for t in ev.key_terms if t not in set(labels(ev.shared_fields) + labels(ev.shared_processes))]
    if terms:
        parts.append("キーワード: " + "・".join(terms[:MAX_KEY_TERMS]))
    if not parts or (len(parts) == 1 and kind in ("engineer", "training") and not subject and not terms):
        parts.insert(0, "相談内容と近い内容")
    return " / ".join(parts)
