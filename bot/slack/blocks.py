"""Engine replies → Block Kit messages, within Slack's limits.

Pure functions: no Slack client, no database. Every piece of engine text is
escaped (``&``, ``<``, ``>``) and put into ``verbatim`` mrkdwn, so text a user
typed can never become ``<!channel>``, a user mention or a disguised link.
Japanese stays as it is (Slack decodes the JSON; nothing is entity-encoded
except those three characters).

Limits respected (Slack rejects a message that breaks one with
``invalid_blocks``): at most 50 blocks per message, 3,000 characters per
section text, 2,000 per field, 150 per header, 75 per button or option
label, 2,000 per button value, 150 per select-option value, 25 elements per
actions block, 100 options per select, action ids unique in a message. A
result list longer than one page becomes several pages; the adapter stores
the later ones and links them with a "more" button (:func:`with_more_button`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue import messages
from bot.dialogue.replies import Card, Choice, Notice, Question, Reply, ResultItem, ResultList, Text

log = logging.getLogger(__name__)

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_VALUE = 150
MAX_ACTION_ELEMENTS = 25
MAX_OPTIONS = 100
MAX_FALLBACK_TEXT = 3000
MAX_BUTTONS_BEFORE_SELECT = 6
RESULTS_PER_PAGE = 10

# action_id prefixes the handlers listen to
CHOICE_ACTION = "gm:choice"
PAGE_ACTION = "gm:page"

# catalogue keys of the adapter's own words (bot/dialogue/platform_texts.py)
_WORDS = {"distance": "distance", "more": "more_pages", "select": "select", "page": "page_of", "chose": "chose",
          "shown": "shown_below"}


def label(key: str, language: str = "ja", **values: object) -> str:
    """A kind of record's label, or one of the adapter's words, from the message catalogue."""
    if key in messages.KIND_LABELS:
        return messages.label("kind", key, language)
    return messages.say(language, _WORDS[key], **values)


@dataclass
class SlackMessage:
    """One chat.postMessage worth: notification text and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


# ---------------------------------------------------------------- text objects


def escape(text: str) -> str:
    """Slack's three control characters, so user text stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn object for text that is already escaped; verbatim, so nothing is auto-linked."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain(text: str, limit: int = MAX_LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text.strip() or "-", limit), "emoji": True}


def split_text(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Cut long (escaped) text into pieces of at most ``limit``, at line breaks where possible.

    Never cuts inside an ``&amp;``-style entity.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = limit
            amp = rest.rfind("&", cut - 5, cut)
            if amp != -1 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def sections(text: str) -> list[Block]:
    """Escaped mrkdwn sections for engine text of any length."""
    return [{"type": "section", "text": mrkdwn(piece or " ")} for piece in split_text(escape(text))]


def quote(text: str) -> SlackMessage:
    """The user's own words shown back as a block quote (escaped like everything else)."""
    quoted = "\n".join("> " + escape(line) for line in text.splitlines() or [""])
    pieces = [{"type": "section", "text": mrkdwn(p)} for p in split_text(quoted)]
    return SlackMessage(fallback(text), pieces[:MAX_BLOCKS])


def fallback(text: str) -> str:
    return clip(escape(" ".join(text.split())), MAX_FALLBACK_TEXT) or " "


# ---------------------------------------------------------------- buttons and selects


def button(choice: Choice, action_id: str) -> Block | None:
    if len(choice.value) > MAX_BUTTON_VALUE:
        log.error("choice value of %d characters is over Slack's %d; button %r left out",
                  len(choice.value), MAX_BUTTON_VALUE, choice.label)
        return None
    element: Block = {"type": "button", "text": plain(choice.label), "value": choice.value, "action_id": action_id}
    if choice.style in ("primary", "danger"):
        element["style"] = choice.style
    return element


