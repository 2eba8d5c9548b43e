"""The intake lexicon: ``knowledge/data/synonyms.json`` compiled for matching.

Every word of the data file becomes an ``Entry`` carrying the codes it stands
for. Japanese words are looked up two ways — as folded surface text and as a
sequence of Sudachi normalised forms (so 見てもらえ matches 見てもらう and 見廻り
matches 見回り); English words and ASCII abbreviations (AI, GIS) as whole words
with their usual endings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from knowledge.errors import ConfigError
from matching.intake._kana import kana_readings, verb_stems
from matching.intake._roles import RoleRule
from matching.intake._text import fold
from matching.tokenize import analyse

Category = Literal["field", "process", "pain", "wanted"]
CATEGORIES: tuple[Category, ...] = ("field", "process", "pain", "wanted")
_FILE_KEYS: dict[Category, str] = {"field": "fields", "process": "processes", "pain": "pains", "wanted": "wanted"}

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "synonyms.json"


@dataclass(frozen=True)
class Entry:
    """One word of the lexicon and every (category, code) it stands for (none for ignored words)."""

    word: str
    codes: tuple[tuple[Category, str], ...]


@dataclass(frozen=True)
class YieldRule:
    """``code`` (from ``words``, or from any word when empty) gives way when one of ``to`` is present in ``scope``."""

    code: str
    to: frozenset[str]
    scope: Literal["phrase", "clause", "near", "sub_issue"]   # near: this clause or the one before
    words: frozenset[str] = frozenset()

    def applies_to(self, word: str) -> bool:
        return not self.words or word in self.words


@dataclass(frozen=True)
class NeedsRule:
    """``code`` from one of ``words`` counts only with a field (or one of ``with_forms``) in the same clause.

    A rule with neither (only ``unless_forms``) keeps the code unless one of those is there (「落ちてる枝」).

    ``near``: a field in the clause just before also counts (「…歩道橋の階段。業者に見てもらったことはない」,
    "…the breakwater has moved. We'd like someone to look at it."). ``unless_forms``: words that make it
    something else (「水位を見られるように」 is monitoring, not an inspection).
    """

    code: str
    words: frozenset[str]
    with_field: bool = False
    with_forms: frozenset[str] = frozenset()
    near: bool = False
    unless_forms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cue:
    """A word of an implied-process rule, matched on folded text, on Sudachi forms, or as an English word."""

    word: str
    surface: str | None                    # folded text (Japanese, two characters or more)
    sequence: tuple[str, ...]              # Sudachi normalised forms
    pattern: re.Pattern[str] | None        # English


@dataclass(frozen=True)
class ImpliesRule:
    """A situation that implies a process no word names: one cue of every group in the same clause.

    「枝が伸びて道にはみ出とる」 → pruning, "blocked with leaves" → cleaning. ``unless``: codes already in the
    clause that make it something else (a patrol is not also an inspection); ``with_field``: an asset must
    be named in the clause or the one before. The code it gives is a guess (``Trigger.source == "weak"``).
    """

    code: str
    groups: tuple[tuple[Cue, ...], ...]
    kind: Category = "process"
    unless: frozenset[str] = frozenset()
    with_field: bool = False
    near: bool = False          # the cues may be spread over this clause and the one before
    unless_forms: frozenset[str] = frozenset()   # words in the clause that make it something else (水位: monitoring)
    only_fields: frozenset[str] = frozenset()    # the assets named must all be among these (路面, 側溝: patrolled)


@dataclass
class Lexicon:
    codes: dict[Category, list[str]]
    labels: dict[tuple[Category, str], tuple[str, str]]                  # pains, wanted: (Japanese, English)
    words_by_code: dict[tuple[Category, str], list[str]]
    surface: dict[str, Entry] = field(default_factory=dict)               # folded Japanese word → entry
    sequences: dict[tuple[str, ...], Entry] = field(default_factory=dict)  # normalised forms → entry
    english: list[tuple[re.Pattern[str], Entry]] = field(default_factory=list)
    yields: list[YieldRule] = field(default_factory=list)
    needs: list[NeedsRule] = field(default_factory=list)
    implies: list[ImpliesRule] = field(default_factory=list)
    roles: list[RoleRule] = field(default_factory=list)
    readings: dict[str, Entry] = field(default_factory=dict)               # kana reading → entry (橋 → はし)
    words_by_reading: dict[str, list[str]] = field(default_factory=dict)   # reading → words with kanji
    verb_stems: dict[str, str] = field(default_factory=dict)               # なおし → なおす (a reading above)
    situations: dict[tuple[Category, str], list[str]] = field(default_factory=dict)  # for the embedding fallback
    generic: frozenset[str] = frozenset()          # words that name no asset and no work (the fallback's gate)
    background_codes: frozenset[str] = frozenset()
    background_codes_ja: frozenset[str] = frozenset()   # background in Japanese only (works: 補修が終わっている)
    _by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] | None = None

    def sequences_by_first(self) -> dict[str, list[tuple[tuple[str, ...], Entry]]]:
        """Normalised sequences grouped by their first form, for scanning a token list."""
        if self._by_first is None:
            self._by_first = {}
            for seq, entry in self.sequences.items():
                self._by_first.setdefault(seq[0], []).append((seq, entry))
        return self._by_first

    def words(self, code: str, category: Category | None = None) -> list[str]:
        """The lexicon's words for ``code`` (all categories unless one is given), in file order."""
        out: list[str] = []
        for cat in CATEGORIES if category is None else (category,):
            for word in self.words_by_code.get((cat, code), []):
                if word not in out:
                    out.append(word)
        return out


