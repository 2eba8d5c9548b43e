"""Words written in kana (はし, てんけん, すいどうかん) and homophone slips of the IME (天検, 公円, 委宅).

Every lexicon word written with kanji also has a kana reading (Sudachi's reading form, folded to
hiragana): 橋 → はし, 点検 → てんけん. Two ways a message meets those readings:

- **Kana.** In a run of kana, a reading matches where a word can start (the start of the run or
  right after a particle) and end (the end of the run or before a particle): 「はしの てんけん」
  is 橋 + 点検, while あなた does not hold 穴 and かわいい does not hold 川.
- **Homophones.** A typing slip keeps the reading and changes a kanji: 天検 for 点検, 公円 for 公園.
  A stretch of kanji that no word covered, that Sudachi does not know as one word (天検 is 天+検;
  専用 is a word and is not 占用), as long as a lexicon word, with the same reading and at least
  one kanji in the same place, is read as that word.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache

from sudachipy import dictionary, tokenizer  # type: ignore[import-untyped, unused-ignore]

from matching.intake._text import fold

_local = threading.local()
_PARTICLES = set("のがをにはもでとやへかねよ")
# Particles that open a run after a word: not か/ね/よ, which end sentences and begin words (一週間|かかる).
_OPENERS = set("のがをにはもでとやへ")
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30fc]+")
_IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]+")
_HAS_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]")
_ONLY_KANA = re.compile(r"^[\u3041-\u3096\u30fc]+$")
MIN_READING = 2
MAX_TYPO_WORD = 4


def _tokenizer() -> tokenizer.Tokenizer:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:     # Sudachi tokenizers are not thread-safe: one per thread
        tok = dictionary.Dictionary().tokenizer()
        _local.tokenizer = tok
    return tok


@lru_cache(maxsize=65_536)
def reading_of(text: str) -> tuple[str, int]:
    """(folded hiragana reading, number of Sudachi tokens); ``("", 0)`` when a part has no kana reading."""
    morphemes = _tokenizer().tokenize(text, tokenizer.Tokenizer.SplitMode.B)
    parts = [fold(m.reading_form()) for m in morphemes]
    if not parts or not all(_ONLY_KANA.match(p) for p in parts):
        return "", 0
    return "".join(parts), len(parts)


def _composed_reading(word: str, known: set[str]) -> str:
    """The reading of ``word`` as a known lexicon word followed by the rest (水道管 = 水道 + 管: すいどうかん).

    Sudachi reads some compounds wrongly (水道管 as 水 + 道管, みずどうかん); a compound of a lexicon word
    reads as that word does.
    """
    for cut in range(len(word) - 1, 1, -1):
        head = word[:cut]
        if head in known:
            first, _ = reading_of(head)
            rest, _ = reading_of(word[cut:])
            return first + rest if first and rest else ""
    return ""


def kana_readings(words: Iterable[str]) -> dict[str, list[str]]:
    """Reading → the lexicon words (with kanji) that read so (Sudachi's reading, and the composed one)."""
    words = [w for w in words if " " not in w and not w.isascii() and _HAS_KANJI.search(w)]
    known = set(words)
    out: dict[str, list[str]] = {}
    for word in words:
        for reading in dict.fromkeys((reading_of(word)[0], _composed_reading(word, known))):
            if len(reading) >= MIN_READING and word not in out.get(reading, []):
                out.setdefault(reading, []).append(word)
    return out


# Godan verbs: the last kana of the dictionary form → its a-, i-, e-, o-row kana and the sound change before
# て/た (直す → なおさ, なおし, なおせ, なおそ; 取り除く → とりのぞい). Ichidan verbs drop る (取り替える → とりかえ).
_GODAN = {
    "う": "わいえおっ", "く": "かきけこい", "ぐ": "がぎげごい", "す": "さしせそし", "つ": "たちてとっ",
    "ぬ": "なにねのん", "ぶ": "ばびべぼん", "む": "まみめもん", "る": "らりれろっ",
}
# What may follow a verb stem written in kana: want, polite, te/ta, negation, potential, conditional, volition.
_VERB_ENDINGS = (
    "たい", "たく", "たか", "たけ", "ます", "まし", "ませ", "て", "で", "た", "だ", "ない", "なく", "なか", "なき",
    "なけ", "なさ", "ず", "ん", "る", "れ", "ば", "う", "よう", "そう", "ちゃ", "じゃ",
)
MIN_STEM = 3


def verb_stems(words: Iterable[str]) -> dict[str, str]:
    """Stem of every conjugated form → the verb's dictionary reading, for the lexicon's one-word verbs.

    In kana, 「なおしたい」「なおせる」「とりかえたい」 are 直す and 取り替える (Sudachi, reading kana,
    splits なお|し|たい as 猶 + する); a stem counts only when one of ``_VERB_ENDINGS`` follows it (``kana_spans``).
    """
    out: dict[str, str] = {}
    for word in words:
        if " " in word or word.isascii() or not _HAS_KANJI.search(word):
            continue
        morphemes = _tokenizer().tokenize(word, tokenizer.Tokenizer.SplitMode.B)
        if len(morphemes) != 1 or morphemes[0].part_of_speech()[0] != "動詞":
            continue
        reading = fold(morphemes[0].reading_form())
        kind = morphemes[0].part_of_speech()[4]
        if not _ONLY_KANA.match(reading):
            continue
        stems: list[str] = []
        if kind.startswith("五段") and reading[-1] in _GODAN:
            stems = [reading[:-1] + k for k in _GODAN[reading[-1]]]
        elif kind.startswith(("上一段", "下一段")) and reading.endswith("る"):
            stems = [reading[:-1]]
        for stem in stems:
            if len(stem) >= MIN_STEM:
                out.setdefault(stem, reading)
    return out


def _verb_at(folded: str, start: int, hi: int, stems: Mapping[str, str], longest: int) -> tuple[int, str] | None:
    """(end, dictionary reading) of a conjugated verb starting at ``start`` and followed by an ending."""
    for end in range(min(hi, start + longest), start + MIN_STEM - 1, -1):
        reading = stems.get(folded[start:end])
        if reading is not None and folded.startswith(_VERB_ENDINGS, end) and end < hi:
            return end, reading
    return None


def _reading_at(folded: str, start: int, hi: int, readings: Mapping[str, object], longest: int) -> int | None:
    """The end of the longest reading starting at ``start`` that ends the run or stops before a particle."""
    for end in range(min(hi, start + longest), start + MIN_READING - 1, -1):
        if (end == hi or folded[end] in _PARTICLES) and folded[start:end] in readings:
            return end
    return None


def kana_spans(
    folded: str, readings: Mapping[str, object], stems: Mapping[str, str] | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, reading) for the readings in the kana runs of ``folded``, where a word may start and end.

    A word starts a run that does not follow a kanji (kana after a kanji is its ending: 分かる holds no 刈る),
    or right after the particle that opens a run (町道の|はし), or after the particle that follows a word just
    read (どうろの|あな); never in the middle of running grammar (なのかどうか holds no 河道). A verb of
    ``stems`` (``verb_stems``) may also stand conjugated where a word starts (はやく|なおしたい: 直す).
    """
    if not readings:
        return []
    longest = max(len(r) for r in readings)
    stems = stems or {}
    longest_stem = max((len(st) for st in stems), default=0)
    out = []
    for run in _KANA_RUN.finditer(folded):
        lo, hi = run.start(), run.end()
        after_kanji = lo > 0 and bool(_HAS_KANJI.match(folded[lo - 1]))
        start: int | None = None
        if not after_kanji:
            start = lo
        elif folded[lo] in _OPENERS and lo + 1 < hi:
            start = lo + 1
        while start is not None and start < hi:
            end = _reading_at(folded, start, hi, readings, longest)
            if end is None:
                verb = _verb_at(folded, start, hi, stems, longest_stem) if stems else None
                if verb is not None:
                    out.append((start, verb[0], verb[1]))
                break
            out.append((start, end, folded[start:end]))
            start = end + 1 if end < hi and folded[end] in _PARTICLES else None
    return out


def typo_spans(text: str, covered: bytearray, by_reading: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """(start, end, lexicon word) for homophone slips in the uncovered kanji of ``text``."""
    shapes: dict[tuple[int, int, str], None] = {}    # (length, position, kanji) of every kanji word
    for words in by_reading.values():
        for w in words:
            if 2 <= len(w) <= MAX_TYPO_WORD and not _ONLY_KANA.match(w) and _IDEOGRAPHS.fullmatch(w):
                for i, ch in enumerate(w):
                    shapes[(len(w), i, ch)] = None
    out = []
    for run in _IDEOGRAPHS.finditer(text):
        free = [p for p in range(run.start(), run.end()) if not covered[p]]
        for start in free:
            for length in range(MAX_TYPO_WORD, 1, -1):
                end = start + length
                if end > run.end() or any(covered[start:end]):
                    continue
                piece = text[start:end]
                if not any((length, i, ch) in shapes for i, ch in enumerate(piece)):
                    continue
                reading, tokens = reading_of(piece)
                if tokens < 2:         # one known word (専用, 公演) is not a slip
                    continue
                word = next(
                    (w for w in by_reading.get(reading, []) if len(w) == length and w != piece
                     and any(a == b for a, b in zip(w, piece, strict=True))),
                    None,
                )
                if word is not None:
                    out.append((start, end, word))
                    break
    return out
