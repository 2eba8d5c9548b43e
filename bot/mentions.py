"""Mentions of the bot in channel messages, for adapters whose platform sends them as plain text.

LINE WORKS delivers a group-chat message addressed to the bot with the bot's
name written ``@name`` inside the text (there is no structured mention), so
"was the bot addressed?" and "what was said to it?" are one question here.
"""

from __future__ import annotations

import re


def addressed_text(text: str, name: str) -> str | None:
    """``text`` without the ``@name`` mention(s) when it mentions the bot ``name``, else None.

    The name must stand on its own: ``@gunmane`` matches, ``@gunmanebot`` does not.
    """
    if not name.strip():
        return None
    pattern = re.compile(rf"[@＠]{re.escape(name.strip())}(?![\w-])", re.IGNORECASE)
    if not pattern.search(text):
        return None
    return re.sub(r" {2,}", " ", pattern.sub(" ", text)).strip()
