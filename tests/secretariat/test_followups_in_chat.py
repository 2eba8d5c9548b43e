"""Follow-up answers through the engine, as any platform's user gives them (here the terminal's key).

The rating is a choice token from the follow-up delivery; the next message typed within the
comment window is the comment. Only the person asked may answer; a stale, foreign or forged
token changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.dialogue import choices
from bot.dialogue.deliveries import compose
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import ChatUser, ConversationKey, IncomingChoice, IncomingMessage, Notice, Question, Text
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge.db import Database
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder

REQUESTER = ChatUser("terminal", "req-1")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(people: Database, settings: Settings, clock: Clock) -> DialogueEngine:
    return DialogueEngine(people, settings, embedder=FakeEmbedder(), clock=clock)


def _accepted(db: Database) -> int:
    with db.session() as session:
        target = curation.find(session, "advisor", "adv-t1").id    # contact U0ADVT1 (Slack)
        intro = intros.request(session, requester_platform=REQUESTER.platform, requester_id=REQUESTER.user_id,
                               target_kind="advisor", target_id=target)
        intros.accept(session, intro.id, actor="test")
        return intro.id


def _key(user: ChatUser) -> ConversationKey:
    return ConversationKey(user.platform, "local", "chat-1", user.user_id)


def _texts(turn) -> str:
    return "\n".join(r.text for r in turn.replies if isinstance(r, Text | Question))


def test_the_follow_up_offers_ratings_to_each_side(people: Database) -> None:
    intro_id = _accepted(people)
    with people.session() as session:
        deliveries = compose(session, Notice("intro_followup", intro_id))
    assert [d.role for d in deliveries] == ["requester", "target"]
    assert deliveries[0].recipients == (REQUESTER,) and deliveries[1].recipients == (ChatUser("slack", "U0ADVT1"),)
    for delivery in deliveries:
        (question,) = [r for r in delivery.replies if isinstance(r, Question)]
        assert [c.label for c in question.choices] == ["5", "4", "3", "2", "1"]
        assert {choices.parse(c.value) for c in question.choices} == {
            choices.FollowupAnswer(intro_id, delivery.role, n) for n in range(1, 6)}


def test_a_rating_then_a_typed_comment(engine: DialogueEngine, people: Database) -> None:
    intro_id = _accepted(people)
    turn = engine.handle(_key(REQUESTER), IncomingChoice(choices.followup_answer(intro_id, "requester", 4)))
    assert "評価 4" in _texts(turn)
    with people.session() as session:
        assert intros.get(session, intro_id).rating == 4
    turn = engine.handle(_key(REQUESTER), IncomingMessage("相談に乗っていただき助かりました"))
    assert "ありがとうございました" in _texts(turn)
    with people.session() as session:
        intro = intros.get(session, intro_id)
        assert (intro.rating, intro.comment) == (4, "相談に乗っていただき助かりました")
    # The comment was taken once: the next message is a consultation again.
    turn = engine.handle(_key(REQUESTER), IncomingMessage("ありがとうございました"))
    with people.session() as session:
        assert intros.get(session, intro_id).comment == "相談に乗っていただき助かりました"


def test_no_comment_and_a_late_message_are_not_comments(engine: DialogueEngine, people: Database,
                                                        clock: Clock) -> None:
    intro_id = _accepted(people)
    engine.handle(_key(REQUESTER), IncomingChoice(choices.followup_answer(intro_id, "requester", 5)))
    turn = engine.handle(_key(REQUESTER), IncomingChoice(choices.followup_answer(intro_id, "requester", None)))
    assert "ありがとうございました" in _texts(turn)
    engine.handle(_key(REQUESTER), IncomingMessage("橋の点検の相談です"))
    with people.session() as session:
        assert (intros.get(session, intro_id).rating, intros.get(session, intro_id).comment) == (5, None)
    engine.handle(_key(REQUESTER), IncomingChoice(choices.followup_answer(intro_id, "requester", 3)))
    clock.now += timedelta(hours=2)   # past the comment window
    engine.handle(_key(REQUESTER), IncomingMessage("宇陀市です"))
    with people.session() as session:
        assert (intros.get(session, intro_id).rating, intros.get(session, intro_id).comment) == (3, None)


@pytest.mark.parametrize("asker, side", [
    (ChatUser("terminal", "someone-else"), "requester"),   # not the requester
    (REQUESTER, "target"),                                  # the requester answering for the advisor
    (ChatUser("slack", "U0OTHER"), "target"),               # not the advisor
])
def test_only_the_person_asked_may_answer(engine: DialogueEngine, people: Database, asker: ChatUser,
                                          side: str) -> None:
    intro_id = _accepted(people)
    turn = engine.handle(_key(asker), IncomingChoice(choices.followup_answer(intro_id, side, 1)))
    assert "回答できません" in _texts(turn)
    with people.session() as session:
        assert intros.get(session, intro_id).rating is None and not (intros.get(session, intro_id).extra or {}).get(
            "feedback")


def test_the_advisor_answers_their_own_side(engine: DialogueEngine, people: Database) -> None:
    intro_id = _accepted(people)
    advisor = ChatUser("slack", "U0ADVT1")
    engine.handle(_key(advisor), IncomingChoice(choices.followup_answer(intro_id, "target", 2)))
    with people.session() as session:
        assert intros.get(session, intro_id).extra["feedback"]["target"]["rating"] == 2


@pytest.mark.parametrize("value", ["fu|999999|requester|4", "fu|1|requester|9", "fu|x|requester|4",
                                   "fu|1|boss|4", "fu|1|requester|" + "9" * 140])
def test_unknown_out_of_range_or_malformed_tokens_change_nothing(engine: DialogueEngine, people: Database,
                                                                 value: str) -> None:
    intro_id = _accepted(people)
    forged = value.replace("|1|", f"|{intro_id}|")
    turn = engine.handle(_key(REQUESTER), IncomingChoice(forged))
    assert turn.replies, "the engine answers"
    with people.session() as session:
        assert intros.get(session, intro_id).rating is None


def test_a_follow_up_of_an_introduction_never_accepted_is_closed(engine: DialogueEngine, people: Database) -> None:
    with people.session() as session:
        target = curation.find(session, "advisor", "adv-t2").id
        intro_id = intros.request(session, requester_platform=REQUESTER.platform, requester_id=REQUESTER.user_id,
                                  target_kind="advisor", target_id=target).id
    turn = engine.handle(_key(REQUESTER), IncomingChoice(choices.followup_answer(intro_id, "requester", 4)))
    assert "受け付けていません" in _texts(turn)
    with people.session() as session:
        assert intros.get(session, intro_id).rating is None
