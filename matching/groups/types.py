"""Value types of grouping: what goes in (needs of bodies), what comes out (suggestions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Method = Literal["cpsat", "louvain", "greedy"]
METHODS: tuple[Method, ...] = ("cpsat", "louvain", "greedy")
Similarity = Literal["codes", "hybrid", "embedding"]
SIMILARITIES: tuple[Similarity, ...] = ("hybrid", "codes", "embedding")


@dataclass(frozen=True)
class Body:
    """An asking body; prefectural staff are the prefecture itself, placed at its capital."""

    prefecture: str
    municipality: str
    lat: float
    lng: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.prefecture, self.municipality)


@dataclass(frozen=True)
class Need:
    """One sub-issue of one stored consultation (the unit the intake analysis produces)."""

    sub_issue_id: int
    consultation_id: int
    consultation_ref: str              # the imported id, or the stored id as text (data-format contract)
    body: Body
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    pains: tuple[str, ...] = ()
    vector: np.ndarray | None = None   # embedding of the sub-issue's text (unit length), if any
    text: str = ""


@dataclass(frozen=True)
class BodyNeed:
    """The needs of one body that are one and the same need (merged), as one grouping unit."""

    body: Body
    needs: tuple[Need, ...]
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    pains: tuple[str, ...]
    vector: np.ndarray | None

    @property
    def consultation_refs(self) -> list[str]:
        return list(dict.fromkeys(n.consultation_ref for n in self.needs))


@dataclass(frozen=True)
class Params:
    """The secretariat's bounds and the method's knobs (defaults chosen by measurement, docs/groups.md)."""

    max_km: float = 60.0
    min_size: int = 3
    max_size: int = 8
    method: Method = "cpsat"
    similarity: Similarity = "hybrid"
    min_similarity: float = 0.5        # a pair below this does not share a need
    cosine_floor: float = 0.80         # embedding similarity that counts as nothing …
    cosine_full: float = 0.95          # … and as the same words
    solver_time: float = 2.0           # CP-SAT deterministic time per component (reproducible, not wall time)

    def problems(self) -> list[str]:
        out = []
        if not 0 < self.max_km <= 2000:
            out.append(f"--max-km: {self.max_km:g} is out of range; give a distance in km between 1 and 2000")
        if self.min_size < 2:
            out.append(f"--min-size: {self.min_size} is too small; a group has at least 2 bodies")
        if self.max_size < self.min_size:
            out.append(f"--max-size: {self.max_size} is smaller than --min-size {self.min_size}")
        if self.max_size > 50:
            out.append(f"--max-size: {self.max_size} is too large; at most 50 bodies per group")
        if self.method not in METHODS:
            out.append(f"--method: {self.method!r} is not known; use one of {', '.join(METHODS)}")
        if self.similarity not in SIMILARITIES:
            out.append(f"--similarity: {self.similarity!r} is not known; use one of {', '.join(SIMILARITIES)}")
        return out


@dataclass(frozen=True)
class Precedent:
    """A case the scheme candidates can point to."""

    ext_id: str
    title: str
    schemes: tuple[str, ...]
    fields: tuple[str, ...] = ()
    processes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemeCandidate:
    code: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "why": self.why}


@dataclass(frozen=True)
class SuggestedMember:
    body: Body
    consultation_refs: tuple[str, ...]
    consultation_ids: tuple[int, ...]
    sub_issue_ids: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"prefecture": self.body.prefecture, "municipality": self.body.municipality,
                "consultations": list(self.consultation_refs)}


@dataclass(frozen=True)
class Suggestion:
    id: str
    members: tuple[SuggestedMember, ...]
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    pains: tuple[str, ...]
    max_distance_km: float
    cohesion: float                    # mean need similarity of member pairs
    why: str
    schemes: tuple[SchemeCandidate, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The ``groups suggest --json`` object of the data-format contract."""
        return {
            "id": self.id,
            "members": [m.to_json() for m in self.members],
            "fields": list(self.fields),
            "processes": list(self.processes),
            "max_distance_km": round(self.max_distance_km, 1),
            "why": self.why,
            "schemes": [s.to_json() for s in self.schemes],
        }
