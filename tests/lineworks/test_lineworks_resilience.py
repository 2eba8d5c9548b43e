"""When LINE WORKS misbehaves: an expired token, an outage — the conversation survives both."""

from __future__ import annotations

import logging

import pytest
from lineworks_stack import Stack, buttons, texts
from sqlalchemy import select

from bot.dialogue import messages
from knowledge.db import Database
from knowledge.models import ConversationState


def test_a_token_refused_with_401_is_replaced_and_the_message_still_arrives(lineworks: Stack) -> None:
    user = lineworks.user("token-user")
    user.says("こんにちは")
    assert len(lineworks.fake.log.calls("token")) == 1
    lineworks.fake.log.revoke_tokens()              # as when LINE WORKS expires a token early
    user.says("ヘルプ")
    assert len(lineworks.fake.log.calls("token")) == 2
    statuses = [call.status for call in lineworks.fake.log.calls("user")]
    assert 401 in statuses and statuses[-1] == 201
    assert messages.say("ja", "help").split("\n")[0][:15] in texts(user.received())


def test_an_outage_is_logged_and_the_conversation_carries_on_afterwards(
    lineworks: Stack, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    user = lineworks.user("outage-user")
    lineworks.fake.log.outage(500)
    secret_words = "奈良県宇陀市です。秘密の橋の点検が回りません"
    with caplog.at_level(logging.INFO):
        assert user.says(secret_words) == 200       # answered at once; the reply is lost on the way out
    assert any(c.status == 500 for c in lineworks.fake.log.calls("user")) and user.received() == []
    lost = [r for r in caplog.records if r.levelno == logging.ERROR and "lost" in r.getMessage()]
    assert lost and "500" in lost[0].getMessage()
    assert "秘密" not in caplog.text and "outage-user" not in caplog.text   # no message body, no chat id
    with db.session() as session:                   # the turn itself was saved
        (state,) = session.scalars(select(ConversationState.state).where(ConversationState.user_id == "outage-user"))
    assert state["step"] not in ("", "idle")
    lineworks.fake.log.outage(None)
    user.says("戻る")                                # the conversation is where it was: 戻る has somewhere to go
    after = user.new()
    assert after and buttons(after)
    assert messages.say("ja", "greeting")[:10] not in texts(after)   # not a fresh start
