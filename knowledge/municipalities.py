"""A read-only directory of the 1,741 municipalities, loaded once from the database.

Answers: does (prefecture, name) exist, which prefectures have a municipality
of this name (府中市, 伊達市), what are the closest names to a typo, where is it
(prefectural staff sit at the prefectural capital), and which consultation
window covers a prefecture.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import NotFound
from knowledge.models import ConsultationWindow, Municipality, Prefecture


@dataclass(frozen=True)
class Place:
    prefecture: str
    name: str          # the municipality, or the prefecture's own name for prefectural staff
    lat: float
    lng: float

    @property
    def is_prefecture(self) -> bool:
        return self.name == self.prefecture


@dataclass(frozen=True)
class WindowInfo:
    bureau: str
    department: str
    phone: str
    email: str


class MunicipalityDirectory:
    def __init__(self, session: Session) -> None:
        self._places: dict[tuple[str, str], Place] = {}
        self._by_name: dict[str, list[Place]] = {}
        for m in session.scalars(select(Municipality)):
            place = Place(m.prefecture, m.name, m.lat, m.lng)
            self._places[(m.prefecture, m.name)] = place
            self._by_name.setdefault(m.name, []).append(place)
        self._prefectures: dict[str, Prefecture] = {p.name: p for p in session.scalars(select(Prefecture))}
        self._windows: dict[str, WindowInfo] = {}
        for p in self._prefectures.values():
            if p.window_id is not None:
                w = session.get(ConsultationWindow, p.window_id)
                if w is not None:
                    self._windows[p.name] = WindowInfo(w.bureau, w.department, w.phone, w.email)
        if not self._places:
            raise NotFound("No municipalities in the database. Run `gunmane db seed` first.")

    @property
    def prefectures(self) -> list[str]:
        return sorted(self._prefectures, key=lambda n: self._prefectures[n].code)

    def names(self) -> list[str]:
        """Every distinct municipality name (for finding names inside free text)."""
        return list(self._by_name)

    def is_prefecture(self, name: str) -> bool:
        return name in self._prefectures

    def get(self, prefecture: str, name: str) -> Place | None:
        """A municipality, or the prefecture itself (its staff sit at the capital)."""
        if name == prefecture and prefecture in self._prefectures:
            capital = self._places[(prefecture, self._prefectures[prefecture].capital)]
            return Place(prefecture, prefecture, capital.lat, capital.lng)
        return self._places.get((prefecture, name))

    def candidates(self, name: str) -> list[Place]:
        """Every municipality called ``name`` (several for 府中市, 伊達市 …)."""
        return list(self._by_name.get(name, []))

    def closest_names(self, name: str, prefecture: str | None = None, limit: int = 5) -> list[str]:
        pool = [
            f"{p.prefecture}{p.name}" if prefecture is None else p.name
            for p in self._places.values()
            if prefecture is None or p.prefecture == prefecture
        ]
        query = name if prefecture is not None else name
        return difflib.get_close_matches(query, pool, n=limit, cutoff=0.3)

    def resolve(self, prefecture: str | None, name: str) -> Place:
        """The place for (prefecture, name), or NotFound naming the closest names."""
        if prefecture is not None:
            if prefecture not in self._prefectures:
                near = difflib.get_close_matches(prefecture, list(self._prefectures), n=3, cutoff=0.3)
                raise NotFound(f"Unknown prefecture {prefecture!r}. Did you mean: {', '.join(near) or '—'}?")
            place = self.get(prefecture, name)
            if place is not None:
                return place
            near = self.closest_names(name, prefecture)
            raise NotFound(f"No municipality {name!r} in {prefecture}. Closest names: {', '.join(near) or '—'}.")
        found = self.candidates(name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            options = ", ".join(f"{p.prefecture}{p.name}" for p in found)
            raise NotFound(f"{name} exists in several prefectures ({options}); give the prefecture too.")
        raise NotFound(f"No municipality {name!r}. Closest names: {', '.join(self.closest_names(name)) or '—'}.")

    def window_for(self, prefecture: str) -> WindowInfo | None:
        return self._windows.get(prefecture)

    def capital(self, prefecture: str) -> Place | None:
        p = self._prefectures.get(prefecture)
        return None if p is None else self._places.get((prefecture, p.capital))
