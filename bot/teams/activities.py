"""Reading Teams activities: who is talking where, and what they said or clicked.

Teams specifics live here rather than in a Teams SDK package (the Agents SDK's
Teams extension is not available for SDK 1.9): the tenant comes from
``conversation.tenantId`` or ``channelData.tenant.id``, a user is known by
their Entra object id (``from.aadObjectId``, stable across bots) or else the
bot-scoped ``from.id``, and an @mention arrives as ``<at>name</at>`` inside
the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from microsoft_agents.activity import Activity

from bot.dialogue.replies import ConversationKey, Incoming, IncomingChoice, IncomingMessage
from bot.teams.cards import SUBMIT_KEY
from bot.teams.guard import activity_tenant

PLATFORM = "teams"
# One <at …> or </at> tag. No '<' inside, so each attempt stops at the next '<': linear time on any text
# (the old ``<at[^>]*>(.*?)</at>`` took ~29 s on "<at>" × 20,000, on the event loop).
_TAG = re.compile(r"<(/?)at(?:\s[^<>]*)?>", re.IGNORECASE)
_MAX_CHOICE_VALUE = 1000
MAX_TEXT_CHARS = 8000      # the engine keeps 2,000; a longer text is cut before any mention is looked for
_MAX_MENTIONS = 20         # mention entities looked at


def user_id(activity: Activity) -> str:
    """The id gunmane knows a Teams user by: the Entra object id where Teams sends one."""
    sender = activity.from_property
    if sender is None or not sender.id:
        raise ValueError("the activity has no sender (from.id)")
    return sender.aad_object_id or sender.id


def tenant_id(activity: Activity) -> str:
    return activity_tenant(activity) or "unknown-tenant"


def conversation_key(activity: Activity) -> ConversationKey:
    if activity.conversation is None or not activity.conversation.id:
        raise ValueError("the activity has no conversation.id")
    return ConversationKey(
        platform=PLATFORM,
        workspace=tenant_id(activity),
        channel=activity.conversation.id,
        user=user_id(activity),
    )


def is_personal(activity: Activity) -> bool:
    """A 1:1 chat with the bot (Teams' "personal" scope)."""
    conversation = activity.conversation
    if conversation is None:
        return False
    if conversation.conversation_type:
        return conversation.conversation_type == "personal"
    return not conversation.is_group


def _bot_mentions(activity: Activity) -> list[str]:
    """The texts (``<at>gunmane</at>``) of the first mention entities that name the bot."""
    bot = activity.recipient.id if activity.recipient is not None else None
    found: list[str] = []
    for entity in (activity.entities or [])[:_MAX_MENTIONS]:
        data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else {}
        mentioned = data.get("mentioned")
        if bot and data.get("type") == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot:
            text = data.get("text")
            found.append(text if isinstance(text, str) and text else f"<at>{mentioned.get('name') or ''}</at>")
    return found


def strip_mentions(text: str, bot_mentions: Sequence[str] = ()) -> str:
    """``text`` without the bot's mentions and without a leading mention; other mentions keep the name.
    Linear in the length of the text."""
    for mention in bot_mentions:
        text = text.replace(mention, "")
    text = text.lstrip()
    first = _TAG.match(text)
    if first is not None and not first.group(1):   # a channel message addressed to the bot starts with it
        close = next((tag for tag in _TAG.finditer(text, first.end()) if tag.group(1)), None)
        text = text[close.end():] if close is not None else text
    return _TAG.sub("", text)


def message_text(activity: Activity) -> str:
    """The typed text (cut at ``MAX_TEXT_CHARS``) without the @mention of the bot; other mentions keep
    just the name."""
    text = (activity.text or "")[:MAX_TEXT_CHARS]
    return strip_mentions(text, _bot_mentions(activity)).replace("&nbsp;", " ").strip()


def submitted_choice(activity: Activity) -> str | None:
    """The choice value of an Adaptive Card ``Action.Submit``, or None."""
    value: Any = activity.value
    if not isinstance(value, dict):
        return None
    choice = value.get(SUBMIT_KEY)
    if not isinstance(choice, str):
        return None
    choice = choice.strip()
    return choice[:_MAX_CHOICE_VALUE] if choice else None


def incoming(activity: Activity) -> Incoming | None:
    """What the engine should hear, or None when the activity carries nothing to answer."""
    choice = submitted_choice(activity)
    if choice is not None:
        return IncomingChoice(choice)
    text = message_text(activity)
    return IncomingMessage(text) if text else None


def is_empty_card_submit(activity: Activity) -> bool:
    """A card was submitted but no choice was picked (an old client skipping validation)."""
    return isinstance(activity.value, dict) and submitted_choice(activity) is None and not (activity.text or "").strip()
