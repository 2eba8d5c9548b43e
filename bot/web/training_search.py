"""The portal's 研修・視察 search: filters, free text ranked by the chat's hybrid Matcher, upcoming first.

Filters (field, process, prefecture or regional bureau, date range, online only, kind) run
over an in-memory catalogue of every training, rebuilt when the kind's data version moves
(one small query per search otherwise). Free text is ranked by ``Matcher.match`` with
``kind="training"`` — the same dense + BM25 fusion as the chat — and the ranked list is
then cut to the filters. Results that are still to come are listed before past ones: by
rank with free text, by date without.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from knowledge.db import Database, get_version
from knowledge.models import Prefecture, Training
from knowledge.records import TRAINING_KINDS
from knowledge.taxonomy import get_taxonomy
from matching.preferences import is_online
from matching.types import MatchQuery

QUERY_MAX = 200
RANKED = 60   # free text: the best this many are listed (three pages), upcoming ones first
WIDEN = 3     # free text with filters: rank this many times as many, so enough of them pass the filters
PAGE_SIZE = 20


@dataclass(frozen=True)
class Event:
    """What the portal shows of one training (never anything personal: trainings hold none)."""

    db_id: int
    ext_id: str
    title: str
    kind: str | None
    organizer: str | None
    prefecture: str | None
    start_date: date | None
    end_date: date | None
    description: str
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    url: str | None
    online: bool

    @property
    def last_day(self) -> date | None:
        return self.end_date or self.start_date

    def upcoming(self, today: date) -> bool:
        return self.last_day is None or self.last_day >= today


@dataclass(frozen=True)
class Filters:
    q: str = ""
    field: str = ""
    process: str = ""
    prefecture: str = ""          # a prefecture, or a regional bureau (関東地方整備局)
    date_from: date | None = None
    date_to: date | None = None
    online: bool = False
    kind: str = ""

    @property
    def any(self) -> bool:
        return bool(self.q or self.field or self.process or self.prefecture or self.date_from or self.date_to
                    or self.online or self.kind)


@dataclass
class SearchResult:
    events: list[Event]
    total: int
    page: int
    pages: int
    ranked: bool
    problems: dict[str, str] = field(default_factory=dict)


def _event(row: Training) -> Event:
    return Event(row.id, row.ext_id, row.title, row.kind, row.organizer, row.prefecture, row.start_date,
                 row.end_date, row.description, tuple(row.fields or ()), tuple(row.processes or ()), row.url,
                 is_online(row))


class Catalogue:
    """Every training as an ``Event``, reloaded when ``version:training`` moves."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._version = -1
        self._events: dict[int, Event] = {}
        self._bureaus: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def current(self) -> dict[int, Event]:
        with self.db.session() as session:
            version = get_version(session, "training")
            if version != self._version or not self._bureaus:
                with self._lock:
                    if version != self._version or not self._bureaus:
                        self._events = {r.id: _event(r) for r in session.scalars(select(Training))}
                        bureaus: dict[str, list[str]] = {}
                        for pref in session.scalars(select(Prefecture).order_by(Prefecture.code)):
                            bureaus.setdefault(pref.bureau, []).append(pref.name)
                        self._bureaus = {b: tuple(p) for b, p in bureaus.items()}
                        self._version = version
        return self._events

    @property
    def bureaus(self) -> dict[str, tuple[str, ...]]:
        return self._bureaus

    def places(self, value: str) -> tuple[str, ...] | None:
        """The prefectures a ``prefecture`` filter value stands for (None: unknown)."""
        if value in self._bureaus:
            return self._bureaus[value]
        if any(value in prefs for prefs in self._bureaus.values()):
            return (value,)
        return None


