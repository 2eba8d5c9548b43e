"""Bad input: each gets a short helpful reply; never an exception, never a lost or corrupted conversation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import Card, IncomingChoice, Question
from knowledge.models import ConversationState
from matching.embedders.fake import FakeEmbedder
from tests.dialogue.conversation import Conversation, all_choices, texts


@pytest.fixture
def engine(db, settings, clock) -> DialogueEngine:
    """No records needed to reach the middle of an intake: skip seeding (tests that need them ask for `seeded`)."""
    return DialogueEngine(db, settings, embedder=FakeEmbedder(), clock=clock)


def _mid_intake(alice: Conversation) -> dict:
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    assert alice.step() == "missing"
    return alice.last.card


@pytest.mark.parametrize("message", ["", "   ", "\n\t　"])
def test_empty_or_whitespace_messages(alice, message):
    card = _mid_intake(alice)
    turn = alice.say(message)
    assert "空のよう" in texts(turn)
    assert turn.card == card and alice.step() == "missing"


def test_emoji_only(alice):
    card = _mid_intake(alice)
    turn = alice.say("🙏🙏😭🌉")
    assert "絵文字" in texts(turn)
    assert turn.card == card and alice.step() == "missing"


def test_ten_thousand_characters_are_read_up_to_the_limit(alice):
    long_text = "奈良県宇陀市です。橋の点検を頼める人がいない。" + "あ" * 10_000
    turn = alice.say(long_text)
    assert "最初の2000文字" in texts(turn)
    assert turn.card is not None and len(turn.card["text"]) <= 2000


def test_html_and_slack_markup_are_removed_before_understanding(alice):
    turn = alice.say("<@U0BOT> <b>奈良県宇陀市</b>です。&lt;急ぎ&gt; <https://example.jp/a|資料>の橋の点検を頼める人がいない <!channel>")
    assert turn.card is not None
    text = turn.card["text"]
    assert "<b>" not in text and "<https" not in text and "@U0BOT" not in text and "!channel" not in text and "資料" in text
    assert turn.card["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}


def test_mixed_scripts_are_understood(alice):
    turn = alice.say("奈良県宇陀市です。Bridge の点検、ＰＦＩ かＤＢ方式 で outsourcing したい")
    assert turn.card is not None and turn.card["municipality"] == {"prefecture": "奈良県", "name": "宇陀市"}
    assert turn.language == "ja"


@pytest.mark.parametrize("value", ["", "garbage", "q|x", "q|nonce|notanumber|a", "ir|1|advisor", "x" * 5000,
                                   "ia|999999", "mr|999999|case"])
def test_malformed_or_unknown_choice_values(alice, value):
    card = _mid_intake(alice)
    turn = alice.press_value(value)
    assert texts(turn)
    assert turn.card == card and alice.step() == "missing"


def test_valid_token_with_an_answer_the_question_does_not_offer(alice):
    _mid_intake(alice)
    good = all_choices(alice.last)[0].value
    forged = "|".join(good.split("|")[:3] + ["not_a_code"])
    turn = alice.press_value(forged)
    assert "認識できません" in texts(turn)
    assert any(isinstance(r, Question) for r in turn.replies)


def test_choice_from_another_users_conversation(engine):
    alice = Conversation(engine, "U_ALICE")
    bob = Conversation(engine, "U_BOB")
    alice.say("奈良県宇陀市です。橋の点検を頼める人がいない")
    bob.say("こんにちは")
    turn = bob.press(all_choices(alice.last)[0].label, alice.last)
    assert "別の方" in texts(turn)
    assert bob.step() == "idle"
    assert alice.press("アドバイザー").card["sub_issues"][0]["wanted"] == ["advisor"]


def test_a_corrupted_state_row_starts_afresh_instead_of_failing(alice, seeded):
    _mid_intake(alice)
    with seeded.session() as s:
        row = s.scalars(select(ConversationState)).one()
        row.state = {"step": 3, "card": "not a card", "history": None}
    turn = alice.say("公園の除草を外注したい")
    assert texts(turn)


def test_a_failing_collaborator_leaves_the_conversation_intact(alice, engine):
    card = _mid_intake(alice)

    def broken(_text: str):
        raise RuntimeError("extraction backend down")

    engine.services.extract = broken  # the real service replaced by one that fails
    turn = alice.say("よくわからないけど何か")
    assert "うまく処理できません" in texts(turn)
    del engine.services.extract
    assert alice.step() == "missing"
    turn = alice.press("アドバイザー", alice.turns[-2])
    assert any(isinstance(r, Card) for r in turn.replies) and turn.card["sub_issues"][0]["fields"] == card[
        "sub_issues"][0]["fields"]


def test_every_turn_of_a_consultation_answers_in_under_150_character_values(seeded, alice):
    _mid_intake(alice)
    alice.press("アドバイザー")
    alice.press("この内容で探す")
    assert sum(len(all_choices(t)) for t in alice.turns) > 10
    assert all(len(c.value) <= 150 for t in alice.turns for c in all_choices(t))


def test_unknown_incoming_type_is_answered(engine, alice):
    turn = engine.handle(alice.key, object())  # type: ignore[arg-type]
    assert texts(turn)


def test_choice_passed_as_message_text_is_just_text(alice):
    _mid_intake(alice)
    value = all_choices(alice.last)[0].value
    turn = alice.say(value)
    assert texts(turn)
    assert alice.engine.handle(alice.key, IncomingChoice(value)).replies
