"""The taxonomy of the data-format contract: field, process and scheme codes.

The codes, their Japanese and English labels and a one-sentence Japanese
description live in ``data/taxonomy.json`` (data, not code). Importers accept
either a code or its Japanese label; ``normalize`` turns both into the code and
rejects anything else with the list of allowed values.

    >>> tax = get_taxonomy()
    >>> tax.normalize("field", "橋梁")
    'bridge'
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from knowledge.errors import GunmaneError

TAXONOMY_FILE = Path(__file__).parent / "data" / "taxonomy.json"

TermKind = Literal["field", "process", "scheme"]
KINDS: tuple[TermKind, ...] = ("field", "process", "scheme")
_PLURALS: dict[str, TermKind] = {"fields": "field", "processes": "process", "schemes": "scheme", "scheme": "scheme"}


class UnknownTerm(GunmaneError, ValueError):
    """A value that is neither a code nor a Japanese label of the taxonomy.

    Also a ``ValueError``, so pydantic validators report it as a field error.
    """


@dataclass(frozen=True)
class Term:
    kind: TermKind
    code: str
    label: str          # Japanese label (橋梁)
    en: str             # English label (Bridges)
    description: str    # one Japanese sentence, used for embedding


def _fold(value: str) -> str:
    """Width- and case-insensitive comparison key (ＪＶ → jv, ' Bridge ' → bridge)."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


class Taxonomy:
    """Codes → labels per kind, and normalisation of codes or labels to codes."""

    def __init__(self, terms: list[Term]) -> None:
        self._terms: dict[str, Term] = {}
        self._by_kind: dict[TermKind, dict[str, Term]] = {kind: {} for kind in KINDS}
        self._lookup: dict[TermKind, dict[str, str]] = {kind: {} for kind in KINDS}
        for term in terms:
            if term.code in self._terms:
                raise ValueError(f"taxonomy code {term.code!r} is defined twice")
            self._terms[term.code] = term
            self._by_kind[term.kind][term.code] = term
            self._lookup[term.kind][_fold(term.code)] = term.code
            self._lookup[term.kind][_fold(term.label)] = term.code

    @classmethod
    def from_file(cls, path: Path = TAXONOMY_FILE) -> Taxonomy:
        raw = json.loads(path.read_text(encoding="utf-8"))
        terms = [
            Term(kind=kind, code=t["code"], label=t["label"], en=t["en"], description=t["description"])
            for kind in KINDS
            for t in raw[kind + ("es" if kind == "process" else "s")]
        ]
        return cls(terms)

    # ------------------------------------------------------------ code → label maps

    @property
    def fields(self) -> dict[str, str]:
        return {code: t.label for code, t in self._by_kind["field"].items()}

    @property
    def processes(self) -> dict[str, str]:
        return {code: t.label for code, t in self._by_kind["process"].items()}

    @property
    def schemes(self) -> dict[str, str]:
        return {code: t.label for code, t in self._by_kind["scheme"].items()}

    def terms(self, kind: str | None = None) -> list[Term]:
        """Every term (of one kind), in the order of the data file."""
        if kind is None:
            return list(self._terms.values())
        return list(self._by_kind[self._kind(kind)].values())

    def term(self, code: str) -> Term:
        try:
            return self._terms[code]
        except KeyError:
            raise UnknownTerm(f"unknown taxonomy code {code!r}") from None

    def label(self, code: str) -> str:
        """The Japanese label of a code of any kind (``bridge`` → ``橋梁``)."""
        return self.term(code).label

    def english(self, code: str) -> str:
        return self.term(code).en

    def description(self, code: str) -> str:
        return self.term(code).description

    def codes(self, kind: str) -> list[str]:
        return list(self._by_kind[self._kind(kind)])

    # ------------------------------------------------------------ normalisation

    def normalize(self, kind: str, value: str) -> str:
        """The code for ``value`` — a code or the Japanese label — or UnknownTerm listing the allowed values."""
        k = self._kind(kind)
        code = self._lookup[k].get(_fold(value))
        if code is None:
            raise UnknownTerm(f"{value!r} is not a {k} code or label; allowed: {self.allowed(k)}")
        return code

    def normalize_all(self, kind: str, values: list[str]) -> list[str]:
        """Codes for a list of values, in order, without duplicates."""
        out: list[str] = []
        for value in values:
            code = self.normalize(kind, value)
            if code not in out:
                out.append(code)
        return out

    def allowed(self, kind: str) -> str:
        """``bridge (橋梁), road (道路), …`` — for error messages."""
        return ", ".join(f"{t.code} ({t.label})" for t in self._by_kind[self._kind(kind)].values())

    @staticmethod
    def _kind(kind: str) -> TermKind:
        if kind in KINDS:
            return kind
        if kind in _PLURALS:
            return _PLURALS[kind]
        raise ValueError(f"taxonomy kind must be one of {', '.join(KINDS)}, not {kind!r}")


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once per process."""
    return Taxonomy.from_file()
