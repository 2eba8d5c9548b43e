"""Rendering replies for a terminal (numbered choices) and as JSON lines.

``number_choices`` gives every choice of a turn a number, in reading order, so
a terminal user types the number to press the button.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import messages
from bot.dialogue.replies import Card, Choice, Notice, Question, Reply, ResultList, Text, Turn


@dataclass
class NumberedTurn:
    lines: list[str] = field(default_factory=list)
    choices: dict[int, Choice] = field(default_factory=dict)


def number_choices(turn: Turn, *, prefix: str = "bot> ", width: int = 100) -> NumberedTurn:
    out = NumberedTurn()
    pad = " " * len(prefix)

    def button_line(buttons: tuple[Choice, ...] | list[Choice], indent: str) -> None:
        labels = []
        for choice in buttons:
            n = len(out.choices) + 1
            out.choices[n] = choice
            labels.append(f"[{n}] {choice.label}")
        if labels:
            out.lines.extend(textwrap.wrap("  ".join(labels), width, initial_indent=indent, subsequent_indent=indent))

    for reply in turn.replies:
        if isinstance(reply, Text):
            _paragraphs(out.lines, reply.text, prefix, pad, width)
        elif isinstance(reply, Question):
            _paragraphs(out.lines, reply.text, prefix, pad, width)
            button_line(reply.choices, pad + "  ")
            if reply.free_text_hint:
                out.lines.append(f"{pad}  （{reply.free_text_hint}）")
        elif isinstance(reply, Card):
            out.lines.append(f"{prefix}┌ {reply.title}")
            for label, value in reply.fields:
                out.lines.append(f"{pad}│ {label}: {value}")
            out.lines.append(f"{pad}└")
            button_line(reply.actions, pad + "  ")
        elif isinstance(reply, ResultList):
            out.lines.append(f"{prefix}■ {reply.title}")
            for i, item in enumerate(reply.items, 1):
                distance = f"（約{item.distance_km:.0f} km）" if item.distance_km is not None else ""
                out.lines.append(f"{pad}  {i}. {item.title}{distance}")
                if item.why:
                    out.lines.append(f"{pad}     {messages.say(turn.language, 'why_label')}: {item.why}")
                if item.detail:
                    out.lines.extend(textwrap.wrap(item.detail, width, initial_indent=pad + "     ",
                                                   subsequent_indent=pad + "     "))
                button_line(item.actions, pad + "     ")
            if reply.more is not None:
                button_line([reply.more], pad + "  ")
        elif isinstance(reply, Notice):
            key = f"notice_{reply.event}"
            note = (messages.say(turn.language, key, id=reply.subject_id) if key in messages.CATALOGUE
                    else f"{reply.event} #{reply.subject_id}")
            out.lines.append(f"{pad}（{note}）")
    return out


def _paragraphs(lines: list[str], text: str, prefix: str, pad: str, width: int) -> None:
    first = True
    for paragraph in text.split("\n"):
        # A link must stay whole to be copied: a paragraph holding one wraps only between words.
        wrapped = textwrap.wrap(paragraph, width, break_long_words="://" not in paragraph,
                                break_on_hyphens="://" not in paragraph) or [""]
        for line in wrapped:
            lines.append((prefix if first else pad) + line)
            first = False


def reply_to_json(reply: Reply) -> dict[str, Any]:
    if isinstance(reply, Text):
        return {"type": "text", "text": reply.text}
    if isinstance(reply, Question):
        return {"type": "question", "text": reply.text, "choices": [_choice(c) for c in reply.choices],
                "free_text_hint": reply.free_text_hint}
    if isinstance(reply, Card):
        return {"type": "card", "title": reply.title, "fields": [list(f) for f in reply.fields],
                "actions": [_choice(c) for c in reply.actions]}
    if isinstance(reply, ResultList):
        return {"type": "results", "title": reply.title, "items": [
            {"kind": i.kind, "id": i.id, "title": i.title, "why": i.why, "detail": i.detail,
             "distance_km": i.distance_km, "actions": [_choice(c) for c in i.actions]} for i in reply.items
        ], "more": _choice(reply.more) if reply.more else None}
    return {"type": "notice", "event": reply.event, "subject_id": reply.subject_id}


def _choice(choice: Choice) -> dict[str, str]:
    return {"label": choice.label, "value": choice.value, "style": choice.style}


def turn_to_json(turn: Turn, *, user: str | None = None, numbers: dict[int, Choice] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"user": user, "language": turn.language,
                           "replies": [reply_to_json(r) for r in turn.replies], "card": turn.card}
    if numbers:
        out["choices"] = {str(n): c.value for n, c in numbers.items()}
    return out
