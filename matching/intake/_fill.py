"""Filling a sub-issue's missing asset or process by meaning (the embedding fallback).

Only where the words found nothing: a field when the sub-issue names no asset, a
process when it names an asset but no work (「とりあえず誰かと話したい」 gets neither:
no asset, so no work to guess). Each clause is compared on its own — a long
message's greeting or self-introduction does not blur the sentence that carries
the problem — and every clause of the message is embedded in one batch.
"""

from __future__ import annotations

import re

import numpy as np

from matching.embedders.base import Embedder
from matching.intake._extract import Extraction, SubIssue, Trigger
from matching.intake._fallback import FallbackSettings, decide, embed_queries, score_queries
from matching.intake._lexicon import Category, Lexicon, get_lexicon
from matching.intake._matcher import analyse_text, find_hits
from matching.intake._rules import GREETING, HEADER_LINE, SETTLED
from matching.intake._split import clauses

# Beyond this many characters a sub-issue is not compared by meaning: a long text names its subject in words.
FALLBACK_MAX_CHARS = 1_000
_MIN_CLAUSE = 4
# Close but not sure enough to count: up to three codes the dialogue offers first when it asks.
MAX_CANDIDATES = 3
CANDIDATE_MIN_Z = 1.0
CANDIDATE_MIN_MARGIN = 0.0
_PHRASES = re.compile(r"[^、,。！？!?\n]+")


def _content_of(clause: str) -> str:
    """The clause without its greeting phrases and mail headers."""
    if HEADER_LINE.match(clause):
        return ""
    kept = [p for p in _PHRASES.findall(clause) if not GREETING.search(p)]
    return "、".join(p.strip() for p in kept if p.strip())


_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}


def has_unexplained_word(clause: str, lex: Lexicon) -> bool:
    """A common noun, verb or adjective no lexicon word covers and that is not generic (シーソー, 板, 割れる).

    The fallback guesses what the words did not say; a clause whose words are all explained — pains,
    wanted help, generic words (「予算もなくて、近くの自治体の事例も知りたい」) — has nothing left to guess from.
    """
    a = analyse_text(clause)
    covered = bytearray(len(clause) + 1)
    for hit in find_hits(a, lex):
        covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
    for tok, norm, start, end in zip(a.tokens, a.norms, a.starts, a.ends, strict=True):
        if tok.pos not in _CONTENT_POS or tok.pos2 in {"固有名詞", "数詞", "非自立可能"} or any(covered[start:end]):
            continue
        word = tok.surface.lower()
        if word.isascii() and (len(word) < 3 or not word.isalpha()):
            continue
        if not {word, norm, word.removesuffix("s")} & lex.generic:      # towns → town
            return True
    return False


def _clause_texts(text: str, lex: Lexicon | None = None) -> list[str]:
    lex = lex or get_lexicon()
    out = []
    for c in clauses(text):
        content = _content_of(text[c.start : c.end])
        if len(content) >= _MIN_CLAUSE and content not in out and has_unexplained_word(content, lex):
            out.append(content)
    return [t for t in out if not SETTLED.search(t)]    # 「除雪の契約は済んでいるので大丈夫です」 is not the need


def _fill(
    subs: list[SubIssue], kind: Category, embedder: Embedder, settings: FallbackSettings, lex: Lexicon,
    vectors: dict[str, np.ndarray],
) -> list[SubIssue]:
    def wanted(e: Extraction) -> bool:
        return not e.fields if kind == "field" else bool(e.fields) and not e.processes

    todo = {i: _clause_texts(s.text, lex) for i, s in enumerate(subs)
            if wanted(s.extraction) and s.text.strip() and len(s.text) <= FALLBACK_MAX_CHARS}
    new = [t for texts in todo.values() for t in texts if t not in vectors]
    if new:
        for text, vec in zip(new, embed_queries(new, embedder), strict=True):
            vectors[text] = vec
    if not any(todo.values()):
        return subs
    min_z, min_margin = settings.thresholds(kind)
    out = list(subs)
    for i, texts in todo.items():
        if not texts:
            continue
        codes, scores = score_queries(np.stack([vectors[t] for t in texts]), kind, embedder, lex)
        found = [f for f in (decide(codes, row, min_z, min_margin) for row in scores) if f is not None]
        if not found:
            out[i] = _with_candidates(subs[i], kind, codes, scores)
            continue
        code, score, _ = max(found, key=lambda f: f[1])
        e = subs[i].extraction
        fields = [*e.fields, code] if kind == "field" else list(e.fields)
        processes = [*e.processes, code] if kind == "process" else list(e.processes)
        terms = [*e.terms, Trigger(kind, code, f"(意味の近さ +{score:.3f})", "embedding")]
        out[i] = SubIssue(subs[i].text, Extraction(fields, processes, list(e.pains), list(e.wanted), terms))
    return out


def _with_candidates(sub: SubIssue, kind: Category, codes: list[str], scores: np.ndarray) -> SubIssue:
    """No code stood out: the closest few are kept as ``candidate`` triggers (not codes) for the dialogue to offer."""
    best = scores.max(axis=0)
    spread = float(best.std())
    if spread <= 1e-9:
        return sub
    z = (best - float(best.mean())) / spread
    order = [int(j) for j in np.argsort(-best) if best[j] >= CANDIDATE_MIN_MARGIN and z[j] >= CANDIDATE_MIN_Z]
    if not order:
        return sub
    e = sub.extraction
    terms = [*e.terms, *(Trigger(kind, codes[j], f"(意味の近さ 候補 +{float(best[j]):.3f})", "candidate")
                         for j in order[:MAX_CANDIDATES])]
    return SubIssue(sub.text, Extraction(list(e.fields), list(e.processes), list(e.pains), list(e.wanted), terms))


def fill_by_meaning(
    subs: list[SubIssue], embedder: Embedder, settings: FallbackSettings | None = None, lex: Lexicon | None = None
) -> list[SubIssue]:
    """The sub-issues with a field, then a process, guessed by meaning where the words named none."""
    settings, lex = settings or FallbackSettings(), lex or get_lexicon()
    vectors: dict[str, np.ndarray] = {}
    subs = _fill(subs, "field", embedder, settings, lex, vectors)
    return _fill(subs, "process", embedder, settings, lex, vectors)
