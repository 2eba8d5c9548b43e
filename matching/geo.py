"""Geography for ranking: great-circle distances and how "near" a distance is.

Places come from ``knowledge.municipalities.MunicipalityDirectory`` (prefectural
staff sit at the prefectural capital). Bands follow the secretariat's rule for
neighbouring engineers: within about 60 km is a neighbour, 60–150 km is still
reachable, beyond 150 km is not "neighbouring".
"""

from __future__ import annotations

import math
from enum import Enum

from knowledge.municipalities import MunicipalityDirectory, Place

EARTH_RADIUS_KM = 6371.0088
NEAR_KM = 60.0
REACHABLE_KM = 150.0


class DistanceBand(Enum):
    NEAR = "near"            # ≲ 60 km
    REACHABLE = "reachable"  # 60–150 km
    FAR = "far"              # > 150 km


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def place_distance_km(a: Place, b: Place) -> float:
    return haversine_km(a.lat, a.lng, b.lat, b.lng)


def band(distance_km: float) -> DistanceBand:
    if distance_km <= NEAR_KM:
        return DistanceBand.NEAR
    if distance_km <= REACHABLE_KM:
        return DistanceBand.REACHABLE
    return DistanceBand.FAR


def locate(directory: MunicipalityDirectory, prefecture: str | None, municipality: str | None) -> Place | None:
    """Where a record or an asker sits: the municipality, else the prefectural capital, else unknown."""
    if not prefecture:
        return None
    if municipality:
        place = directory.get(prefecture, municipality)
        if place is not None:
            return place
    return directory.get(prefecture, prefecture)