def english_probe(word: str) -> str:
    """Letters every match of ``word``'s pattern contains (its first word, endings aside): a cheap pre-check."""
    first = fold(word).split()[0] if word.strip() else ""
    return first[: max(1, min(4, len(first) - 1))] if len(first) > 2 else first


def _english_pattern(word: str) -> re.Pattern[str]:
    w = fold(word)
    if w.endswith("e"):
        body = re.escape(w[:-1]) + r"(?:e|es|ed|ing)"
    elif w.endswith("y") and len(w) > 3 and w[-2] in "aeiou":      # survey → surveyed, surveys
        body = re.escape(w) + r"(?:s|ed|ing)?"
    elif w.endswith("y") and len(w) > 3:                            # study → studies, studied
        body = re.escape(w[:-1]) + r"(?:y|ys|ies|ied|ying)"
    else:
        body = re.escape(w) + r"(?:s|es|ed|ing)?"
    body = body.replace(r"\ ", r"[\s-]+")
    return re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])")


def _normalised_sequence(word: str) -> tuple[str, ...]:
    if " " in word:     # already written as normalised forms
        return tuple(fold(part) for part in word.split())
    return tuple(fold(t.normalized) for t in analyse(word) if t.surface.strip())


def compile_cue(word: str) -> Cue:
    if word.isascii():
        return Cue(word, None, (), _english_pattern(word))
    surface = fold(word) if " " not in word and len(word) >= 2 else None
    return Cue(word, surface, _normalised_sequence(word), None)


def _add(table: dict, key: object, entry: Entry) -> None:  # type: ignore[type-arg]
    """Two words that fold to the same key (ゴミ, ごみ) share one entry with both words' codes."""
    old = table.get(key)
    table[key] = entry if old is None else Entry(old.word, tuple(dict.fromkeys(old.codes + entry.codes)))


