"""What the engine does to a user's raw text before understanding it.

Chat platforms wrap text in markup (Slack ``<@U123>``, ``<https://…|label>``,
``&amp;``; Teams HTML ``<p>…</p>``, ``<at>…</at>``). It is removed here so the
engine sees plain words, and so nothing of it is ever echoed back. Very long
messages are cut to ``MAX_CHARS`` (the user is told); before any pattern runs,
the raw text is cut to ``MAX_RAW_CHARS`` and a lone surrogate (``"\ud800"`` in a
platform's JSON: not text, and no database stores it) becomes U+FFFD, so the
rest of the message is understood and stored as usual.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 2000
MAX_RAW_CHARS = 10 * MAX_CHARS   # markup included; the patterns below run on at most this much

_SLACK_LINK = re.compile(r"<(https?://|mailto:)([^>|]*)\|([^>]*)>")
_SLACK_BARE_LINK = re.compile(r"<((?:https?://|mailto:)[^>|]*)>")
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_MENTION = re.compile(r"<[@!][A-Za-z0-9^|_-]*(\|[^>]*)?>")
_TEAMS_AT = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)   # linear: no '<' inside a mention
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u3000]+")
_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class CleanText:
    text: str
    truncated: bool = False


def clean_message(raw: str) -> CleanText:
    text = raw if isinstance(raw, str) else ""
    cut = len(text) > MAX_RAW_CHARS
    text = _SURROGATE.sub("\ufffd", text[:MAX_RAW_CHARS])
    text = _TEAMS_AT.sub(" ", text)
    text = _SLACK_LINK.sub(lambda m: m.group(3) or m.group(2), text)
    text = _SLACK_BARE_LINK.sub(lambda m: m.group(1), text)
    text = _SLACK_CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _SLACK_MENTION.sub(" ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub(" ", text)
    text = html.unescape(text)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _LINES.sub("\n", text).strip()
    truncated = cut or len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS]
    return CleanText(text, truncated)


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or symbols)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def has_kana(text: str) -> bool:
    return any("\u3041" <= ch <= "\u30ff" for ch in text)


def fold(text: str) -> str:
    """Comparison key for commands: NFKC, lower case, no spaces or closing punctuation."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"[\s。．.!！?？、,]+$", "", folded).replace(" ", "")


COMMANDS: dict[str, str] = {}
for _name, _words in {
    "help": ("ヘルプ", "help", "使い方", "つかいかた", "?", "たすけて"),
    "restart": ("やり直し", "やりなおし", "やり直す", "restart", "startover", "最初から", "はじめから", "リセット",
                "reset"),
    "cancel": ("キャンセル", "cancel", "中止", "やめる", "やめます", "終了", "quit", "stop"),
    "back": ("戻る", "もどる", "back", "ひとつ戻る", "一つ戻る", "前に戻る"),
    "consult": ("相談", "相談する", "consult", "consultation", "新しい相談"),
}.items():
    for _word in _words:
        COMMANDS[fold(_word)] = _name


def command_of(text: str) -> str | None:
    """``help``, ``restart``, ``cancel``, ``back``, ``consult`` — or ``None``."""
    key = fold(text)
    if key in COMMANDS:
        return COMMANDS[key]
    if key == "?":
        return "help"
    return None


_LOOKUP = re.compile(
    r"^(事例|先行事例|研修|視察|近隣|近隣の技術者|アドバイザー|cases?|trainings?|nearby|neighbou?rs?|advisors?)"
    r"(?:[\s:：　]+(.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_LOOKUP_KIND = {
    "事例": "case", "先行事例": "case", "case": "case", "cases": "case",
    "研修": "training", "視察": "training", "training": "training", "trainings": "training",
    "近隣": "engineer", "近隣の技術者": "engineer", "nearby": "engineer", "neighbor": "engineer",
    "neighbors": "engineer", "neighbour": "engineer", "neighbours": "engineer",
    "アドバイザー": "advisor", "advisor": "advisor", "advisors": "advisor",
}


@dataclass(frozen=True)
class Lookup:
    kind: str
    words: str


def quick_lookup(text: str) -> Lookup | None:
    """``事例 橋梁 代行`` → Lookup("case", "橋梁 代行"); ``研修`` alone → Lookup("training", "")."""
    m = _LOOKUP.match(unicodedata.normalize("NFKC", text).strip())
    if m is None:
        return None
    return Lookup(_LOOKUP_KIND[m.group(1).lower()], (m.group(2) or "").strip())


_YES = {"はい", "ok", "okay", "yes", "y", "お願いします", "おねがいします", "それで", "それでお願いします", "大丈夫",
        "大丈夫です", "いいです", "よいです", "合ってます", "あってます", "探して", "探す", "sure", "looksgood", "go"}
_GREETING = re.compile(r"^(こんにちは|こんにちわ|こんばんは|おはよう(ございます)?|はじめまして|よろしく(お願いします)?|"
                       r"hello|hi|hey|good (morning|afternoon|evening))[\s!！。.]*$", re.IGNORECASE)


def is_yes(text: str) -> bool:
    return fold(text) in _YES


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(unicodedata.normalize("NFKC", text).strip()))