class _ActionIds:
    """Unique action ids within one message."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, prefix: str = CHOICE_ACTION) -> str:
        self.count += 1
        return f"{prefix}:{self.count}"


def choice_elements(choices: tuple[Choice, ...], ids: _ActionIds, language: str) -> list[Block]:
    """Buttons for a few choices; static selects (100 options each) for many."""
    if len(choices) <= MAX_BUTTONS_BEFORE_SELECT or any(len(c.value) > MAX_OPTION_VALUE for c in choices):
        return [b for c in choices if (b := button(c, ids.next())) is not None]
    selects: list[Block] = []
    for start in range(0, len(choices), MAX_OPTIONS):
        chunk = choices[start : start + MAX_OPTIONS]
        selects.append({
            "type": "static_select",
            "action_id": ids.next(),
            "placeholder": plain(label("select", language)),
            "options": [{"text": plain(c.label), "value": c.value} for c in chunk],
        })
    return selects


def actions_blocks(elements: list[Block]) -> list[Block]:
    return [
        {"type": "actions", "elements": elements[start : start + MAX_ACTION_ELEMENTS]}
        for start in range(0, len(elements), MAX_ACTION_ELEMENTS)
    ]


# ---------------------------------------------------------------- replies


def render_text(reply: Text) -> list[Block]:
    return sections(reply.text)


def render_question(reply: Question, ids: _ActionIds, language: str) -> list[Block]:
    blocks = sections(reply.text)
    blocks += actions_blocks(choice_elements(reply.choices, ids, language))
    if reply.free_text_hint:
        blocks.append({"type": "context", "elements": [mrkdwn(clip(escape(reply.free_text_hint), MAX_FIELD_TEXT))]})
    return blocks


def render_card(reply: Card, ids: _ActionIds) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": plain(reply.title, MAX_HEADER_TEXT)}]
    short: list[dict[str, Any]] = []

    def flush() -> None:
        if short:
            blocks.append({"type": "section", "fields": list(short)})
            short.clear()

    for name, value in reply.fields:
        text = f"*{escape(name)}*\n{escape(value)}"
        if len(value) <= 60:
            short.append(mrkdwn(text))
            if len(short) == MAX_FIELDS:
                flush()
        else:
            flush()
            head, *rest = split_text(text)
            blocks.append({"type": "section", "text": mrkdwn(head)})
            blocks += [{"type": "section", "text": mrkdwn(piece)} for piece in rest]
    flush()
    elements = [b for c in reply.actions if (b := button(c, ids.next())) is not None]
    blocks += actions_blocks(elements)
    return blocks


def render_item(item: ResultItem, ids: _ActionIds, language: str) -> list[Block]:
    lines = [f"*{escape(label(item.kind, language))}｜{escape(item.title)}*"]
    if item.why:
        lines.append(escape(item.why))
    if item.detail:
        lines.append(escape(item.detail))
    if item.distance_km is not None and "km" not in f"{item.why}{item.detail}":
        lines.append(escape(label("distance", language, km=f"{item.distance_km:.0f}")))
    section: Block = {"type": "section", "text": mrkdwn(clip("\n".join(lines), MAX_SECTION_TEXT))}
    buttons = [b for c in item.actions if (b := button(c, ids.next())) is not None]
    if len(buttons) == 1:
        section["accessory"] = buttons[0]
        return [section]
    return [section, *actions_blocks(buttons)]


def render_result_pages(reply: ResultList, language: str, per_page: int = RESULTS_PER_PAGE) -> list[SlackMessage]:
    """One message per page of results; the engine's own "more" choice goes on the last page."""
    chunks = [reply.items[start : start + per_page] for start in range(0, len(reply.items), per_page)] or [()]
    pages: list[SlackMessage] = []
    for number, chunk in enumerate(chunks, start=1):
        ids = _ActionIds()
        title = reply.title if number == 1 else f"{reply.title} {label('page', language, n=number, total=len(chunks))}"
        blocks: list[Block] = [{"type": "header", "text": plain(title, MAX_HEADER_TEXT)}]
        for item in chunk:
            blocks += render_item(item, ids, language)
        if number == len(chunks) and reply.more is not None and (more := button(reply.more, ids.next())):
            blocks.append({"type": "actions", "elements": [more]})
        summary = ", ".join(item.title for item in chunk)
        pages.append(SlackMessage(text=fallback(f"{title}: {summary}"), blocks=blocks))
    return pages


def with_more_button(message: SlackMessage, token: str, language: str) -> SlackMessage:
    """Add the adapter's "more" button, pointing at the stored next page."""
    element = {"type": "button", "text": plain(label("more", language)), "value": token,
               "action_id": f"{PAGE_ACTION}:{token[:16]}"}
    return SlackMessage(text=message.text, blocks=[*message.blocks, {"type": "actions", "elements": [element]}])


def render(reply: Reply, language: str = "ja") -> list[SlackMessage]:
    """The messages that show one reply (a notice shows nothing: the adapter acts on it)."""
    if isinstance(reply, Notice):
        return []
    if isinstance(reply, ResultList):
        return render_result_pages(reply, language)
    ids = _ActionIds()
    if isinstance(reply, Text):
        blocks, text = render_text(reply), reply.text
    elif isinstance(reply, Question):
        blocks, text = render_question(reply, ids, language), reply.text
    elif isinstance(reply, Card):
        blocks, text = render_card(reply, ids), reply.title
    else:  # pragma: no cover - the Reply union is closed
        raise TypeError(f"cannot render {type(reply).__name__}")
    return split_blocks(blocks, fallback(text))


def split_blocks(blocks: list[Block], text: str, limit: int = MAX_BLOCKS) -> list[SlackMessage]:
    """Messages of at most ``limit`` blocks each (a 10,000-character text needs more than one)."""
    messages = [SlackMessage(text=text, blocks=blocks[start : start + limit])
                for start in range(0, len(blocks), limit)]
    return messages or [SlackMessage(text=text, blocks=[])]


def render_turn(replies: list[Reply], language: str = "ja") -> list[SlackMessage]:
    messages: list[SlackMessage] = []
    for reply in replies:
        messages += render(reply, language)
    return messages


# ---------------------------------------------------------------- after a button press


def mark_chosen(blocks: list[Block], action_id: str, chosen_label: str, language: str) -> list[Block]:
    """The pressed message's blocks with the pressed control replaced by a note of the choice.

    Other buttons of the message (e.g. the other results' 紹介を依頼) stay usable.
    """
    if action_id.startswith(PAGE_ACTION):
        note = label("shown", language)
    else:
        note = label("chose", language, label=chosen_label)
    context: Block = {"type": "context", "elements": [mrkdwn(escape(clip(note, MAX_FIELD_TEXT)))]}
    updated: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions" and any(e.get("action_id") == action_id for e in block.get("elements", [])):
            updated.append(context)
        elif block.get("accessory", {}).get("action_id") == action_id:
            updated.append({k: v for k, v in block.items() if k != "accessory"})
            updated.append(context)
        else:
            updated.append(block)
    return updated[:MAX_BLOCKS]