def parse_filters(params: dict[str, str], catalogue: Catalogue) -> tuple[Filters, dict[str, str]]:
    """Filters from query parameters; problems are keyed by parameter (message keys of the catalogue)."""
    problems: dict[str, str] = {}
    q = params.get("q", "").strip()
    if len(q) > QUERY_MAX:
        problems["q"] = "search.q_too_long"
        q = ""
    taxonomy = get_taxonomy()
    codes = {}
    for name in ("field", "process"):
        value = params.get(name, "").strip()
        if value:
            try:
                codes[name] = taxonomy.normalize(name, value[:64])
            except ValueError:
                problems[name] = f"search.bad_{name}"
    prefecture = params.get("prefecture", "").strip()[:64]
    catalogue.current()
    if prefecture and catalogue.places(prefecture) is None:
        problems["prefecture"] = "search.bad_prefecture"
        prefecture = ""
    dates: dict[str, date | None] = {}
    for name in ("from", "to"):
        value = params.get(name, "").strip()
        dates[name] = None
        if value:
            try:
                dates[name] = date.fromisoformat(value[:10]) if len(value) == 10 else None
            except ValueError:
                dates[name] = None
            if dates[name] is None:
                problems[name] = "search.bad_date"
    kind = params.get("kind", "").strip()
    if kind and kind not in TRAINING_KINDS:
        problems["kind"] = "search.bad_kind"
        kind = ""
    filters = Filters(q=q, field=codes.get("field", ""), process=codes.get("process", ""), prefecture=prefecture,
                      date_from=dates["from"], date_to=dates["to"], online=params.get("online", "") in ("1", "on",
                      "true"), kind=kind)
    return filters, problems


def _passes(event: Event, f: Filters, places: tuple[str, ...] | None) -> bool:
    if f.kind and event.kind != f.kind:
        return False
    if f.field and f.field not in event.fields:
        return False
    if f.process and f.process not in event.processes:
        return False
    if f.online and not event.online:
        return False
    if places is not None and event.prefecture not in places:
        return False
    if f.date_from or f.date_to:
        start, last = event.start_date or event.end_date, event.last_day
        if start is None or last is None:
            return False
        if f.date_from and last < f.date_from:
            return False
        if f.date_to and start > f.date_to:
            return False
    return True


def _by_date(events: Iterable[Event], today: date) -> list[Event]:
    upcoming = sorted((e for e in events if e.upcoming(today)),
                      key=lambda e: (e.start_date is None, e.start_date or date.max, e.ext_id))
    past = sorted((e for e in events if not e.upcoming(today)),
                  key=lambda e: (e.last_day or date.min, e.ext_id), reverse=True)
    return upcoming + past


def _query(f: Filters, places: tuple[str, ...] | None, top: int) -> MatchQuery:
    """The matcher's query: the words, and the filters it understands as hints (the field and process agree,
    the place is near), so trainings that fit the filters rank higher before the filters cut the list."""
    return MatchQuery(f.q, "training", prefecture=places[0] if places and len(places) == 1 else None, top=top,
                      fields=(f.field,) if f.field else (), processes=(f.process,) if f.process else ())


def _ranked(catalogue: Catalogue, matcher: object, f: Filters, places: tuple[str, ...] | None) -> list[Event]:
    """Trainings ranked for the free text that pass the filters: the best ``RANKED`` of them, looked for
    among the best ``RANKED`` (no filters) or ``RANKED * WIDEN`` (filters) the matcher ranks."""
    events = catalogue.current()
    filtered = bool(f.field or f.process or places or f.date_from or f.date_to or f.online or f.kind)
    top = min(RANKED * WIDEN if filtered else RANKED, len(events))
    ranked = matcher.match(_query(f, places, top))  # type: ignore[attr-defined]
    hits = [events[r.db_id] for r in ranked if r.db_id in events and _passes(events[r.db_id], f, places)]
    return hits[:RANKED]


def search(catalogue: Catalogue, matcher: object, f: Filters, *, today: date, page: int = 1,
           page_size: int = PAGE_SIZE) -> SearchResult:
    events = catalogue.current()
    places = catalogue.places(f.prefecture) if f.prefecture else None
    if f.q:
        hits = _ranked(catalogue, matcher, f, places)
        ordered = [e for e in hits if e.upcoming(today)] + [e for e in hits if not e.upcoming(today)]
    else:
        ordered = _by_date((e for e in events.values() if _passes(e, f, places)), today)
    pages = max(1, -(-len(ordered) // page_size))
    page = min(max(page, 1), pages)
    start = (page - 1) * page_size
    return SearchResult(ordered[start:start + page_size], len(ordered), page, pages, bool(f.q))


def upcoming(catalogue: Catalogue, *, today: date, limit: int = 6) -> list[Event]:
    return [e for e in _by_date(catalogue.current().values(), today) if e.upcoming(today)][:limit]
