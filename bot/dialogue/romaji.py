"""Municipalities named in romaji in English messages: "Sakai city, Osaka", "Sakai-shi", "Uda", "Soni village".

The table (knowledge/data/municipality_romaji.json, built by
scripts/build_municipality_romaji.py from Japan Post's readings, checked
against the MIC code list) gives each of the 1,741 municipalities the Hepburn
romaji of its name without the suffix (堺市 → sakai, shi) and each prefecture
its romaji (大阪府 → osaka). Both sides are folded the same way — lower case,
no macrons, hyphens or apostrophes, ō/ou/oo → o, m before b/p → n — so Ōita,
Oita and Ooita, or Shinbashi and Shimbashi, meet.

A capitalised word (or two) that is a municipality's romaji counts when a
suffix follows it (city, town, village, ward, -shi, -machi, -cho, -mura, -son,
-ku) or a prefecture's name does ("Sakai, Osaka"), or when a cue says it is a
place ("in", "of", "for", "from"); a word that is also a prefecture ("Osaka",
"Nara") stands for the prefecture unless a city suffix follows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "municipality_romaji.json"
SUFFIX_TYPES = {
    "city": "shi",
    "shi": "shi",
    "town": "machi",
    "machi": "machi",
    "cho": "machi",
    "village": "mura",
    "mura": "mura",
    "son": "mura",
    "ward": "ku",
    "ku": "ku",
}
_KANJI_OF = {"shi": "市", "machi": "町", "cho": "町", "mura": "村", "son": "村", "ku": "区"}
PREFECTURE_WORDS = ("prefecture", "pref", "ken", "fu", "to", "do")
# Capitalised English words that are also romaji of a municipality (Ono, Mino, Ikeda …) only count as places with a cue.
_CUES = ("in", "of", "for", "from", "at", "near", "city", "town", "village", "the", "with", "to", "about", "like")
# Words right after a capitalised romaji word that make it a place: "Shimonoseki team", "Hita here", "Sanjo's".
_CUES_AFTER = ("here", "team", "office", "staff", "people", "officials", "government")
_WORD = re.compile(r"[A-Za-zÀ-ɏ'’]+(?:-[A-Za-z]+)?")
_STOP = {
    "i",
    "we",
    "our",
    "the",
    "a",
    "an",
    "hi",
    "hello",
    "hey",
    "my",
    "this",
    "is",
    "am",
    "are",
    "and",
    "or",
    "to",
    "road",
    "bridge",
    "bridges",
    "department",
    "can",
    "you",
    "me",
    "please",
    "thanks",
    "thank",
    "no",
    "not",
    "how",
    "what",
    "who",
    "do",
    "does",
    "in",
    "of",
    "for",
    "from",
    "at",
    "it",
    "its",
    "they",
    "there",
    "here",
}


def fold(word: str) -> str:
    text = unicodedata.normalize("NFKD", word.lower())
    text = "".join(ch for ch in text if ch.isascii() and ch.isalpha())
    text = re.sub(r"m(?=[bp])", "n", text)
    for long, short in (("ou", "o"), ("oo", "o"), ("oh", "o"), ("uu", "u")):
        text = text.replace(long, short)
    return text


@dataclass(frozen=True)
class RomajiTable:
    municipalities: dict[str, list[tuple[str, str, str]]]  # folded romaji → [(prefecture, name, suffix type)]
    prefectures: dict[str, str]  # folded romaji → prefecture

    def places(self, key: str, suffix: str | None) -> list[tuple[str, str]]:
        rows = self.municipalities.get(key, [])
        if suffix is not None:
            kind = SUFFIX_TYPES.get(suffix, suffix)
            rows = [r for r in rows if _KANJI_OF.get(r[2]) == _KANJI_OF.get(kind)]
        return [(p, n) for p, n, _ in rows]


@lru_cache(maxsize=1)
def table() -> RomajiTable:
    raw = json.loads(TABLE.read_text(encoding="utf-8"))
    municipalities: dict[str, list[tuple[str, str, str]]] = {}
    for row in raw["municipalities"]:
        municipalities.setdefault(fold(row["romaji"]), []).append((row["prefecture"], row["name"], row["suffix"]))
    prefectures = {fold(p["romaji"]): p["name"] for p in raw["prefectures"]}
    return RomajiTable(municipalities, prefectures)


@dataclass(frozen=True)
class RomajiMention:
    start: int  # character offset in the text
    end: int
    candidates: tuple[tuple[str, str], ...]  # (prefecture, name); the prefecture itself when name == prefecture
    prefecture_hint: str | None  # "Sakai, Osaka" → 大阪府


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def find(text: str) -> list[RomajiMention]:
    """Municipality and prefecture names written in romaji, in order of appearance."""
    t = table()
    tokens = _tokens(text)
    out: list[RomajiMention] = []
    i = 0
    while i < len(tokens):
        word, start, end = tokens[i]
        base, _, glued = word.partition("-")
        glued_suffix = glued.lower() if glued.lower() in SUFFIX_TYPES else None
        followed = i + 1 < len(tokens) and tokens[i + 1][0].lower() in SUFFIX_TYPES
        # Lower case counts only with a suffix right after it ("sakai city", "uda-shi").
        if (base[:1].isupper() or glued_suffix or followed) and base.lower() not in _STOP and len(fold(base)) >= 3:
            mention, used = _read(t, tokens, i, fold(base), glued_suffix, text)
            if mention is not None:
                out.append(mention)
                i += used
                continue
        i += 1
    return out


def _read(
    t: RomajiTable, tokens: list[tuple[str, int, int]], i: int, key: str, glued: str | None, text: str
) -> tuple[RomajiMention | None, int]:
    start, end = tokens[i][1], tokens[i][2]
    nxt = tokens[i + 1][0].lower() if i + 1 < len(tokens) else ""
    suffix = glued or (nxt if nxt in SUFFIX_TYPES else None)
    used = 1 + (1 if suffix and not glued else 0)
    if suffix and not glued:
        end = tokens[i + 1][2]
    # A prefecture word ("Osaka", "Osaka Prefecture", "Osaka-fu") without a city suffix is the prefecture.
    if key in t.prefectures and (suffix is None or nxt in PREFECTURE_WORDS):
        prefecture = t.prefectures[key]
        if nxt in PREFECTURE_WORDS:
            end, used = tokens[i + 1][2], 2
        return RomajiMention(start, end, ((prefecture, prefecture),), None), used
    places = t.places(key, suffix)
    if not places:
        return None, 1
    hint = _prefecture_after(t, tokens, i + used)
    before = tokens[i - 1][0].lower() if i > 0 else ""
    after = nxt.rstrip("'’s") if nxt.endswith(("'s", "’s")) else nxt
    if suffix is None and hint is None and before not in _CUES and after not in _CUES_AFTER and not (
        tokens[i][0].endswith(("'s", "’s"))
    ):
        return None, 1
    if hint is not None:
        narrowed = [p for p in places if p[0] == hint]
        places = narrowed or places
    return RomajiMention(start, end, tuple(places), hint), used


def _prefecture_after(t: RomajiTable, tokens: list[tuple[str, int, int]], j: int) -> str | None:
    """ "Sakai city, Osaka" / "Sakai city in Osaka Prefecture" / "Uda (Nara)" → the prefecture named right after."""
    for k in range(j, min(j + 3, len(tokens))):
        word = tokens[k][0]
        key = fold(word.partition("-")[0])
        if key in t.prefectures:
            return t.prefectures[key]
        if word.lower() not in ("in", "of", "prefecture", "pref"):
            return None
    return None
