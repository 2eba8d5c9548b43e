"""Finding the lexicon's words in a text: every occurrence, then the longest wins.

A text is tokenised once (Sudachi, split mode B). Matches come from three
places — folded surface text, runs of Sudachi normalised forms, English word
patterns — and are reconciled on character spans of the cleaned text: where two
overlap, the longer one stays (下水道 beats 水道, 町道橋 beats 町道).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from matching.intake._kana import kana_spans, typo_spans
from matching.intake._lexicon import Entry, Lexicon, english_probe
from matching.intake._text import fold
from matching.tokenize import Token, analyse


@dataclass(frozen=True)
class Analysed:
    text: str                  # cleaned text
    folded: str                # same length, folded for matching
    tokens: list[Token]
    starts: list[int]          # character offset of each token
    ends: list[int]
    norms: list[str]           # each token's Sudachi normalised form, folded


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    entry: Entry
    first_token: int           # tokens [first_token, last_token) cover the hit
    last_token: int

    @property
    def length(self) -> int:
        return self.end - self.start


def analyse_text(text: str) -> Analysed:
    tokens = analyse(text) if text.strip() else []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for tok in tokens:
        found = text.find(tok.surface, pos)
        if found < 0:           # Sudachi changed the surface; keep offsets monotonic
            found = pos
        starts.append(found)
        pos = found + len(tok.surface)
        ends.append(pos)
    return Analysed(text, fold(text), tokens, starts, ends, [fold(t.normalized) for t in tokens])


def token_range(a: Analysed, start: int, end: int) -> tuple[int, int]:
    # Offsets are monotonic, so both ends are binary searches (a scan per hit made long texts quadratic).
    first = bisect_right(a.ends, start)
    last = max(first, bisect_right(a.starts, end - 1))
    if first >= len(a.tokens):
        return first, first
    return first, max(last, first + 1)


def _surface_hits(a: Analysed, lex: Lexicon) -> list[tuple[int, int, Entry]]:
    out = []
    starts, ends = set(a.starts), set(a.ends)
    for key, entry in lex.surface.items():
        pos = a.folded.find(key)
        while pos >= 0:
            end = pos + len(key)
            # A one-character word (橋, 川, 草) must be a whole token: 草 in 草津市 is not grass.
            if len(key) > 1 or (pos in starts and end in ends):
                out.append((pos, end, entry))
            pos = a.folded.find(key, pos + 1)
    return out


def _sequence_hits(a: Analysed, lex: Lexicon) -> list[tuple[int, int, Entry]]:
    norms = a.norms
    by_first = lex.sequences_by_first()
    out = []
    for i, norm in enumerate(norms):
        for seq, entry in by_first.get(norm, ()):
            j = i + len(seq)
            if tuple(norms[i:j]) == seq:
                out.append((a.starts[i], a.ends[j - 1], entry))
    return out


def _english_hits(a: Analysed, lex: Lexicon) -> list[tuple[int, int, Entry]]:
    if not any(ch.isascii() and ch.isalnum() for ch in a.folded):
        return []
    # A word's first letters must be in the text before its pattern is run (most patterns are not: long texts).
    return [
        (m.start(), m.end(), entry)
        for pattern, entry in lex.english
        if english_probe(entry.word) in a.folded
        for m in pattern.finditer(a.folded)
    ]


def _kana_hits(a: Analysed, lex: Lexicon) -> list[tuple[int, int, Entry]]:
    """はし, てんけん, すいどうかん: kanji words written in kana."""
    return [(s, e, lex.readings[r]) for s, e, r in kana_spans(a.folded, lex.readings, lex.verb_stems)]


def _typo_hits(a: Analysed, lex: Lexicon, found: list[tuple[int, int, Entry]]) -> list[tuple[int, int, Entry]]:
    """天検 for 点検, 公円 for 公園: homophone slips in kanji no word covered."""
    covered = bytearray(len(a.text) + 1)
    for s, e, _ in found:
        covered[s:e] = b"\x01" * (e - s)
    out = []
    for s, e, word in typo_spans(a.text, covered, lex.words_by_reading):
        entry = lex.surface.get(fold(word))
        if entry is not None:
            out.append((s, e, entry))
    return out


# What the problem is about — the asset (fields) and the work (processes) — and how the user feels about it
# (pains, wanted help) are read as three separate layers.
_LAYERS: tuple[frozenset[str], ...] = (frozenset({"field"}), frozenset({"process"}), frozenset({"pain", "wanted"}))


def _restricted(entry: Entry, layer: frozenset[str]) -> Entry | None:
    codes = tuple((cat, c) for cat, c in entry.codes if cat in layer)
    if entry.codes and not codes:
        return None
    return Entry(entry.word, codes)


def find_hits(a: Analysed, lex: Lexicon) -> list[Hit]:
    """Hits in text order, non-overlapping within each of three layers.

    The asset, the work and the feeling are separate layers, so a word of one does not hide a shorter word of
    another: 「道路占用」 (front-desk work) keeps 道路 (the road), 「図面が見当たらない」 (a pain) keeps 図面 (data),
    「誰に見てもらえば」 (wanting an advisor) keeps 見てもらう (inspection). Within a layer the longest word wins
    (下水道 over 水道). Ignored words take part in every layer.
    """
    found = _surface_hits(a, lex) + _sequence_hits(a, lex) + _english_hits(a, lex) + _kana_hits(a, lex)
    found += _typo_hits(a, lex, found)
    hits: list[Hit] = []
    for layer in _LAYERS:
        candidates = [(s, e, r) for s, e, entry in found if (r := _restricted(entry, layer)) is not None]
        hits.extend(_longest_first(a, candidates))
    return sorted(hits, key=lambda h: (h.start, h.end))


def _longest_first(a: Analysed, candidates: list[tuple[int, int, Entry]]) -> list[Hit]:
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    # One flag per character: a candidate overlaps a longer one iff one of its characters is taken.
    # Words are short, so this is linear in the text (comparing against every kept span was quadratic).
    taken = bytearray(len(a.text) + 1)
    kept: dict[tuple[int, int], Entry] = {}
    for start, end, entry in candidates:
        if (start, end) in kept:        # the same span found twice (surface and normalised): merge codes
            old = kept[(start, end)]
            kept[(start, end)] = Entry(old.word, tuple(dict.fromkeys(old.codes + entry.codes)))
            continue
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept[(start, end)] = entry
    hits = []
    for (start, end), entry in sorted(kept.items()):
        first, last = token_range(a, start, end)
        hits.append(Hit(start, end, entry, first, last))
    return hits
