"""Value types of the matching engine's public API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["advisor", "case", "engineer", "training", "technology"]
KINDS: tuple[Kind, ...] = ("advisor", "case", "engineer", "training", "technology")


@dataclass(frozen=True)
class MatchQuery:
    text: str
    kind: Kind
    prefecture: str | None = None
    municipality: str | None = None
    top: int = 5
    # Hints from the intake card (codes); the engine also infers them from the text.
    fields: tuple[str, ...] = ()
    processes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    kind: Kind
    id: str                     # external id of the record (data-format ``id``)
    db_id: int
    score: float                # higher is better
    why: str                    # short Japanese reason built from what matched
    title: str                  # name (advisor, engineer, technology) or title (case, training)
    summary: str                # expertise / summary / description, for display
    distance_km: float | None = None
    details: dict[str, Any] = field(default_factory=dict)  # display facts; never contacts

    def to_json(self) -> dict[str, Any]:
        """The ``results`` item of ``match --json`` (data-format contract)."""
        out: dict[str, Any] = {"id": self.id, "score": round(self.score, 4), "why": self.why}
        if self.distance_km is not None:
            out["distance_km"] = round(self.distance_km, 1)
        return out
