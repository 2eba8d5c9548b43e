"""A concise title for a sub-issue (≤ 40 characters): the problem, without greeting or self-introduction.

Engineers open with 「お疲れ様です、五城目町の建設課です。」 or "Hi, I work for …";
a title keeps only the words about the problem. Sentences and clauses that
are greetings, self-introductions or filler are dropped; of what remains, the
first sentence that holds a word the intake understood is kept and trimmed of
polite endings. When it is still too long, clauses are dropped from the end
while a trigger word stays; failing that, the title is built from the codes
(「橋梁の点検（人手不足）」).
"""

from __future__ import annotations

import re

from matching.intake import Extraction, Language, clean_text, code_label

MAX_TITLE = 40

_SENTENCE = re.compile(r"(?<=[。！？!?\n])|(?<=[.](?=\s))")
_GREETING = re.compile(
    r"^(?:お疲れ様です|お疲れさまです|おつかれさまです|お世話になっております|お世話になります|いつもお世話になっております|"
    r"こんにちは|こんばんは|おはようございます|はじめまして|初めまして|突然すみません|突然失礼します|失礼します|すみません|"
    r"すいません|恐れ入ります|ご相談です|相談です|質問です|"
    r"hi|hello|hey|good (?:morning|afternoon|evening)|dear [a-z ]+|"
    r"thanks|thank you)[\s、,.!！。]*",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"^(?:えっと|えーと|あの|あのー|その|正直|実は|ちょっと|ところで|さて|なんか|ええと|well|so|um)[\s、,ー]*",
    re.IGNORECASE,
)
_SELF_INTRO = re.compile(
    r"^[^。]{0,40}?(?:市|町|村|区|県|都|府|道|課|係|室|部|役場|役所|事務所|担当|職員|者|技術職)"
    r"(?:の[^。、]{0,10}?(?:課|係|室|部|局|担当|担当者|職員|者|技術職))?"
    r"(?:です|でございます|と申します|になります|をしています|をしております|に勤めています|で働いています)"
    r"(?:が|けど|けれど)?[、。,\s]*",
)
_SELF_INTRO_EN = re.compile(
    r"^(?:i(?:'m| am) (?:an? |the )?[a-z ]*?(?:engineer|officer|staff|in charge)[^,.]*|i work (?:for|at|in) [^,.]*|"
    r"my name is [^,.]*|this is [^,.]* from [^,.]*|we are (?:from|in) [^,.]*)[,.]?\s*(?:and\s+)?",
    re.IGNORECASE,
)
_ENDINGS = re.compile(
    r"(?:んですけど|んですが|のですが|のですけど|ですが|ですけど|ますが|(?<=たい)が|けど|でして|と思いまして|と思っていまして|ので|"
    r"と思っています|と思っております|(?:て|で)?困っています|(?:て|で)?困っております|(?:て|で)?困ってます|(?:て|で)?困っている|"
    r"(?:て|で)?悩んでいます|(?<=たい)です|(?<=[^のこ])のと|(?<=件)と|(?<=[^\s、])と(?=$)|なんです|んです|のです|なあ|なぁ|かな|よね|…|\.\.\.)*[、。,.!！?？\s]*$"
)


def _parts(text: str) -> list[str]:
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    out = []
    for sentence in sentences:
        rest = sentence
        for _ in range(
            4
        ):  # 「お疲れ様です、あの、五城目町の建設課です。」: peel greeting, filler, self-introduction in turn
            before = rest
            rest = _GREETING.sub("", rest, count=1)
            rest = _FILLER.sub("", rest, count=1)
            rest = _SELF_INTRO.sub("", rest, count=1)
            rest = _SELF_INTRO_EN.sub("", rest, count=1)
            if rest == before:
                break
        rest = rest.strip(" 、,。.")
        if rest:
            out.append(rest)
    return out


def strip_greeting(text: str) -> str:
    """A sentence without its opening greeting or filler (「お疲れ様です、」「正直、」「Hi,」)."""
    rest = text.strip()
    for _ in range(3):
        before = rest
        rest = _FILLER.sub("", _GREETING.sub("", rest, count=1), count=1)
        if rest == before:
            break
    return rest


