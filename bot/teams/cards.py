"""Engine replies → Teams message activities (text, or Adaptive Cards 1.5).

Every button is an ``Action.Submit`` whose data is ``{"gunmane": <choice value>}``;
Teams hands that object back as the ``value`` of the next message activity,
and ``activities.incoming`` turns it into ``IncomingChoice(value)``. Questions
with many choices become a drop-down (``Input.ChoiceSet`` with the same id),
so the submitted data has the same shape.

``Notice`` replies are instructions for the adapter, never shown: ``render``
skips them.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, Attachment
from microsoft_agents.hosting.core import CardFactory, MessageFactory

from bot.dialogue.messages import label, say
from bot.dialogue.replies import Card, Choice, Notice, Question, Reply, ResultItem, ResultList, Text

SUBMIT_KEY = "gunmane"
ADAPTIVE_CARD_VERSION = "1.5"
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
MAX_BUTTONS = 5  # more than this and a question becomes a drop-down (Teams shows few buttons per row)

_STYLES = {"primary": "positive", "danger": "destructive"}

def render(replies: list[Reply], language: str = "ja") -> list[Activity]:
    """One message activity per shown reply, in order; ``Notice`` replies are left out."""
    return [activity for reply in replies if (activity := render_one(reply, language)) is not None]


def render_one(reply: Reply, language: str = "ja") -> Activity | None:
    if isinstance(reply, Notice):
        return None
    if isinstance(reply, Text):
        return text_message(reply.text)
    if isinstance(reply, Question):
        return card_message(question_card(reply, language), summary=reply.text)
    if isinstance(reply, Card):
        return card_message(fields_card(reply, language), summary=reply.title)
    if isinstance(reply, ResultList):
        return card_message(result_list_card(reply, language), summary=reply.title)
    raise TypeError(f"cannot render reply of type {type(reply).__name__}")


def text_message(text: str) -> Activity:
    # Teams reads message text as Markdown, where a single newline is not a line break.
    return MessageFactory.text(_markdown_lines(text))


def card_message(card: dict[str, Any], *, summary: str) -> Activity:
    attachment: Attachment = CardFactory.adaptive_card(card)
    activity: Activity = MessageFactory.attachment(attachment)
    activity.summary = summary[:200]  # shown in notifications and the chat list
    return activity


# ---------------------------------------------------------------- cards


def question_card(question: Question, language: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_text_block(question.text)]
    if question.free_text_hint:
        body.append(_text_block(question.free_text_hint, subtle=True, size="small"))
    if len(question.choices) <= MAX_BUTTONS:
        return _card(body, [submit_action(choice) for choice in question.choices])
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": SUBMIT_KEY,
            "style": "compact",
            "placeholder": say(language, "select"),
            "isRequired": True,
            "errorMessage": say(language, "pick_first"),
            "choices": [{"title": c.label, "value": c.value} for c in question.choices],
        }
    )
    return _card(body, [{"type": "Action.Submit", "title": say(language, "choose"), "style": "positive"}])


def fields_card(card: Card, language: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_title_block(card.title)]
    if card.fields:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value or "—"} for label, value in card.fields],
            }
        )
    return _card(body, [submit_action(choice) for choice in card.actions])


def result_list_card(results: ResultList, language: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [_title_block(results.title)]
    body.extend(result_item_container(item, language) for item in results.items)
    actions = [submit_action(results.more)] if results.more is not None else []
    return _card(body, actions)


def result_item_container(item: ResultItem, language: str) -> dict[str, Any]:
    kind = label("kind", item.kind, language)
    items: list[dict[str, Any]] = [
        _text_block(kind, subtle=True, size="small"),
        {"type": "TextBlock", "text": item.title, "weight": "bolder", "wrap": True, "spacing": "none"},
    ]
    if item.why:
        items.append(_text_block(item.why))
    if item.detail:
        items.append(_text_block(item.detail, subtle=True))
    if item.distance_km is not None:
        items.append(_text_block(say(language, "distance", km=_km(item.distance_km)), subtle=True, size="small"))
    if item.actions:
        items.append({"type": "ActionSet", "actions": [submit_action(c) for c in item.actions]})
    return {"type": "Container", "separator": True, "spacing": "medium", "items": items}


def submit_action(choice: Choice) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": choice.label, "data": {SUBMIT_KEY: choice.value}}
    if choice.style in _STYLES:
        action["style"] = _STYLES[choice.style]
    return action


# ---------------------------------------------------------------- helpers


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def _title_block(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "bolder", "size": "medium", "wrap": True}


def _text_block(text: str, *, subtle: bool = False, size: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": _markdown_lines(text), "wrap": True}
    if subtle:
        block["isSubtle"] = True
    if size:
        block["size"] = size
    return block


def _markdown_lines(text: str) -> str:
    return "\n\n".join(line for line in text.splitlines()) if "\n" in text else text


def _km(distance: float) -> str:
    return f"{distance:.0f}" if distance >= 10 else f"{distance:.1f}"
