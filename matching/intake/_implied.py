"""Processes a message implies without naming them (the lexicon's ``rules.implies``).

People rarely name the process when they describe the situation: 「枝が伸びて道にはみ出とる」
(pruning), 「土砂が満杯」 (cleaning), 「毎日通勤の車から堤防を見てる」 (patrol), 「気付いたときには
鉄筋が錆びていた」 (an inspection that came too late), "the drains are blocked with leaves"
(cleaning). A rule names groups of cue words; when one cue of every group is in the same
clause, the rule's code is implied — as a guess (``source == "weak"``) that the dialogue confirms
with the user. Rules run in file order, so an earlier rule's code can block a later one
(``unless``: what someone watches from the car every day is a patrol, not an inspection).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from matching.intake._lexicon import Category, Cue, ImpliesRule, Lexicon
from matching.intake._matcher import Analysed
from matching.intake._split import Clause


@dataclass(frozen=True)
class Implied:
    clause: int
    start: int
    end: int
    word: str          # the cues as written, joined by "…"
    kind: Category
    code: str


@dataclass(frozen=True)
class _ClauseView:
    start: int
    folded: str                      # the clause's folded text
    norms: list[str]                 # Sudachi forms of its tokens
    spans: list[tuple[int, int]]     # their character spans in the text
    forms: frozenset[str]


def _views(a: Analysed, cls: list[Clause]) -> list[_ClauseView]:
    norms = a.norms
    out = []
    for c in cls:
        lo, hi = bisect_left(a.starts, c.start), bisect_left(a.starts, c.end)
        out.append(
            _ClauseView(
                c.start,
                a.folded[c.start : c.end],
                norms[lo:hi],
                list(zip(a.starts[lo:hi], a.ends[lo:hi], strict=True)),
                frozenset(norms[lo:hi]),
            )
        )
    return out


def _joined(before: _ClauseView, view: _ClauseView) -> _ClauseView:
    """Two adjacent clauses read as one (they cover the text without a gap)."""
    return _ClauseView(
        before.start, before.folded + view.folded, before.norms + view.norms, before.spans + view.spans,
        before.forms | view.forms,
    )


def _find(cue: Cue, view: _ClauseView) -> tuple[int, int] | None:
    """The character span of ``cue`` in the clause, or None."""
    if cue.pattern is not None:
        m = cue.pattern.search(view.folded)
        return (view.start + m.start(), view.start + m.end()) if m else None
    if cue.surface is not None:
        pos = view.folded.find(cue.surface)
        if pos >= 0:
            return view.start + pos, view.start + pos + len(cue.surface)
    seq = cue.sequence
    if not seq or seq[0] not in view.forms:
        return None
    for j in range(len(view.norms) - len(seq) + 1):
        if view.norms[j] == seq[0] and tuple(view.norms[j : j + len(seq)]) == seq:
            return view.spans[j][0], view.spans[j + len(seq) - 1][1]
    return None


def _match(rule: ImpliesRule, view: _ClauseView) -> list[tuple[int, int]] | None:
    spans = []
    for group in rule.groups:
        span = next((s for s in (_find(cue, view) for cue in group) if s is not None), None)
        if span is None:
            return None
        spans.append(span)
    return spans


def implied_codes(
    a: Analysed, cls: list[Clause], named: list[set[tuple[Category, str]]], lex: Lexicon
) -> list[Implied]:
    """What the rules imply in each clause; ``named[i]``: the codes the words of clause ``i`` gave."""
    if not lex.implies or not cls:
        return []
    views = _views(a, cls)
    out: list[Implied] = []
    for i, view in enumerate(views):
        present = {code for _, code in named[i]}
        fields = {code for kind, code in named[i] if kind == "field"}
        if not fields and i > 0:
            fields = {code for kind, code in named[i - 1] if kind == "field"}
        for rule in lex.implies:
            if rule.code in present or present & rule.unless or (rule.with_field and not fields):
                continue
            if (rule.only_fields and not fields <= rule.only_fields) or view.forms & rule.unless_forms:
                continue
            spans = _match(rule, view)
            if spans is None and rule.near and i > 0:       # "…is bulging. Should we be worried?"
                spans = _match(rule, _joined(views[i - 1], view))
                if spans is not None and not any(s >= view.start for s, _ in spans):
                    spans = None                              # all in the clause before: found there already
            if spans is None:
                continue
            word = "…".join(a.text[s:e] for s, e in sorted(spans))
            start, end = spans[-1]
            out.append(Implied(i, start, end, word, rule.kind, rule.code))
            present.add(rule.code)
    return out