def _trim(text: str) -> str:
    return _ENDINGS.sub("", text).strip(" 、,。.") or text.strip(" 、,。.")


def _from_codes(extraction: Extraction, lang: str) -> str:
    language: Language = "en" if lang == "en" else "ja"
    fields = [code_label("field", c, language) for c in extraction.fields[:2]]
    processes = [code_label("process", c, language) for c in extraction.processes[:2]]
    pains = [code_label("pain", c, language) for c in extraction.pains[:1]]
    if lang == "en":
        head = " ".join(x for x in (", ".join(fields), ", ".join(processes).lower()) if x)
        return (head + (f" ({pains[0].lower()})" if pains else "")).strip()
    head = "・".join(fields) + ("の" if fields and processes else "") + "・".join(processes)
    return head + (f"（{pains[0]}）" if pains and head else (pains[0] if pains else ""))


def _best_window(text: str, subject: dict[str, str], words: list[str]) -> str:
    """The run of consecutive clauses, trimmed and at most ``MAX_TITLE`` long, that names the most of
    the facility and work (then of any understood word), earliest first: 「技術職員が2人しかいなくて、
    市道の橋の定期点検をどこに発注すれば…分からないので、相談したい」 → the clause about the bridge."""
    clauses = [c for c in re.split(r"(?<=[、,])", text) if c.strip()]
    best: tuple[tuple[int, int, int, int, int], str] | None = None
    for i in range(len(clauses)):
        for j in range(i + 1, len(clauses) + 1):
            candidate = _trim("".join(clauses[i:j]))
            if len(candidate) > MAX_TITLE:
                break
            named = [w for w in subject if w in candidate]
            # Both the facility and the work first, then how many of their words, then the shortest;
            # without them, the most understood words (pains, wanted help).
            others = 0 if named else sum(w in candidate for w in set(words))
            score = (len({subject[w] for w in named}), len(named), others, -len(candidate), -i)
            if best is None or score > best[0]:
                best = (score, candidate)
    if best is None or (best[0][1] == 0 and (words and best[0][2] == 0)):
        return ""
    return best[1]


def _shorten(text: str, subject: dict[str, str], words: list[str]) -> str:
    if len(text) <= MAX_TITLE:
        return text
    window = _best_window(text, subject, words)
    if window:
        return window
    if " " in text:   # English: cut at a word boundary while an understood word stays
        cut = text[: MAX_TITLE + 1].rsplit(" ", 1)[0].rstrip(" ,;:")
        cut = re.sub(r"(?:\s+(?:and|or|but|only|the|a|an|to|with|of|we|it|that|can't|cannot))+$", "", cut,
                     flags=re.IGNORECASE)
        if not words or any(w in cut for w in words):
            return cut
    return ""


def make_title(text: str, extraction: Extraction, *, lang: str = "ja") -> str:
    """The sub-issue's title: at most ``MAX_TITLE`` characters, never empty when ``text`` has words."""
    cleaned = clean_text(text if isinstance(text, str) else "")
    parts = _parts(cleaned)
    words = [t.word for t in extraction.terms if t.source == "lexicon" and t.word]
    # The sentence that names a facility or the work; else any understood word; else the first.
    subject: dict[str, str] = {t.word: t.kind for t in extraction.terms
                               if t.source == "lexicon" and t.kind in ("field", "process")}
    chosen = next((p for p in parts if any(w in p for w in subject)), "")
    chosen = chosen or next((p for p in parts if any(w in p for w in words)), parts[0] if parts else "")
    title = _shorten(_trim(chosen), subject, words) if chosen else ""
    if not title:
        title = _from_codes(extraction, lang)
    if not title:
        compact = " ".join(cleaned.split())
        title = compact if len(compact) <= MAX_TITLE else compact[: MAX_TITLE - 1] + "…"
    return title[:MAX_TITLE]
