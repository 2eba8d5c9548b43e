"""The intake card (課題カード) the engine builds from a first message, before asking anything.

``analyze`` finds the municipality (given, or named in the text among all
1,741 — longest name first, 「奈良県の宇陀市」「宇陀市役所」「うちの町(群馬県甘楽町)」; a
name several municipalities share, 府中市 or 伊達市, stays ambiguous unless the
text or the caller names the prefecture; prefectural staff 「奈良県の道路課です」 get
the prefecture itself) and splits the problem into sub-issues with their fields,
processes, pains and wanted help (``matching.intake``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from knowledge.cards import IntakeCard, MunicipalityRef, SubIssueCard
from knowledge.municipalities import MunicipalityDirectory, Place
from matching.embedders.base import Embedder
from matching.intake import clean_text, extract_sub_issues

_KANJI = re.compile(r"[\u3400-\u9fff々]")
# Words right after a name that make it someone else's municipality (三条市みたいな委託).
_REFERENCE_AFTER = re.compile(r"^(?:さん)?(?:みたいな|みたいに|のような|のように|方式|型|の事例|の例|の取り組み|の取組|がやって|でやって|のやり方|を参考|に倣|が先行)")
# Prefectural staff: 県庁, 県の道路課, 奈良県土木部, 土木事務所 …
_STAFF = re.compile(
    r"(?:[都道府県](?:庁|職員|の職員|の技術職)|[都府県]の[^\s、。,]{1,8}?(?:課|室|部|局|事務所)|(?:土木|建設)事務所|振興局|県土整備)"
)
_SHORT_PREFECTURE = re.compile(r"^(.+?)[都道府県]$")


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str
    is_prefecture: bool


_names_cache: WeakKeyDictionary[MunicipalityDirectory, list[tuple[str, bool]]] = WeakKeyDictionary()


def _names(directory: MunicipalityDirectory) -> list[tuple[str, bool]]:
    """Every municipality and prefecture name (and short prefecture names: 奈良, 群馬), longest first."""
    cached = _names_cache.get(directory)
    if cached is None:
        names = {n: False for n in directory.names()}
        for pref in directory.prefectures:
            names[pref] = True
            short = _SHORT_PREFECTURE.match(pref)
            if short and len(short.group(1)) >= 2 and short.group(1) not in names:
                names[short.group(1)] = True
        cached = sorted(names.items(), key=lambda item: -len(item[0]))
        _names_cache[directory] = cached
    return cached


def _full_prefecture(name: str, directory: MunicipalityDirectory) -> str:
    if directory.is_prefecture(name):
        return name
    return next((p for p in directory.prefectures if p[:-1] == name or p == name + "県"), name)


def _mentions(text: str, directory: MunicipalityDirectory) -> list[_Mention]:
    taken: list[tuple[int, int]] = []
    found: list[_Mention] = []
    prefectures = set(directory.prefectures)
    for name, is_pref in _names(directory):
        pos = text.find(name)
        while pos >= 0:
            end = pos + len(name)
            free = not any(pos < e and s < end for s, e in taken)
            # A short name glued to other kanji is part of another word (関市 in 下関市 is handled by
            # length; 北区 in 東北区域 is not a ward) unless a prefecture or 郡 comes right before.
            glued = (
                not is_pref
                and len(name) <= 2
                and pos > 0
                and _KANJI.match(text[pos - 1])
                and not text[:pos].endswith("郡")
                and not any(text[:pos].endswith(p) for p in prefectures)
            )
            if free and not glued:
                taken.append((pos, end))
                found.append(_Mention(pos, end, name, is_pref))
            pos = text.find(name, pos + 1)
    return sorted(found, key=lambda m: m.start)


def _ref(place: Place) -> MunicipalityRef:
    return MunicipalityRef(prefecture=place.prefecture, name=place.name)


def _prefectures_in(cleaned: str, directory: MunicipalityDirectory) -> list[str]:
    return [_full_prefecture(m.name, directory) for m in _mentions(cleaned, directory) if m.is_prefecture]


def find_municipality(
    text: str, directory: MunicipalityDirectory, *, prefecture: str | None = None
) -> tuple[MunicipalityRef | None, list[MunicipalityRef]]:
    """The asker's municipality named in ``text``: (the one, []) or (None, candidates) or (None, [])."""
    cleaned = clean_text(text)
    mentions = _mentions(cleaned, directory)
    hints = ([prefecture] if prefecture else []) + [
        _full_prefecture(m.name, directory) for m in mentions if m.is_prefecture
    ]
    places = [
        m for m in mentions
        if not m.is_prefecture and not _REFERENCE_AFTER.match(cleaned[m.end : m.end + 12])
    ]
    for mention in places:
        candidates = directory.candidates(mention.name)
        if not candidates:
            continue
        if len(candidates) == 1:
            return _ref(candidates[0]), []
        narrowed = [c for c in candidates if c.prefecture in hints]
        if len(narrowed) == 1:
            return _ref(narrowed[0]), []
        return None, [_ref(c) for c in (narrowed or candidates)]
    full_prefs = [m.name for m in mentions if m.is_prefecture and directory.is_prefecture(m.name)]
    if full_prefs and _STAFF.search(cleaned):
        place = directory.get(full_prefs[0], full_prefs[0])
        if place is not None:
            return _ref(place), []
    return None, []


def analyze(
    text: str,
    *,
    directory: MunicipalityDirectory,
    embedder: Embedder | None = None,
    prefecture: str | None = None,
    municipality: str | None = None,
) -> IntakeCard:
    """The intake card for a first message.

    ``prefecture``/``municipality`` (e.g. from the user's profile) take precedence
    over the text; an unknown pair raises ``NotFound`` naming the closest names.
    A municipality name alone that several prefectures share gives ``ambiguous``.
    """
    text = text if isinstance(text, str) else ""
    found: MunicipalityRef | None = None
    ambiguous: list[MunicipalityRef] = []
    if municipality:
        if prefecture:
            found = _ref(directory.resolve(prefecture, municipality))
        else:
            candidates = directory.candidates(municipality)
            if len(candidates) == 1:
                found = _ref(candidates[0])
            elif len(candidates) > 1:
                hinted = set(_prefectures_in(clean_text(text), directory))
                narrowed = [c for c in candidates if c.prefecture in hinted]
                if len(narrowed) == 1:
                    found = _ref(narrowed[0])
                else:
                    ambiguous = [_ref(c) for c in candidates]
            else:
                found = _ref(directory.resolve(None, municipality))   # raises NotFound with close names
    else:
        found, ambiguous = find_municipality(text, directory, prefecture=prefecture)

    subs = [
        SubIssueCard(
            text=s.text,
            fields=list(s.extraction.fields),
            processes=list(s.extraction.processes),
            pains=list(s.extraction.pains),
            wanted=list(s.extraction.wanted),
        )
        for s in extract_sub_issues(text, embedder=embedder)
    ]
    return IntakeCard(text=text, municipality=found, ambiguous=ambiguous, sub_issues=subs)
