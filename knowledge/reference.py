"""Reference data shipped in the package, loaded by `gunmane db seed` (idempotent).

- 47 prefectures with their capital and MLIT regional bureau;
- the ten 自治体メンテ相談窓口, each linked to the prefectures it covers;
- all 1,741 municipalities with coordinates (package ``jpgeocode``);
- the MLIT precedent cases (see ``seed_cases``).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import ConsultationWindow, Municipality, Prefecture

DATA = Path(__file__).parent / "data"


def _load_json(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def municipality_coordinates() -> dict[tuple[str, str], tuple[float, float]]:
    """(prefecture, name) → (lat, lng) for all 1,741 municipalities, from jpgeocode."""
    raw = resources.files("JpGeocode").joinpath("data/jp_geocode.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, float]] = json.loads(raw)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for key, point in table.items():
        prefecture, name = key.split(",", 1)
        out[(prefecture, name)] = (float(point["lat"]), float(point["lng"]))
    return out


def seed_windows_and_prefectures(session: Session) -> int:
    windows = _load_json("consultation_windows.json")["windows"]
    by_bureau: dict[str, ConsultationWindow] = {}
    for spec in windows:
        row = session.scalar(select(ConsultationWindow).where(ConsultationWindow.bureau == spec["bureau"]))
        if row is None:
            row = ConsultationWindow(bureau=spec["bureau"])
            session.add(row)
        row.department, row.phone, row.email = spec["department"], spec["phone"], spec["email"]
        by_bureau[spec["bureau"]] = row
    session.flush()
    for spec in _load_json("prefectures.json"):
        prefecture = session.get(Prefecture, spec["name"])
        if prefecture is None:
            prefecture = Prefecture(name=spec["name"])
            session.add(prefecture)
        prefecture.code, prefecture.capital, prefecture.bureau = spec["code"], spec["capital"], spec["bureau"]
        prefecture.window_id = by_bureau[spec["bureau"]].id
    session.flush()
    return len(windows)


def seed_municipalities(session: Session) -> int:
    existing = {(m.prefecture, m.name): m for m in session.scalars(select(Municipality))}
    coords = municipality_coordinates()
    for (prefecture, name), (lat, lng) in coords.items():
        row = existing.get((prefecture, name))
        if row is None:
            session.add(Municipality(prefecture=prefecture, name=name, lat=lat, lng=lng))
        elif (row.lat, row.lng) != (lat, lng):
            row.lat, row.lng = lat, lng
    session.flush()
    return len(coords)


def seed_reference(session: Session) -> dict[str, int]:
    """Load all reference data; running it again changes nothing."""
    counts = {
        "windows": seed_windows_and_prefectures(session),
        "municipalities": seed_municipalities(session),
    }
    try:
        from knowledge.seed_cases import seed_cases  # written with the case records
    except ImportError:  # pragma: no cover - during bootstrap only
        return counts
    counts["cases"] = seed_cases(session)
    return counts
