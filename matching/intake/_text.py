"""Cleaning chat text before reading it, and telling Japanese from English.

Chat platforms wrap text in markup (Slack ``<@U123>``, ``<!channel>``,
``<https://…|label>``; Teams and mail HTML); none of it is part of the problem,
so it goes before anything is matched.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Literal

Language = Literal["ja", "en"]

_SLACK_LINK = re.compile(r"<(?:https?|mailto):[^>|]*\|([^>]*)>")          # <url|label> → label
_SLACK_BARE = re.compile(r"<(?:[@#!][^>]*|(?:https?|mailto):[^>]*)>")      # <@U1>, <!here>, <#C1|x>, <url>
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]{2,40}:")
_SPACES = re.compile(r"[ \t\u3000]+")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")
_JA_CHAR = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def clean_text(text: str) -> str:
    """The words of a chat message: markup, HTML, emoji codes and control characters removed, NFKC applied."""
    if not text:
        return ""
    text = _SLACK_LINK.sub(r"\1", text)
    text = _SLACK_BARE.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = html.unescape(text)
    text = _EMOJI_CODE.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n":
            kept.append(ch)
        elif category.startswith("C") or category == "So" or ch in "\ufe0e\ufe0f":
            kept.append(" ")        # control characters, emoji, pictographs, variation selectors
        else:
            kept.append(ch)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n"))
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Same length as ``text``: lower-case ASCII/Latin, katakana → hiragana (ゴミ and ごみ match)."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) == 1:
            ch = low
        code = ord(ch)
        if 0x30A1 <= code <= 0x30F6:
            ch = chr(code - 0x60)
        out.append(ch)
    return "".join(out)


def detect_language(text: str) -> Language:
    """``"en"`` for a message written in English, otherwise ``"ja"`` (the default, also for empty text).

    Any kana means Japanese; otherwise Latin words must clearly outweigh the
    Japanese characters (an English sentence that names 宇陀市 is still English).
    """
    text = clean_text(text)
    if len(_KANA.findall(text)) >= 2:
        return "ja"
    ja_chars = len(_JA_CHAR.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    if latin_words >= 2 and latin_words >= ja_chars / 2:
        return "en"
    if latin_words == 1 and ja_chars == 0:
        return "en"
    return "ja"
