"""Where a message's problems start and end: sentences, clauses, phrases.

A *clause* ends at a sentence end, at an enumeration (「…のと、…のと」「…件と、」),
before a marker that introduces another matter (あと、それと、一方で、also …), or
at 「と、」/「, and」. A *phrase* is smaller: a clause cut at 、 and at the
particles と/や, the scope in which the most specific asset wins. Whether a clause
starts a new sub-issue is decided later, from what it is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[。！？!?]+|\n+|(?<=[A-Za-z0-9)])[.:;](?=\s|$)")
# A marker that introduces another matter, at the start of a sentence or after a comma.
_STRONG_JA = re.compile(
    r"(?:(?<=^)|(?<=[、。,\s！？!?]))"
    r"(?:あとは|あと|それと|それから|また|もう一つ|もうひとつ|一方で|一方|他にも|ほかにも|ほかに|他に|別件で|別件|加えて|"
    r"さらに|ついでに|それに|次に|二つ目|ふたつ目|2つ目|三つ目|3つ目)"
    r"(?=[、,\s]|[^\d\u3041-\u309f])"
)
_STRONG_EN = re.compile(
    r"(?i)(?:(?<=^)|(?<=[,.;:\s]))(?:also|another(?: issue| problem| thing)?|additionally|secondly|besides|"
    r"in addition|separately|and also)\b"
)
_ENUM_AND = re.compile(r"(?:の|件|こと|話|問題)と[、,]")       # 「…のと、」 closes one item of a list of problems
_WEAK = re.compile(r"(?<![のと])と[、,]|,\s*and\s|;\s")
_BULLET = re.compile(r"(?m)^\s*(?:[・•\-*]|\(?\d{1,2}[).、]|[①-⑳])\s*")
_FACET = re.compile(r"(?:現状|課題|背景|希望|目的|要望|問題|状況|経緯|詳細|内容|備考|要旨|補足|理由)\s*[:：]")
# 「橋も道も川も」 lists assets as 「橋と道と川」 does: も between two words cuts the phrase too.
_PHRASE_CUT = re.compile(
    r"[、,/・]|(?<=[\u3041-\u9fff])[とや](?=[\u3041-\u9fff])|(?<=[\u3400-\u9fff\u30a1-\u30fa])も(?=[\u3400-\u9fff\u30a1-\u30fa])"
    r"|\sand\s|\sor\s"
)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    new_matter: bool          # begins with あと / それと / also … or an enumeration item


def clauses(text: str) -> list[Clause]:
    """The clauses of ``text`` in order, covering it from start to end."""
    cuts: dict[int, bool] = {0: False}
    for m in _SENTENCE_END.finditer(text):
        cuts.setdefault(m.end(), False)
    strong_ends = set()
    for m in _STRONG_JA.finditer(text):
        cuts[m.start()] = True
        strong_ends.add(m.end())
    for m in _STRONG_EN.finditer(text):
        cuts[m.start()] = True
    for m in _BULLET.finditer(text):
        # 「・現状：…」「・課題：…」 are facets of one problem, not a list of problems.
        cuts[m.start()] = not _FACET.match(text, m.end())
    for m in _ENUM_AND.finditer(text):
        cuts[m.end()] = True
    for m in _WEAK.finditer(text):
        if m.start() + 1 not in strong_ends:   # the と of 「それと、」 belongs to the marker
            cuts.setdefault(m.end(), False)
    positions = sorted(p for p in cuts if p < len(text))
    out = []
    for i, start in enumerate(positions):
        end = positions[i + 1] if i + 1 < len(positions) else len(text)
        if text[start:end].strip():
            out.append(Clause(start, end, cuts[start]))
    return out


def phrase_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets inside [start, end) where a new phrase begins."""
    return [start + m.start() for m in _PHRASE_CUT.finditer(text[start:end])]