def build_lexicon(raw: dict) -> Lexicon:  # type: ignore[type-arg]
    codes: dict[Category, list[str]] = {}
    labels: dict[tuple[Category, str], tuple[str, str]] = {}
    words_by_code: dict[tuple[Category, str], list[str]] = {}
    merged: dict[tuple[str, str], list[tuple[Category, str]]] = {}   # (lang, word) → codes
    situations: dict[tuple[Category, str], list[str]] = {}
    for cat in CATEGORIES:
        section = raw.get(_FILE_KEYS[cat], {})
        codes[cat] = list(section)
        for code, langs in section.items():
            if "label" in langs:
                labels[(cat, code)] = (langs["label"], langs.get("label_en", langs["label"]))
            if langs.get("situations"):
                situations[(cat, code)] = list(langs["situations"])
            for lang in ("ja", "en"):
                for word in langs.get(lang, []):
                    merged.setdefault((lang, word), []).append((cat, code))
                    words_by_code.setdefault((cat, code), []).append(word)
    for lang in ("ja", "en"):
        for word in raw.get("ignore", {}).get(lang, []):
            merged.setdefault((lang, word), [])

    lex = Lexicon(codes=codes, labels=labels, words_by_code=words_by_code, situations=situations)
    for (lang, word), entry_codes in merged.items():
        entry = Entry(word, tuple(dict.fromkeys(entry_codes)))
        if lang == "en" or word.isascii():
            lex.english.append((_english_pattern(word), entry))
            continue
        if " " not in word:
            _add(lex.surface, fold(word), entry)
        sequence = _normalised_sequence(word)
        if sequence:
            _add(lex.sequences, sequence, entry)

    # Kana readings of the words written with kanji (はし → 橋); one that two different entries share is dropped.
    lex.words_by_reading = kana_readings(word for lang, word in merged if lang == "ja")
    for reading, words in lex.words_by_reading.items():
        entries = {lex.surface[fold(w)].codes: lex.surface[fold(w)] for w in words if fold(w) in lex.surface}
        if len(entries) == 1 and reading not in lex.surface:
            lex.readings[reading] = next(iter(entries.values()))
    lex.verb_stems = {
        stem: reading for stem, reading in verb_stems(w for lang, w in merged if lang == "ja").items()
        if reading in lex.readings and stem not in lex.readings
    }

    rules = raw.get("rules", {})
    for rule in rules.get("yield", []):
        lex.yields.append(
            YieldRule(
                rule["code"], frozenset(rule["to"]), rule.get("scope", "sub_issue"), frozenset(rule.get("words", []))
            )
        )
    for rule in rules.get("needs", []):
        lex.needs.append(
            NeedsRule(
                rule["code"],
                frozenset(rule["words"]),
                with_field=rule.get("with") == "field",
                with_forms=frozenset(fold(f) for f in rule.get("with_forms", [])),
                near=rule.get("scope") == "near",
                unless_forms=frozenset(fold(f) for f in rule.get("unless_forms", [])),
            )
        )
    for rule in rules.get("implies", []):
        lex.implies.append(
            ImpliesRule(
                rule["code"],
                tuple(tuple(compile_cue(w) for w in group) for group in rule["all"]),
                kind=rule.get("kind", "process"),
                unless=frozenset(rule.get("unless", [])),
                with_field=rule.get("with") == "field" or bool(rule.get("only_fields")),
                near=rule.get("scope") == "near",
                unless_forms=frozenset(fold(f) for f in rule.get("unless_forms", [])),
                only_fields=frozenset(rule.get("only_fields", [])),
            )
        )
    for rule in rules.get("roles", []):
        lex.roles.append(
            RoleRule(
                rule["code"],
                frozenset(rule["words"]),
                forms=frozenset(fold(f) for f in rule.get("forms", [])),
                negated=frozenset(fold(f) for f in rule.get("negated", [])),
                arranging=frozenset(fold(f) for f in rule.get("arranging", [])),
            )
        )
    lex.background_codes = frozenset(rules.get("background", {}).get("codes", []))
    lex.background_codes_ja = frozenset(rules.get("background", {}).get("codes_ja", []))
    generic = rules.get("fallback", {}).get("generic", {})
    lex.generic = frozenset(fold(w) for lang in ("ja", "en") for w in generic.get(lang, []))
    return lex


def load_lexicon(path: Path = SYNONYMS_FILE) -> Lexicon:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the intake lexicon {path}: {exc}. Reinstall gunmane or fix the JSON.") from exc
    return build_lexicon(raw)


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The shipped lexicon, compiled once per process."""
    return load_lexicon()
