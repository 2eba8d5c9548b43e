"""Reading LINE WORKS callbacks: the signature, who is talking where, and what they said or pressed.

A callback is one JSON event (message, postback, join, leave, joined, left); ``source`` holds ``userId``,
``domainId`` and, in a group chat, ``channelId``. A press of a template's button arrives as a message
whose ``content.postback`` is the choice token; a ``postback`` event carries it as ``data``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from bot.dialogue.replies import ConversationKey, Incoming, IncomingChoice, IncomingMessage
from bot.mentions import addressed_text

PLATFORM = "lineworks"
MAX_ID_CHARS = 128
EVENT_TYPES = ("message", "postback", "join", "leave", "joined", "left")


class MalformedCallback(ValueError):
    """The body is signed but is not a LINE WORKS event gunmane can read (answered 400)."""


def signature(secret: str, raw: bytes) -> str:
    """``X-WORKS-Signature``: Base64 of HMAC-SHA256 over the raw body, keyed with the Bot Secret."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).digest()).decode("ascii")


def is_signed(secret: str, raw: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(signature(secret, raw).encode("ascii"), header.strip().encode("utf-8", "replace"))


@dataclass(frozen=True)
class Callback:
    type: str                    # one of EVENT_TYPES
    domain_id: str
    user_id: str | None          # absent only in join/leave events
    channel_id: str | None       # None in a 1:1 chat with the bot
    text: str = ""
    postback: str | None = None  # a button's choice token

    def key(self) -> ConversationKey:
        assert self.user_id is not None
        return ConversationKey(PLATFORM, self.domain_id, self.channel_id or self.user_id, self.user_id)

    def incoming(self, bot_name: str) -> Incoming | None:
        """What the engine should hear, or None (other events; a group message not addressed to the bot)."""
        if self.postback and self.user_id:
            return IncomingChoice(self.postback)
        if self.type != "message" or self.user_id is None:
            return None
        if self.channel_id is None:
            return IncomingMessage(self.text)   # a sticker or a photo has no text: the engine asks for words
        said = addressed_text(self.text, bot_name)
        return IncomingMessage(said) if said is not None else None


def parse(raw: bytes) -> Callback:
    """The event in a callback body; ``MalformedCallback`` saying what is wrong otherwise."""
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedCallback("the body is not UTF-8") from exc
    except RecursionError:
        raise MalformedCallback("the body nests too deep to be an event") from None
    except json.JSONDecodeError as exc:
        raise MalformedCallback(f"the body is not JSON ({exc.msg} at {exc.pos})") from exc
    if not isinstance(body, dict):
        raise MalformedCallback("the body is JSON but not an object")
    kind, source = body.get("type"), body.get("source")
    if kind not in EVENT_TYPES:
        raise MalformedCallback("unknown event type")   # the value is not echoed: it is the sender's text
    if not isinstance(source, dict):
        raise MalformedCallback("the event has no source object")
    domain = str(_id(source, "domainId", required=True))
    user = _id(source, "userId", required=kind in ("message", "postback"))
    channel = _id(source, "channelId", required=False)
    if kind == "postback":
        data = body.get("data")
        if not isinstance(data, str):
            raise MalformedCallback("a postback event needs its data string")
        return Callback(kind, domain, user, channel, postback=data.strip() or None)
    if kind != "message":
        return Callback(kind, domain, user, channel)
    content = body.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("type"), str):
        raise MalformedCallback("a message event needs a content object with a type")
    text, postback = content.get("text", ""), content.get("postback")
    if not isinstance(text, str) or not (postback is None or isinstance(postback, str)):
        raise MalformedCallback("content.text and content.postback must be strings")
    return Callback(kind, domain, user, channel, text, (postback or "").strip() or None)


def _id(source: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = source.get(name)
    if value is None or value == "":
        if required:
            raise MalformedCallback(f"source.{name} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedCallback(f"source.{name} must be a string or a number")
    text = str(value).strip()
    if not text or len(text) > MAX_ID_CHARS or any(c in text for c in "|\r\n\t"):
        raise MalformedCallback(f"source.{name} is not an id")
    return text
