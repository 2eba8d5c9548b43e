"""Context rules that decide whether a word found in a message really is the need.

- Background: an inspection that already happened (点検で見つかった, 点検の結果,
  点検した, "was inspected") is the reason for writing, not the need; one never
  done (点検したことがない, "nobody has ever checked") is the need.
- Negation: 「点検ではなく補修の話」 — the word is explicitly not the subject.
- Settled: 「草刈りは業者に出したので片付きました。困っているのは橋の点検です」 — a matter the
  message says is taken care of, before it turns to the one it is about, is not the need.
Both look only at the words right after the hit, within its sentence.
"""

from __future__ import annotations

import re

from matching.intake._matcher import Analysed, Hit

_SENTENCE_END = {"。", "！", "？", "!", "?", "\n", "."}
_RESULT_WORDS = {"結果", "調書", "記録", "データ", "履歴", "報告書", "報告", "済み", "完了", "結果報告"}
_DONE_VERBS = {"為る", "遣る", "行う", "実施", "済ませる", "終える", "終わる", "済む"}
_FINDING_VERBS = {"見付かる", "見付ける", "分かる", "判明", "指摘", "出る", "判定"}
_NEGATIVE = {"ない", "無い", "ず", "ぬ"}
_CONDITIONAL = {"たら", "だら", "たらば"}
_NEGATION_AFTER = re.compile(r"^\s*(?:では|じゃ|でも)(?:なく|無く|ない|無い)")
_EN_NEGATION = re.compile(r"(?i)\b(?:never|nobody|no one|not|no|hasn't|haven't|hadn't|isn't|wasn't|n't)\b|n't\b")


def _following(a: Analysed, hit: Hit, limit: int = 15) -> list[str]:
    out: list[str] = []
    for i in range(hit.last_token, min(len(a.tokens), hit.last_token + limit)):   # no slice of the rest
        if a.tokens[i].surface in _SENTENCE_END:
            break
        out.append(a.norms[i])
    return out


_SENTENCE_WINDOW = 300     # characters looked at either side: an unpunctuated text stays linear


def _sentence_around(a: Analysed, hit: Hit) -> str:
    lo, hi = max(0, hit.start - _SENTENCE_WINDOW), min(len(a.text), hit.end + _SENTENCE_WINDOW)
    left = max(a.text.rfind(ch, lo, hit.start) for ch in ".!?。\n")
    ends = [i for i in (a.text.find(ch, hit.end, hi) for ch in ".!?。\n") if i >= 0]
    return a.text[max(left + 1, lo) : min(ends) if ends else hi]


# An office name: the word, up to two more office-name parts (道路維持課, 公園緑地課), then 課/係/室….
_OFFICE_PART = (
    r"(?:維持|管理|整備|建設|緑地|計画|事業|保全|土木|工務|施設|交通|環境|防災|監理|都市|道路|公園|河川|上下水道|下水道|水道|"
    r"港湾|農林|林務|農政)"
)
_DEPARTMENT_AFTER = re.compile(rf"^{_OFFICE_PART}{{0,2}}(?:課(?![題金])|係(?![るりわ数])|室|局|班|部(?![分材品位屋]))")
_EN_DEPARTMENT_AFTER = re.compile(
    r"(?i)^(?:\s+(?:and\s+\w+\s+)?(?:department|dept|division|section|office|bureau|team))\b"
)


def is_department(a: Analysed, hit: Hit) -> bool:
    """「道路課」「公園緑地課」, "the road department": an office's name, not what the problem is about."""
    after = a.text[hit.end : hit.end + 12]
    if a.text[hit.start : hit.end].isascii():
        return bool(_EN_DEPARTMENT_AFTER.match(after))
    return bool(_DEPARTMENT_AFTER.match(after))


# Greetings and a relationship ("以前研修でお世話になった者です"), mail headers ("To: 相談窓口"): what they
# name is not the problem, so they give no process and no wanted help (an asset named there still counts).
GREETING = re.compile(
    r"お世話にな|ご無沙汰|御無沙汰|お疲れ様|お疲れさま|お疲れさまです|失礼します|失礼いたします|はじめまして|初めまして|"
    r"突然のご連絡|よろしくお願い|宜しくお願い|ありがとうございま|恐縮です|"
    r"(?i:\b(?:dear|hello|hi|thanks|thank you|best regards|kind regards)\b)"
)
HEADER_LINE = re.compile(r"(?im)^\s*(?:to|from|cc|bcc|宛先|差出人|送信者|送信元|宛て)\s*[:：].*$")
_PHRASE_END = "、,。.!?！？\n"


