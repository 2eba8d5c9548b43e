"""Reading callbacks: the signature, the kinds of event, who and where, mentions in group chats."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from bot.dialogue.replies import IncomingChoice, IncomingMessage
from bot.lineworks.events import Callback, MalformedCallback, is_signed, parse, signature
from bot.mentions import addressed_text


def body(**fields: object) -> bytes:
    return json.dumps({"source": {"userId": "u-1", "domainId": 40029600}, **fields}, ensure_ascii=False).encode()


def test_the_signature_is_base64_of_hmac_sha256_of_the_raw_body() -> None:
    raw = body(type="message", content={"type": "text", "text": "橋"})
    expected = base64.b64encode(hmac.new(b"secret", raw, hashlib.sha256).digest()).decode()
    assert signature("secret", raw) == expected
    assert is_signed("secret", raw, expected) and is_signed("secret", raw, f" {expected} ")
    assert not is_signed("secret", raw + b"\n", expected)
    assert not is_signed("secret", raw, None) and not is_signed("", raw, signature("", raw))


def test_a_text_message_in_a_one_to_one_chat() -> None:
    event = parse(body(type="message", content={"type": "text", "text": "橋の点検"}))
    assert event == Callback("message", "40029600", "u-1", None, "橋の点検", None)
    assert event.key().as_string() == "lineworks|40029600|u-1|u-1"
    assert event.incoming("gunmane") == IncomingMessage("橋の点検")


def test_a_button_press_arrives_as_a_message_with_a_postback_or_as_a_postback_event() -> None:
    pressed = parse(body(type="message", content={"type": "text", "text": "アドバイザー", "postback": "q|n|1|a"}))
    assert pressed.incoming("gunmane") == IncomingChoice("q|n|1|a")
    posted = parse(body(type="postback", data="ir|3|advisor|9"))
    assert posted.incoming("gunmane") == IncomingChoice("ir|3|advisor|9")
    assert parse(body(type="postback", data="  ")).incoming("gunmane") is None


def test_in_a_group_only_a_mention_of_the_bot_is_heard_and_the_mention_is_taken_out() -> None:
    def said(text: str) -> object:
        raw = json.dumps({"type": "message", "source": {"userId": "u-1", "channelId": "room", "domainId": 1},
                          "content": {"type": "text", "text": text}}).encode()
        return parse(raw).incoming("gunmane")

    assert said("明日の会議は？") is None
    assert said("@gunmane 橋の点検") == IncomingMessage("橋の点検")
    assert said("＠Gunmane　除雪の相談") == IncomingMessage("　除雪の相談".strip())
    assert said("@gunmanebot 橋") is None
    key = parse(json.dumps({"type": "message", "source": {"userId": "u-1", "channelId": "room", "domainId": 1},
                            "content": {"type": "text", "text": "@gunmane x"}}).encode()).key()
    assert (key.channel, key.user) == ("room", "u-1")


def test_membership_events_are_read_and_ask_nothing_of_the_engine() -> None:
    for kind in ("join", "leave", "joined", "left"):
        event = parse(json.dumps({"type": kind, "source": {"channelId": "room", "domainId": 1}}).encode())
        assert event.type == kind and event.incoming("gunmane") is None


@pytest.mark.parametrize("raw, reason", [
    (b"\xff\xfe", "not UTF-8"),
    (b"[1]", "not an object"),
    (b'{"type": "message"}', "no source"),
    (b'{"type": "typing", "source": {"domainId": 1}}', "unknown event type"),
    (b'{"type": "message", "source": {"userId": "u", "domainId": true}, "content": {"type": "text"}}',
     "domainId must be"),
    (b'{"type": "message", "source": {"userId": "u", "domainId": 1}}', "content object"),
    (b'{"type": "message", "source": {"userId": "u", "domainId": 1}, "content": {"type": "text", "text": 5}}',
     "must be strings"),
])
def test_malformed_events_say_what_is_wrong(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedCallback, match=reason):
        parse(raw)


def test_addressed_text_needs_a_name_and_keeps_the_rest_of_the_line() -> None:
    assert addressed_text("@gunmane", "") is None
    assert addressed_text("こんにちは @gunmane さん\n橋のこと", "gunmane") == "こんにちは さん\n橋のこと"
