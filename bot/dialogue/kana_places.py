"""Municipality names written in kana (しもだしのひと, うだしの者です): found by the names' readings.

The readings are those of knowledge/data/municipality_romaji.json (Japan Post's data, checked against
MIC's codes; see docs/counselling.md). A reading counts only when it is long enough to be told apart from
ordinary words (at least four kana, the suffix し/まち/ちょう/むら/そん included), stands at the start of
the text or after a particle or a non-kana character, and is followed by a particle, punctuation or the end.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "municipality_romaji.json"
MIN_KANA = 4
_SUFFIXES = ("シ", "マチ", "チョウ", "ムラ", "ソン", "ク")
_BEFORE = set("のはにとでもがをへや、。，．！？!? 　")
_AFTER = set("のにでがはとをもさへや、。，．！？!? 　")
_KANA_RUN = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]{4,}")


@dataclass(frozen=True)
class KanaMention:
    start: int
    end: int
    names: tuple[str, ...]    # the kanji names with that reading (one name may be in several prefectures)


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@lru_cache(maxsize=1)
def _readings() -> dict[str, tuple[str, ...]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for m in raw["municipalities"]:
        kana = m["kana"]
        if len(kana) >= MIN_KANA and kana.endswith(_SUFFIXES) and m["name"] not in out.get(kana, []):
            out.setdefault(kana, []).append(m["name"])
    return {k: tuple(v) for k, v in out.items()}


def find(text: str) -> list[KanaMention]:
    """Municipality names written in kana in ``text``, longest first where they overlap, in order."""
    readings = _readings()
    found: list[KanaMention] = []
    taken: list[tuple[int, int]] = []
    for run in _KANA_RUN.finditer(text):
        kata = _katakana(run.group(0))
        for size in range(min(len(kata), 10), MIN_KANA - 1, -1):
            for i in range(len(kata) - size + 1):
                names = readings.get(kata[i : i + size])
                if names is None:
                    continue
                start, end = run.start() + i, run.start() + i + size
                if any(start < e and s < end for s, e in taken):
                    continue
                before = text[start - 1] if start > 0 else " "
                after = text[end] if end < len(text) else " "
                if before in _BEFORE or not _KANA_RUN.match(before * 4):
                    if after in _AFTER:
                        taken.append((start, end))
                        found.append(KanaMention(start, end, names))
    return sorted(found, key=lambda m: m.start)


def restore(text: str) -> str:
    """``text`` with each municipality written in kana replaced by its kanji name (when it has only one), so
    that the morphological analysis reads 「しもだしのひと」 as 下田市 + の + 人."""
    out, last = [], 0
    for m in find(text):
        if len(m.names) == 1:
            out += [text[last : m.start], m.names[0]]
            last = m.end
    return "".join(out) + text[last:] if out else text
