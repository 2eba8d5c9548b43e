"""A safety net for logs and stored summaries: known contact patterns are replaced.

The code never logs contacts or message bodies on purpose; this catches the
mistakes — an e-mail address, a phone number, a Slack or Teams user id, a
``slack:``/``teams:`` contact — before a line reaches a log file.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "<email>"),
    (re.compile(r"\b(?:slack|teams|lineworks|line):[^\s,;'\"<>()\[\]]+"), "<chat-id>"),
    (re.compile(r"\b(?:29|8):[A-Za-z0-9_\-]{6,}"), "<chat-id>"),            # Teams user ids
    (re.compile(r"\b[UW][A-Z0-9]{8,}\b"), "<chat-id>"),                       # Slack member ids
    (re.compile(r"(?<![\d.:\-])(?:\+81[\s\-]?|0)\d{1,4}[\s\-(]?\d{1,4}[\s\-)]?\d{3,4}(?![\d.:\-])"), "<phone>"),
)


def redact(text: str) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