def is_greeting(a: Analysed, hit: Hit) -> bool:
    """The hit stands in a greeting phrase or a mail header line."""
    line_start = a.text.rfind("\n", max(0, hit.start - 200), hit.start) + 1
    line_end = a.text.find("\n", hit.end, hit.end + 200)
    if HEADER_LINE.match(a.text[line_start : line_end if line_end >= 0 else hit.end + 200]):
        return True
    lo = max(0, hit.start - 60)
    left = max(a.text.rfind(ch, lo, hit.start) for ch in _PHRASE_END)
    ends = [i for i in (a.text.find(ch, hit.end, hit.end + 60) for ch in _PHRASE_END) if i >= 0]
    phrase = a.text[max(left + 1, lo) : min(ends) if ends else hit.end + 60]
    return bool(GREETING.search(phrase))


def is_negated(a: Analysed, hit: Hit) -> bool:
    """「点検ではなく…」「点検じゃない」: the word is named only to be set aside."""
    return bool(_NEGATION_AFTER.match(a.text[hit.end : hit.end + 8]))


def is_background(a: Analysed, hit: Hit) -> bool:
    """The activity already happened and is only the reason for writing."""
    surface = a.folded[hit.start : hit.end]
    if surface.isascii():
        return surface.endswith("ed") and not _EN_NEGATION.search(_sentence_around(a, hit))
    after = _following(a, hit)
    if not after:
        return False
    if after[0] == "た" and a.tokens[hit.last_token].surface not in _CONDITIONAL:   # 直した(のか), not 直したら
        return a.tokens[hit.last_token - 1].pos == "動詞"
    j = 0
    while j < len(after) and after[j] == "の":
        j += 1
    if j < len(after) and after[j] in _RESULT_WORDS:           # 点検の結果 / 点検調書 / 点検済み
        return True
    k = 0
    while k < len(after) and after[k] in {"は", "を", "も", "が"}:
        k += 1
    if k < len(after) and after[k] in _DONE_VERBS:
        rest = after[k + 1 : k + 7]
        if after[k] == "実施" and rest[:1] == ["為る"]:
            rest = rest[1:]
        if rest[:1] and rest[0] in _NEGATIVE:                 # 点検が終わらない: still the need
            return False
        never_done = "こと" in rest and any(n in rest for n in _NEGATIVE | {"無い"})
        if "た" in rest[:3] and not never_done:               # 点検した / 点検はやりました
            return True
        if after[k] in {"終える", "終わる", "済ませる", "済む"} and not never_done:
            return True
    if after[0] in {"で", "では"}:                              # 点検で…が見つかった
        for i, norm in enumerate(after[1:], start=1):
            if norm in _FINDING_VERBS:
                nxt = after[i + 1 : i + 3]
                return not any(n in _NEGATIVE for n in nxt)
    return False


# A matter said to be taken care of (片付いた, 話がついた, 済んでいるので大丈夫), in a message that then turns to
# the one it is about (それより, 困っているのは…): what that sentence names is not the need.
SETTLED = re.compile(
    r"片付きました|片付いた|片付いて|落ち着いた|落ち着きました|話がつ(?:いた|きました)|解決(?:した|しました|済み)|"
    r"済んでいるので|済んだので|目処が(?:つ|立)|めどが(?:つ|立)|(?:ので|から)大丈夫で|(?:ので|から)問題(?:ない|ありません)"
)
_NEXT_MATTER = re.compile(
    r"それより|今困って|いま困って|困っているのは|困ってるのは|悩んでいるのは|悩んでるのは|いま悩んで|今悩んで|"
    r"本題は|相談したいのは|気になっているのは|心配なのは"
)


def is_settled(a: Analysed, hit: Hit) -> bool:
    """The hit's sentence says its matter is taken care of, and a later sentence turns to another one."""
    sentence = _sentence_around(a, hit)
    if not SETTLED.search(sentence):
        return False
    end = a.text.find(sentence, max(0, hit.start - _SENTENCE_WINDOW)) + len(sentence)
    return bool(_NEXT_MATTER.search(a.text, end, end + _SENTENCE_WINDOW))
