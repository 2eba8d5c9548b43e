"""The callback endpoint over HTTP: only signed events from our bot get in; bad bodies are refused cleanly.

"Nothing else happens" is checked by what follows: a good event from the same
user after the bad one is the first and only turn of that conversation.
"""

from __future__ import annotations

import json
import logging

import pytest
from lineworks_stack import BOT_ID, Stack, event, post, signed_headers
from sqlalchemy import select

from bot.lineworks.events import signature
from bot.lineworks.server import MAX_BODY_BYTES
from knowledge.db import Database
from knowledge.models import ConversationState


def hello(user: str = "careful-user") -> bytes:
    body = event("message", user, content={"type": "text", "text": "こんにちは"})
    return json.dumps(body, ensure_ascii=False).encode()


def only_the_good_one_was_handled(stack: Stack, db: Database, user: str = "careful-user") -> None:
    """Send a good event for ``user``; it must be the conversation's first turn and get the only answers."""
    assert stack.send(hello(user)) == 200
    stack.wait()
    with db.session() as session:
        turns = session.scalars(select(ConversationState.version).where(ConversationState.user_id == user)).all()
    assert turns == [1]          # saved once: one turn
    assert len(stack.delivered(user)) == 1          # the greeting and prompt, once


@pytest.mark.parametrize("headers", [
    pytest.param(lambda raw: {"X-WORKS-BotId": BOT_ID, "X-WORKS-Signature": signature("wrong-secret", raw)},
                 id="signed-with-another-secret"),
    pytest.param(lambda raw: {"X-WORKS-BotId": BOT_ID}, id="no-signature-header"),
    pytest.param(lambda raw: {"X-WORKS-BotId": BOT_ID, "X-WORKS-Signature": ""}, id="empty-signature"),
    pytest.param(lambda raw: {"X-WORKS-BotId": BOT_ID, "X-WORKS-Signature": "signé, not base64 =="},
                 id="garbage-signature"),
    pytest.param(lambda raw: {"X-WORKS-Signature": signed_headers(raw)["X-WORKS-Signature"]}, id="no-bot-id"),
    pytest.param(lambda raw: signed_headers(raw, bot_id="9999999"), id="another-bot"),
])
def test_an_unsigned_or_foreign_callback_gets_401_and_nothing_happens(
    lineworks: Stack, db: Database, headers: object, caplog: pytest.LogCaptureFixture
) -> None:
    raw = hello()
    with caplog.at_level(logging.WARNING, logger="bot.lineworks.server"):
        assert post(lineworks.url, raw, headers(raw)) == 401  # type: ignore[operator]
    assert "401" in caplog.text and "こんにちは" not in caplog.text
    only_the_good_one_was_handled(lineworks, db)


def test_a_body_changed_after_signing_gets_401(lineworks: Stack, db: Database) -> None:
    raw = hello()
    headers = signed_headers(raw)
    changed = raw.replace("こんにちは".encode(), "さようなら".encode())
    assert post(lineworks.url, changed, headers) == 401
    assert post(lineworks.url, raw + b" ", headers) == 401
    only_the_good_one_was_handled(lineworks, db)


def test_header_names_are_read_without_regard_to_case(lineworks: Stack, db: Database) -> None:
    raw = hello()
    headers = {name.lower(): value for name, value in signed_headers(raw).items()}
    assert post(lineworks.url, raw, headers) == 200
    lineworks.wait()
    assert lineworks.delivered("careful-user")


@pytest.mark.parametrize("raw", [
    pytest.param(b"{not json", id="not-json"),
    pytest.param(b"", id="empty"),
    pytest.param("こんにちは".encode("shift_jis"), id="shift-jis"),
    pytest.param(b'["message"]', id="array"),
    pytest.param(b'{"type": "message"}', id="no-source"),
    pytest.param(b'{"type": "unknown", "source": {"domainId": 1}}', id="unknown-type"),
    pytest.param(b'{"type": "message", "source": {"domainId": 1}, "content": {"type": "text", "text": "x"}}',
                 id="no-user"),
    pytest.param(b'{"type": "message", "source": {"userId": "u", "domainId": 1}, "content": "hi"}',
                 id="content-not-object"),
    pytest.param(b'{"type": "message", "source": {"userId": "a|b", "domainId": 1}, "content": {"type": "text"}}',
                 id="separator-in-id"),
    pytest.param(b'{"type": "postback", "source": {"userId": "u", "domainId": 1}, "data": 42}',
                 id="postback-data-not-text"),
    pytest.param(json.dumps({"type": "message", "source": {"userId": "u" * 500, "domainId": 1},
                             "content": {"type": "text", "text": "x"}}).encode(), id="id-too-long"),
])
def test_a_signed_body_that_is_not_an_event_gets_400_and_the_server_keeps_serving(
    lineworks: Stack, db: Database, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.lineworks.server"):
        assert post(lineworks.url, raw, signed_headers(raw)) == 400
    assert "400" in caplog.text
    only_the_good_one_was_handled(lineworks, db)


def test_an_oversized_body_gets_413_and_the_server_keeps_serving(lineworks: Stack, db: Database) -> None:
    raw = json.dumps(event("message", "careful-user", content={"type": "text", "text": "橋" * MAX_BODY_BYTES}))
    assert post(lineworks.url, raw.encode(), signed_headers(raw.encode())) == 413
    only_the_good_one_was_handled(lineworks, db)


def test_the_same_callback_delivered_twice_is_answered_once(lineworks: Stack, db: Database) -> None:
    raw = hello()
    assert lineworks.send(raw) == 200
    assert lineworks.send(raw) == 200
    lineworks.wait()
    assert len(lineworks.delivered("careful-user")) == 1



@pytest.mark.parametrize("raw", [('{"a":' * 5000 + '"x"' + "}" * 5000).encode(),
                                 b'{"type": "FUZZMARKER", "source": {"domainId": 1}}'])
def test_found_by_the_fuzzer_deep_json_and_odd_types_are_400_unechoed(
    lineworks: Stack, db: Database, caplog: pytest.LogCaptureFixture, raw: bytes
) -> None:
    """scripts/fuzz.py: JSON nested 5,000 deep answered 500; an unknown type was quoted in the log."""
    with caplog.at_level(logging.INFO):
        assert post(lineworks.url, raw, signed_headers(raw)) == 400
    assert "FUZZMARKER" not in caplog.text
    only_the_good_one_was_handled(lineworks, db)
