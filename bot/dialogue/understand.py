"""The intake card (課題カード) the engine builds from a first message, before asking anything.

``analyze`` finds the municipality (given, or named in the text among all
1,741 — longest name first, 「奈良県の宇陀市」「宇陀市役所」「うちの町(群馬県甘楽町)」; a
name several municipalities share, 府中市 or 伊達市, stays ambiguous unless the
text or the caller names the prefecture; prefectural staff 「奈良県の道路課です」 get
the prefecture itself) and splits the problem into sub-issues with their fields,
processes, pains and wanted help (``matching.intake``), each with a title and
the collaboration schemes that fit.

Whose municipality: only a self-reference (「五城目町の建設課です」「宇陀市役所の者」
「うちの町（甘楽町）」 "I work for Sakai city") or a plain mention of the place the
problem is in (「南相馬市の道路」) is the asker's; a municipality named as the subject
of a request or a case (「三条市の担当者を紹介して」「三条市みたいな委託」) never is.
English messages name places in romaji ("Sakai city, Osaka", "Uda", "Sakai-shi"),
read by ``bot.dialogue.romaji``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from bot.dialogue import kana_places, romaji, speech
from bot.dialogue.intents import asks_about_others
from bot.dialogue.scheme_fit import suggest
from bot.dialogue.titles import make_title
from knowledge.cards import IntakeCard, MunicipalityRef, SubIssueCard
from knowledge.municipalities import MunicipalityDirectory, Place
from matching.embedders.base import Embedder
from matching.intake import Extraction, clean_text, detect_language, extract_sub_issues

_KANJI = re.compile(r"[\u3400-\u9fff々]")
# Words right after a name that make it someone else's municipality (三条市みたいな委託).
_REFERENCE_AFTER = re.compile(
    r"^(?:さん)?(?:みたいな|みたいに|のような|のように|方式|型|の事例|の例|の取り組み|の取組|がやって|でやって"
    r"|のやり方|を参考|に倣|が先行)"
)
# Prefectural staff: 県庁, 県の道路課, 奈良県土木部, 土木事務所 …
_STAFF = re.compile(
    r"(?:[都道府県](?:庁|職員|の職員|の技術職)|[都府県]の[^\s、。,]{1,8}?(?:課|室|部|局|事務所)|(?:土木|建設)事務所|振興局|県土整備)"
)
_SHORT_PREFECTURE = re.compile(r"^(.+?)[都道府県]$")
# Right after a name: the writer says they belong there (宇陀市です, 宇陀市役所の者, 五城目町の建設課です).
_SELF_AFTER = re.compile(
    r"^(?:役場|役所|市役所|町役場|村役場|庁)?(?:の)?(?:[^\s、。,.]{0,10}?(?:課|係|室|部|局|センター|事務所|担当|職員|技術職|者))?"
    r"(?:です|でございます|と申します|になります|に勤め|で働|の者|の職員|の技術職|から(?:来|参|の相談))"
)
_SELF_BEFORE = re.compile(r"(?:うちの|私の|わたしの|当|我が|わが)(?:市|町|村|区|県)?(?:は|、|,)?\s*[（(]?\s*$")
# Right after a name: it is the subject of a request or a case (三条市の担当者を紹介して, 三条市の人と話したい).
_SUBJECT_AFTER = re.compile(
    r"^(?:さん)?(?:の|に|と|で)?(?:[^\s、。,.]{0,12}?)(?:担当者|担当の方|職員の方|方|人|さん|事例|例|取り組み|取組|やり方|"
    r"ケース)(?:の方)?(?:を|に|と|から|について|の話|は)"
    r"|^の[^\s、。,.]{0,8}?(?:みたいな|みたいに|のような|のように|方式|型の)"   # 三条市の包括委託みたいな
)
_EN_SELF_BEFORE = re.compile(r"(?:i work (?:for|at|in)|i(?:'m| am) (?:with|from|at)|we(?:'re| are) (?:from|in|at)|"
                             r"our (?:city|town|village)(?: of)?|here in|this is|from)\s+(?:the\s+)?[^.]*$",
                             re.IGNORECASE)
_EN_SUBJECT_BEFORE = re.compile(r"(?:introduce (?:me|us) to|put (?:me|us) in touch with|talk (?:to|with)|contact|"
                                r"case (?:of|in|from)|like|similar to|person (?:in charge )?(?:at|in|of))"
                                r"\s+(?:the\s+|someone (?:at|in|from)\s+)?[^.]{0,40}$", re.IGNORECASE)


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
    # 「しもだしのひと」: a name written in kana, by its reading (one kanji name for it, known to the directory)
    for k in kana_places.find(text):
        if len(k.names) == 1 and directory.candidates(k.names[0]):
            if not any(k.start < e and s < k.end for s, e in taken):
                found.append(_Mention(k.start, k.end, k.names[0], False))
    return sorted(found, key=lambda m: m.start)


def _ref(place: Place) -> MunicipalityRef:
    return MunicipalityRef(prefecture=place.prefecture, name=place.name)


def _prefectures_in(cleaned: str, directory: MunicipalityDirectory) -> list[str]:
    return [_full_prefecture(m.name, directory) for m in _mentions(cleaned, directory) if m.is_prefecture]


@dataclass(frozen=True)
class OwnPlace:
    """The asker's municipality as the text tells it: found, or candidates, and whether they said so themselves."""

    found: MunicipalityRef | None
    ambiguous: list[MunicipalityRef]
    explicit: bool   # a self-reference (「宇陀市の者です」), not a mere mention of where the problem is


