"""Batch matching: JSONL requests in, ``match --json`` objects out (data-format "Match output").

Shared by ``gunmane match --batch`` and ``scripts/eval.py``, so both run the same code.

A request line is ``{"text": …, "kind": …, "prefecture": …, "municipality": …, "top": …}``
(all but ``text`` optional; the command line gives the defaults). A whole file
is checked before anything is ranked: a malformed line, an unknown kind or an
unknown municipality stops the batch with every problem as ``FILE:LINE: message``
(``knowledge.errors.ValidationFailed``) and nothing is printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.errors import GunmaneError, ValidationFailed
from knowledge.jsonl import read_jsonl
from matching.engine import Matcher, Mode
from matching.types import KINDS, Kind, MatchQuery, MatchResult

ALL = "all"
REQUEST_KEYS = {"text", "kind", "prefecture", "municipality", "top"}
MAX_TOP = 100


@dataclass(frozen=True)
class MatchRequest:
    """One request (one input line): its text, asker and the kinds to rank."""

    text: str
    kinds: tuple[Kind, ...]
    prefecture: str | None = None
    municipality: str | None = None
    top: int = 5
    line: int = 0

    def queries(self) -> list[MatchQuery]:
        return [MatchQuery(self.text, kind, self.prefecture, self.municipality, self.top) for kind in self.kinds]


def kinds_for(kind: str) -> tuple[Kind, ...]:
    """``advisor`` → (advisor,); ``all`` → every kind; anything else is an error naming the choices."""
    if kind == ALL:
        return KINDS
    if kind in KINDS:
        return (kind,)
    raise ValueError(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}, {ALL}")


def _optional_text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {type(value).__name__}")
    return value.strip() or None


def parse_request(
    obj: Any, *, kind: str, prefecture: str | None, municipality: str | None, top: int, line: int = 0,
) -> MatchRequest:
    """One request object, with the command line's values as defaults; ValueError says what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object such as {\"text\": \"…\", \"kind\": \"advisor\"}")
    unknown = sorted(set(obj) - REQUEST_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(REQUEST_KEYS))}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text is missing or empty")
    line_kind = _optional_text(obj, "kind") or kind
    line_top = obj.get("top", top)
    if isinstance(line_top, bool) or not isinstance(line_top, int) or not 1 <= line_top <= MAX_TOP:
        raise ValueError(f"top must be an integer from 1 to {MAX_TOP}, got {line_top!r}")
    has_place = "prefecture" in obj or "municipality" in obj
    return MatchRequest(
        text=text.strip(),
        kinds=kinds_for(line_kind),
        prefecture=_optional_text(obj, "prefecture") if has_place else prefecture,
        municipality=_optional_text(obj, "municipality") if has_place else municipality,
        top=line_top,
        line=line,
    )


def read_requests(
    path: Path, *, kind: str = ALL, prefecture: str | None = None, municipality: str | None = None, top: int = 5
) -> list[MatchRequest]:
    """Every request of a JSONL file (blank lines skipped); ValidationFailed lists every bad line."""
    return read_jsonl(
        path,
        lambda obj, number: parse_request(
            obj, kind=kind, prefecture=prefecture, municipality=municipality, top=top, line=number
        ),
    )


def check_places(matcher: Matcher, requests: Iterable[MatchRequest], source: str) -> None:
    """Resolve every asker's municipality first, so no output is printed for a batch that will fail."""
    problems = []
    for request in requests:
        try:
            matcher.asker(request.prefecture, request.municipality)
        except GunmaneError as exc:
            problems.append(f"{source}:{request.line}: {exc}")
    if problems:
        raise ValidationFailed(problems)


def output_object(query: MatchQuery, results: Sequence[MatchResult]) -> dict[str, Any]:
    """The contract's match output for one query and kind."""
    return {"query": query.text, "kind": query.kind, "results": [r.to_json() for r in results]}


def run_requests(
    matcher: Matcher, requests: Sequence[MatchRequest], *, mode: Mode = "hybrid", chunk: int = 64
) -> Iterator[tuple[MatchRequest, MatchQuery, list[MatchResult]]]:
    """Rank every request (per kind), in order; texts are embedded a chunk at a time."""
    for start in range(0, len(requests), chunk):
        part = requests[start : start + chunk]
        pairs = [(request, query) for request in part for query in request.queries()]
        ranked = matcher.match_many([query for _, query in pairs], mode=mode)
        for (request, query), results in zip(pairs, ranked, strict=True):
            yield request, query, results
