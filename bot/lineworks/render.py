"""Engine replies → LINE WORKS message contents: texts (2,000 characters); questions as button templates
(10 buttons each, more choices in a second one) or, for a turn's last question the member may also answer
by typing, as quick replies over the input box (13 at most, gone once answered); the 課題カード as a
flexible-template bubble; results as flexible-template carousels (10 bubbles, 15 KB), 紹介を依頼 on each.
A button is a message action whose ``postback`` is the engine's choice token (≤ 150 characters, the
platform allows 300); its label is cut to 20 characters. ``<m userId="…">`` would mention (and notify)
someone, so it is defused in all text sent."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from bot.dialogue import messages
from bot.dialogue.replies import Card, Choice, Question, Reply, ResultItem, ResultList, Text

Content = dict[str, Any]

MAX_TEXT, MAX_CONTENT_TEXT, MAX_BUTTONS = 2000, 1000, 10       # text; button template body and buttons
MAX_LABEL, MAX_ACTION_TEXT, MAX_ALT_TEXT = 20, 300, 400        # action label; action text, postback; altText
MAX_BUBBLES, MAX_FLEX_BYTES, MAX_QUICK = 10, 15_000, 13       # carousel; flex JSON (the Japanese reference)

_MENTION = re.compile(r"<(\s*/?\s*m\b)", re.IGNORECASE)


def defuse(text: str) -> str:
    """Text that cannot mention anyone: ``<m …>`` becomes ``＜m …>``."""
    return _MENTION.sub(lambda match: "＜" + match.group(1), text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(replies: list[Reply], language: str = "ja") -> list[Content]:
    """The contents to send for a turn's replies, in order (one notification per message, not per sentence)."""
    out: list[Content] = []
    pending: list[str] = []
    shown = [reply for reply in replies if isinstance(reply, Text | Question | Card | ResultList)]
    for n, reply in enumerate(shown, 1):
        if isinstance(reply, Text):
            pending.append(reply.text)
            continue
        if isinstance(reply, Question) and pending and len("\n".join(pending + [reply.text])) <= MAX_CONTENT_TEXT:
            reply = Question("\n".join(pending + [reply.text]), reply.choices, reply.free_text_hint)
        elif pending:
            out += text_contents("\n".join(pending))
        pending = []
        out += (question_contents(reply, language, last=n == len(shown)) if isinstance(reply, Question)
                else render_one(reply, language))
    return out + (text_contents("\n".join(pending)) if pending else [])


def render_one(reply: Reply, language: str = "ja") -> list[Content]:
    if isinstance(reply, Text):
        return text_contents(reply.text)
    if isinstance(reply, Question):
        return question_contents(reply, language)
    if isinstance(reply, Card):
        return [flex(reply.title, _fitted(partial(card_bubble, reply)))]
    if isinstance(reply, ResultList):
        return result_contents(reply, language)
    return []   # a Notice tells the adapter to reach someone else; it is not shown


def text_contents(text: str) -> list[Content]:
    return [{"type": "text", "text": part} for part in split_text(defuse(text), MAX_TEXT)]


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a line break where there is one."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", limit // 2, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return parts + [text] if text or not parts else parts


def question_contents(question: Question, language: str, *, last: bool = False) -> list[Content]:
    body = defuse(question.text + (f"\n（{question.free_text_hint}）" if question.free_text_hint else ""))
    if not question.choices:
        return text_contents(body)
    if last and question.free_text_hint and len(question.choices) <= MAX_QUICK:   # shown only on the last message
        contents = text_contents(body)
        contents[-1]["quickReply"] = {"items": [{"action": action(choice)} for choice in question.choices]}
        return contents
    out: list[Content] = []
    if len(body) > MAX_CONTENT_TEXT:
        out, body = text_contents(body), messages.say(language, "select")
    starts = range(0, len(question.choices), MAX_BUTTONS)
    for n, start in enumerate(starts, 1):
        out.append({"type": "button_template",
                    "contentText": body if n == 1 else messages.say(language, "page_of", n=n, total=len(starts)),
                    "actions": [action(c) for c in question.choices[start:start + MAX_BUTTONS]]})
    return out


def action(choice: Choice) -> Content:
    if len(choice.value) > MAX_ACTION_TEXT:
        raise ValueError(f"choice value longer than {MAX_ACTION_TEXT} characters: {choice.value[:40]}…")
    label = defuse(choice.label)
    return {"type": "message", "label": clip(label, MAX_LABEL), "text": clip(label, MAX_ACTION_TEXT),
            "postback": choice.value}


def flex(alt_text: str, contents: Content) -> Content:
    return {"type": "flex", "altText": clip(defuse(alt_text), MAX_ALT_TEXT) or "gunmane", "contents": contents}


def card_bubble(card: Card, limit: int) -> Content:
    rows = [row for label, value in card.fields
            for row in (_text(label, size="xs", color="#888888"), _text(value or "—", limit=limit, size="sm"))]
    return _bubble(_text(card.title, weight="bold", size="md"), rows, card.actions)


def item_bubble(item: ResultItem, language: str, limit: int) -> Content:
    body = [_text(messages.label("kind", item.kind, language), size="xs", color="#888888"),
            _text(item.title, limit=limit, weight="bold", size="sm")]
    if item.why:
        body.append(_text(item.why, limit=limit, size="sm"))
    if item.detail:
        body.append(_text(item.detail, limit=limit, size="xs", color="#666666"))
    if item.distance_km is not None:
        km = f"{item.distance_km:.0f}" if item.distance_km >= 10 else f"{item.distance_km:.1f}"
        body.append(_text(messages.say(language, "distance", km=km), size="xs", color="#888888"))
    return _bubble(None, body, item.actions)


def result_contents(results: ResultList, language: str) -> list[Content]:
    bubbles = [_fitted(partial(item_bubble, item, language)) for item in results.items]
    if results.more is not None:
        bubbles.append(_bubble(None, [_text(results.title, size="sm")], (results.more,)))
    return [flex(results.title, {"type": "carousel", "contents": group}) for group in _carousels(bubbles)]


def _carousels(bubbles: list[Content]) -> Iterator[list[Content]]:
    group: list[Content] = []
    for bubble in bubbles:
        if group and (len(group) == MAX_BUBBLES
                      or size_of({"type": "carousel", "contents": group + [bubble]}) > MAX_FLEX_BYTES):
            yield group
            group = []
        group.append(bubble)
    if group:
        yield group


def _fitted(build: Callable[[int], Content]) -> Content:
    """The bubble ``build(limit)`` makes with the longest text limit that keeps it under 15 KB."""
    for limit in (400, 150, 60):
        bubble = build(limit)
        if size_of(bubble) <= MAX_FLEX_BYTES:
            break
    return bubble


def size_of(contents: Content) -> int:
    """Bytes of the JSON the platform measures its flex limit on."""
    return len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _bubble(header: Content | None, body: list[Content], actions: tuple[Choice, ...]) -> Content:
    bubble: Content = {"type": "bubble", "size": "kilo",
                       "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body}}
    if header is not None:
        bubble["header"] = {"type": "box", "layout": "vertical", "contents": [header]}
    if actions:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "button", "style": "primary" if choice.style == "primary" else "secondary", "height": "sm",
             "action": action(choice)} for choice in actions]}
    return bubble


def _text(text: str, *, limit: int = 400, **style: str) -> Content:
    return {"type": "text", "text": clip(defuse(text), limit) or "—", "wrap": True, **style}