def _role(cleaned: str, start: int, end: int) -> str:
    """``self``, ``subject`` or ``plain`` for the name at cleaned[start:end]."""
    after, before = cleaned[end : end + 24], cleaned[max(0, start - 40) : start]
    if _SELF_AFTER.match(after) or _SELF_BEFORE.search(before):
        return "self"
    if _REFERENCE_AFTER.match(after[:12]) or _SUBJECT_AFTER.match(after):
        return "subject"
    return "plain"


def _asking_spans(cleaned: str) -> list[tuple[int, int]]:
    """Sentences that ask about others (a question or request naming no facility of the writer's)."""
    return [(s.start, s.end) for s in speech.read_cleaned(cleaned) if asks_about_others(s)]


# In a request to be put in touch, 「宇陀市の技術職の方」「奈良県庁の担当の方」 describe the people asked for: the
# name is theirs unless the writer says it of themselves (です, と申します, に勤め …) before that person word.
_OTHERS_PERSON = re.compile(r"^[^、。,.!?！？]{0,16}?(?:の方|の人|さん|様|担当者|担当の方|の皆さん)")
_SAID_OF_SELF = re.compile(r"です|でございます|と申します|申します|に勤め|で働|の者")


def _sentence_role(role: str, start: int, others: list[tuple[int, int]], cleaned: str = "", end: int = 0) -> str:
    """A plain mention in a sentence that asks about others is that question's subject, not the asker's place;
    so is a name describing the people a request asks for (「宇陀市の技術職の方と情報交換したい」)."""
    inside = any(a <= start < b for a, b in others)
    if role == "plain" and inside:
        return "subject"
    if role == "self" and inside and cleaned:
        person = _OTHERS_PERSON.match(cleaned[end:])
        if person is not None and not _SAID_OF_SELF.search(person.group(0)):
            return "subject"
    return role


def _en_role(cleaned: str, start: int) -> str:
    before = cleaned[max(0, start - 60) : start]
    sentence = re.split(r"[.!?。]", before)[-1]
    if _EN_SUBJECT_BEFORE.search(sentence):
        return "subject"
    if _EN_SELF_BEFORE.search(sentence):
        return "self"
    return "plain"


def _resolve(candidates: list[Place], hints: list[str]) -> tuple[MunicipalityRef | None, list[MunicipalityRef]]:
    if len(candidates) == 1:
        return _ref(candidates[0]), []
    narrowed = [c for c in candidates if c.prefecture in hints]
    if len(narrowed) == 1:
        return _ref(narrowed[0]), []
    return None, [_ref(c) for c in (narrowed or candidates)]


