"""The relevance floor per kind: a result scoring below it is not shown.

Floors are calibrated on labelled data per embedder (scripts/calibrate_floor.py,
method in docs/counselling.md) and kept in knowledge/data/relevance_floors.json
under the embedder's model id; an embedder without calibrated floors shows
everything (nothing to judge by) and says so in the log once.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

FLOORS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "relevance_floors.json"
log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def floors(model_id: str) -> dict[str, float]:
    stored = json.loads(FLOORS_FILE.read_text(encoding="utf-8")).get("floors", {})
    found = stored.get(model_id)
    if found is None:
        log.warning(
            "no relevance floors calibrated for embedder %s; every result is shown "
            "(run scripts/calibrate_floor.py DIR --write)",
            model_id,
        )
        return {}
    return {kind: float(value) for kind, value in found.items()}


def floor(model_id: str, kind: str) -> float:
    return floors(model_id).get(kind, float("-inf"))
