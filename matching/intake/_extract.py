"""From a message to codes: words → context rules → sub-issues → codes per sub-issue.

1. The lexicon's words are found in the cleaned text (``_matcher``).
2. Words that are background (an inspection that already happened), negated,
   or too vague without a structure nearby (「見てもらう」) are set aside.
3. Within a phrase the most specific asset wins (町道の橋 → bridge only).
4. Clauses are grouped into sub-issues: a clause starts a new one when it
   introduces another matter (あと、/ also / 「…のと、…のと」) or names assets
   none of which the current one has; clauses about nothing (「どちらも相談したい」)
   join their neighbour, and their pains and wanted help apply to every sub-issue.
5. Within a sub-issue, repairs named as the object of a plan or a design yield.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.taxonomy import get_taxonomy
from matching.intake._implied import implied_codes
from matching.intake._lexicon import CATEGORIES, Category, Entry, Lexicon, get_lexicon
from matching.intake._matcher import Analysed, Hit, analyse_text, find_hits, token_range
from matching.intake._roles import is_wanted
from matching.intake._rules import is_background, is_department, is_greeting, is_negated, is_settled
from matching.intake._split import Clause, clauses, phrase_cuts
from matching.intake._text import clean_text

# "lexicon": the message's own words; "weak": a situation that implies the code (「枝が伸びて」 → pruning);
# "embedding": the closest meaning. A code with only weak or embedding triggers is a guess to confirm.
# "candidate": close by meaning but not sure enough to count — not among the codes; the dialogue offers it.
Source = Literal["lexicon", "weak", "embedding", "candidate"]
_LIST_END = re.compile(r"(?:(?<=件)と|(?<=こと)と|(?<=話)と|(?<=問題)と|のと)$")


@dataclass(frozen=True)
class Trigger:
    """Why a code was chosen: the words of the message (or the meaning, for ``embedding``)."""

    kind: Category
    code: str
    word: str
    source: Source = "lexicon"


@dataclass(frozen=True)
class Extraction:
    """Codes understood from a text, each list in a fixed order (taxonomy order, then lexicon order)."""

    fields: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    pains: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    terms: list[Trigger] = field(default_factory=list)

    def codes(self, kind: Category) -> list[str]:
        return {"field": self.fields, "process": self.processes, "pain": self.pains, "wanted": self.wanted}[kind]

    def words_for(self, code: str, kind: Category | None = None) -> list[str]:
        """The words that triggered ``code`` (of one kind, or any)."""
        out: list[str] = []
        for t in self.terms:
            if t.code == code and (kind is None or t.kind == kind) and t.word not in out:
                out.append(t.word)
        return out

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.processes or self.pains or self.wanted)

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": list(self.fields),
            "processes": list(self.processes),
            "pains": list(self.pains),
            "wanted": list(self.wanted),
            "terms": [{"kind": t.kind, "code": t.code, "word": t.word, "source": t.source} for t in self.terms],
        }


@dataclass(frozen=True)
class SubIssue:
    """One problem of a message: its own text and what it is about."""

    text: str
    extraction: Extraction


# --------------------------------------------------------------------------- per-hit reading


@dataclass
class _Reading:
    hit: Hit
    word: str
    clause: int
    codes: list[tuple[Category, str]]
    source: Source = "lexicon"

    def has(self, kind: Category) -> bool:
        return any(cat == kind for cat, _ in self.codes)

    def drop(self, code: str, kinds: tuple[Category, ...] = ("field", "process")) -> None:
        self.codes = [(cat, c) for cat, c in self.codes if not (c == code and cat in kinds)]


def _clause_of(starts: list[int], pos: int) -> int:
    """Index of the clause holding ``pos`` (clauses are in order and cover the text)."""
    return max(bisect_right(starts, pos) - 1, 0)


def _read_hits(a: Analysed, hits: list[Hit], cls: list[Clause], lex: Lexicon) -> list[_Reading]:
    readings: list[_Reading] = []
    starts = [c.start for c in cls]
    for hit in hits:
        if not hit.entry.codes or is_negated(a, hit) or is_department(a, hit) or is_settled(a, hit):
            continue
        codes = list(hit.entry.codes)
        if any(cat in ("process", "wanted") for cat, _ in codes) and is_greeting(a, hit):
            codes = [(cat, c) for cat, c in codes if cat not in ("process", "wanted")]
        japanese = not a.text[hit.start : hit.end].isascii()
        past = lex.background_codes | (lex.background_codes_ja if japanese else frozenset())
        if any(code in past for _, code in codes) and is_background(a, hit):
            codes = [(cat, c) for cat, c in codes if not (cat == "process" and c in past)]
        if codes:
            readings.append(_Reading(hit, a.text[hit.start : hit.end], _clause_of(starts, hit.start), codes))
    # 「見てもらう」 is inspection only with a structure in its clause; 「電話」 front-desk work only when answered.
    fields_by_clause = {r.clause for r in readings if r.has("field")}
    forms_by_clause: dict[int, set[str]] = {}
    for norm, start in zip(a.norms, a.starts, strict=True):     # one pass over the tokens, not one per reading
        forms_by_clause.setdefault(_clause_of(starts, start), set()).add(norm)
    for rule in lex.needs:
        for r in readings:
            if r.hit.entry.word not in rule.words:
                continue
            forms = forms_by_clause.get(r.clause, set())
            with_field = r.clause in fields_by_clause or (rule.near and r.clause - 1 in fields_by_clause)
            unconditional = not rule.with_field and not rule.with_forms
            ok = unconditional or (rule.with_field and with_field) or bool(forms & rule.with_forms)
            if not ok or forms & rule.unless_forms:
                r.drop(rule.code, ("process",))
    # 「業者」「コンサル」 are procurement only where the clause wants one (頼める業者がいない), not in passing.
    for role in lex.roles:
        for r in readings:
            if r.hit.entry.word in role.words and not is_wanted(a, (cls[r.clause].start, cls[r.clause].end), role):
                r.drop(role.code, ("process",))
    return [r for r in readings if r.codes]


def _with_implied(a: Analysed, cls: list[Clause], readings: list[_Reading], lex: Lexicon) -> list[_Reading]:
    """The readings plus the processes the clauses imply without naming them (as weak readings)."""
    named: list[set[tuple[Category, str]]] = [set() for _ in cls]
    for r in readings:
        named[r.clause].update(r.codes)
    extra = []
    for found in implied_codes(a, cls, named, lex):
        first, last = token_range(a, found.start, found.end)
        hit = Hit(found.start, found.end, Entry(found.word, ((found.kind, found.code),)), first, last)
        extra.append(_Reading(hit, found.word, found.clause, [(found.kind, found.code)], "weak"))
    return sorted(readings + extra, key=lambda r: (r.hit.start, r.hit.end)) if extra else readings


def _apply_yields(readings: list[_Reading], lex: Lexicon, scope_of: dict[str, list[int]], scope: str) -> None:
    """Drop a code where a more specific one is present in the same scope (phrase, clause or sub-issue)."""
    keys = scope_of["clause" if scope == "near" else scope]
    for rule in (y for y in lex.yields if y.scope == scope):
        present: dict[int, set[str]] = {}
        for r, key in zip(readings, keys, strict=True):
            present.setdefault(key, set()).update(c for cat, c in r.codes if cat in ("field", "process"))
        for r, key in zip(readings, keys, strict=True):
            # near: the clause or the one before (「林道で落石が増えます。法面の状態を調べたい」).
            there = present[key] | (present.get(key - 1, set()) if scope == "near" else set())
            if rule.applies_to(r.hit.entry.word) and there & rule.to:
                r.drop(rule.code)


# --------------------------------------------------------------------------- grouping


def _content(readings: list[_Reading]) -> set[str]:
    return {c for r in readings for cat, c in r.codes if cat in ("field", "process")}


def _fields(readings: list[_Reading]) -> set[str]:
    return {c for r in readings for cat, c in r.codes if cat == "field"}


def _group_clauses(cls: list[Clause], by_clause: list[list[_Reading]]) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    current_fields: set[str] = set()
    current_has_content = False
    pending_new = False   # a marker clause with no content of its own (「あと、」) opens the next one
    for i, clause in enumerate(cls):
        has_content = bool(_content(by_clause[i]))
        fields = _fields(by_clause[i])
        new_matter = clause.new_matter or pending_new
        pending_new = new_matter and not has_content
        starts_new = (
            has_content
            and current_has_content
            and (new_matter or bool(fields and not fields & current_fields))
        )
        if starts_new:
            groups.append(current)
            current, current_fields, current_has_content = [], set(), False
        current.append(i)
        current_fields |= fields
        current_has_content = current_has_content or has_content
    if current:
        groups.append(current)
    return groups


# --------------------------------------------------------------------------- assembling


def _ordered(codes: set[str], order: list[str]) -> list[str]:
    return [c for c in order if c in codes] + sorted(codes - set(order))


def _extraction(readings: list[_Reading], lex: Lexicon, extra: list[_Reading] = ()) -> Extraction:  # type: ignore[assignment]
    tax = get_taxonomy()
    order: dict[Category, list[str]] = {
        "field": tax.codes("field"),
        "process": tax.codes("process"),
        "pain": lex.codes["pain"],
        "wanted": lex.codes["wanted"],
    }
    found: dict[Category, set[str]] = {cat: set() for cat in CATEGORIES}
    terms: dict[Trigger, None] = {}      # ordered and de-duplicated in linear time
    for r, lent in [(r, False) for r in readings] + [(r, True) for r in extra]:
        for cat, code in r.codes:
            if lent and cat in ("field", "process"):
                continue
            found[cat].add(code)
            terms.setdefault(Trigger(cat, code, r.word, r.source), None)
    return Extraction(
        fields=_ordered(found["field"], order["field"]),
        processes=_ordered(found["process"], order["process"]),
        pains=_ordered(found["pain"], order["pain"]),
        wanted=_ordered(found["wanted"], order["wanted"]),
        terms=list(terms),
    )


def read_sub_issues(text: str, lex: Lexicon | None = None) -> list[SubIssue]:
    """The sub-issues of ``text`` from the lexicon and rules alone (no embedder)."""
    lex = lex or get_lexicon()
    cleaned = clean_text(text)
    if not cleaned:
        return []
    a = analyse_text(cleaned)
    cls = clauses(cleaned)
    readings = _with_implied(a, cls, _read_hits(a, find_hits(a, lex), cls, lex), lex)

    phrase_ids = []
    cuts_of: dict[int, list[int]] = {}
    for r in readings:
        if r.clause not in cuts_of:           # once per clause, then a binary search per reading
            clause = cls[r.clause]
            cuts_of[r.clause] = phrase_cuts(cleaned, clause.start, clause.end)
        phrase_ids.append(r.clause * 10_000_000 + bisect_right(cuts_of[r.clause], r.hit.start))
    scopes: dict[str, list[int]] = {"phrase": phrase_ids, "clause": [r.clause for r in readings]}
    _apply_yields(readings, lex, scopes, "phrase")
    _apply_yields(readings, lex, scopes, "clause")
    _apply_yields(readings, lex, scopes, "near")

    by_clause: list[list[_Reading]] = [[] for _ in cls]
    for r in readings:
        if r.codes:
            by_clause[r.clause].append(r)
    groups = _group_clauses(cls, by_clause)

    group_of_clause = {i: g for g, members in enumerate(groups) for i in members}
    scopes["sub_issue"] = [group_of_clause[r.clause] for r in readings]
    _apply_yields(readings, lex, scopes, "sub_issue")

    # Clauses about no field or process lend their pains and wanted help to every sub-issue.
    shared = [r for i, rs in enumerate(by_clause) if not _content(rs) for r in rs if r.codes]
    shared_ids = {id(r) for r in shared}
    out: list[SubIssue] = []
    previous_fields: list[str] = []
    for g, members in enumerate(groups):
        start = 0 if g == 0 else cls[members[0]].start
        end = len(cleaned) if g == len(groups) - 1 else cls[groups[g + 1][0]].start
        own = [r for i in members for r in by_clause[i] if r.codes and id(r) not in shared_ids]
        extraction = _extraction(own, lex, extra=shared)
        if not extraction.fields and cls[members[0]].new_matter and previous_fields:
            # 「あと、記録を台帳に…」 continues with the assets just named.
            extraction = Extraction(
                previous_fields, extraction.processes, extraction.pains, extraction.wanted, extraction.terms
            )
        previous_fields = extraction.fields or previous_fields
        piece = cleaned if len(groups) == 1 else cleaned[start:end].strip(" 、,。\n")
        if g < len(groups) - 1:
            piece = _LIST_END.sub("", piece)      # 「…件と、」 → 「…件」
        out.append(SubIssue(piece, extraction))
    return out


def merge(extractions: list[Extraction]) -> Extraction:
    """The union of several extractions, keeping the fixed order."""
    tax, lex = get_taxonomy(), get_lexicon()
    order = {
        "field": tax.codes("field"),
        "process": tax.codes("process"),
        "pain": lex.codes["pain"],
        "wanted": lex.codes["wanted"],
    }
    found: dict[str, set[str]] = {cat: set() for cat in CATEGORIES}
    terms: dict[Trigger, None] = {}
    for e in extractions:
        for cat in CATEGORIES:
            found[cat].update(e.codes(cat))
        for t in e.terms:
            terms.setdefault(t, None)
    return Extraction(
        fields=_ordered(found["field"], order["field"]),
        processes=_ordered(found["process"], order["process"]),
        pains=_ordered(found["pain"], order["pain"]),
        wanted=_ordered(found["wanted"], order["wanted"]),
        terms=list(terms),
    )