def find_own(text: str, directory: MunicipalityDirectory, *, prefecture: str | None = None) -> OwnPlace:
    """The asker's municipality in ``text``: a self-reference first, then a plain mention; never a subject."""
    cleaned = clean_text(text)
    mentions = _mentions(cleaned, directory)
    hints = ([prefecture] if prefecture else []) + [
        _full_prefecture(m.name, directory) for m in mentions if m.is_prefecture
    ]
    # (role, order, candidates) for every municipality named, in kanji or in romaji
    named: list[tuple[str, int, list[Place]]] = []
    others = _asking_spans(cleaned)
    prefecture_at = {m.end: m.start for m in mentions if m.is_prefecture}
    for m in mentions:
        if not m.is_prefecture:
            candidates = directory.candidates(m.name)
            if candidates:
                # 「うちの町（群馬県甘楽町）」: the words before the prefecture speak for the name after it
                start = prefecture_at.get(m.start, m.start)
                role = _role(cleaned, m.start, m.end)
                if role == "plain" and start != m.start:
                    role = "self" if _role(cleaned, start, m.end) == "self" else role
                named.append((_sentence_role(role, m.start, others, cleaned, m.end), m.start, candidates))
    en_prefectures: list[tuple[str, int, str]] = []
    for r in romaji.find(cleaned):
        places = [p for pref, name in r.candidates if (p := directory.get(pref, name)) is not None]
        if r.prefecture_hint:
            hints.append(r.prefecture_hint)
        if len(r.candidates) == 1 and r.candidates[0][0] == r.candidates[0][1]:
            en_prefectures.append((_en_role(cleaned, r.start), r.start, r.candidates[0][0]))
        elif places:
            named.append((_sentence_role(_en_role(cleaned, r.start), r.start, others), r.start, places))
    for role in ("self", "plain"):
        for _, _, candidates in sorted((n for n in named if n[0] == role), key=lambda n: n[1]):
            found, ambiguous = _resolve(candidates, hints)
            return OwnPlace(found, ambiguous, role == "self")
        if role == "self":
            # 「うちの県（鳥取県）で」「うちの県、岐阜県なんだけど」: prefectural staff saying so
            for m in mentions:
                role_here = _sentence_role(_role(cleaned, m.start, m.end), m.start, others, cleaned, m.end)
                if m.is_prefecture and directory.is_prefecture(m.name) and role_here == "self":
                    place = directory.get(m.name, m.name)
                    if place is not None:
                        return OwnPlace(_ref(place), [], True)
    full_prefs = [
        m.name for m in mentions
        if m.is_prefecture and directory.is_prefecture(m.name)
        and _sentence_role(_role(cleaned, m.start, m.end), m.start, others, cleaned, m.end) != "subject"
    ]
    if full_prefs and _STAFF.search(cleaned):
        place = directory.get(full_prefs[0], full_prefs[0])
        if place is not None:
            return OwnPlace(_ref(place), [], True)
    staff_en = [p for role, _, p in en_prefectures if role == "self"]
    if staff_en and not named:
        place = directory.get(staff_en[0], staff_en[0])
        if place is not None:
            return OwnPlace(_ref(place), [], True)
    return OwnPlace(None, [], False)


def asker_place(own: OwnPlace, profile: MunicipalityRef | None) -> tuple[MunicipalityRef | None, list[MunicipalityRef]]:
    """The rule of issue 10: a self-reference wins; else the profile; only without a profile does a plain
    mention count."""
    if own.explicit or profile is None:
        if own.found is not None or own.ambiguous:
            return own.found, own.ambiguous
        return profile, []
    return profile, []


def names_a_place(text: str, directory: MunicipalityDirectory) -> bool:
    """Whether any municipality or prefecture is named (in whatever role)."""
    cleaned = clean_text(text)
    return bool(_mentions(cleaned, directory)) or bool(romaji.find(cleaned))


def find_municipality(
    text: str, directory: MunicipalityDirectory, *, prefecture: str | None = None
) -> tuple[MunicipalityRef | None, list[MunicipalityRef]]:
    """The asker's municipality named in ``text``: (the one, []) or (None, candidates) or (None, [])."""
    own = find_own(text, directory, prefecture=prefecture)
    return own.found, own.ambiguous


def _guessed(extraction: Extraction) -> list[str]:
    """Field and process codes that only the embedding (or a weak rule) supports: the dialogue asks instead."""
    sure = {(t.kind, t.code) for t in extraction.terms if t.source == "lexicon"}
    return [t.code for t in extraction.terms
            if t.kind in ("field", "process") and t.source != "lexicon" and (t.kind, t.code) not in sure]


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
    explicit = bool(municipality)
    if not municipality:
        own = find_own(text, directory, prefecture=prefecture)
        found, ambiguous, explicit = own.found, own.ambiguous, own.explicit
    lang = detect_language(text)
    subs = []
    for s in extract_sub_issues(text, embedder=embedder):
        sub = SubIssueCard(
            text=s.text,
            fields=list(s.extraction.fields),
            processes=list(s.extraction.processes),
            pains=list(s.extraction.pains),
            wanted=list(s.extraction.wanted),
            title=make_title(s.text, s.extraction, lang=lang),
            guessed=_guessed(s.extraction),
        )
        sub.schemes = suggest(sub, lang=lang)
        subs.append(sub)
    return IntakeCard(text=text, municipality=found, ambiguous=ambiguous, sub_issues=subs,
                      municipality_explicit=explicit)
