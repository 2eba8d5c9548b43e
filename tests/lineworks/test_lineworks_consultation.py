"""Whole conversations through signed callbacks; what the bot sends is captured by the fake API."""

from __future__ import annotations

import json
import threading

from lineworks_stack import PROBLEM, REQUEST_INTRO, SEARCH, ChatUser, Stack, buttons, consult_until_results, event, texts
from sqlalchemy import select

from bot.dialogue import messages
from bot.lineworks.fake_api import ApiCall, content_problems
from knowledge.db import Database
from knowledge.models import Advisor, ConversationState, Engineer, Introduction


def flex_contents(calls: list[ApiCall]) -> list[dict[str, object]]:
    return [call.content["contents"] for call in calls if call.content.get("type") == "flex"]


def test_a_full_consultation_in_a_one_to_one_chat_ends_with_results_offering_introductions(
    lineworks: Stack, sample_db: Database
) -> None:
    user = lineworks.user("uda-user-1")
    offered = consult_until_results(user, "橋の点検を頼める人がいない", "奈良県宇陀市です")
    assert REQUEST_INTRO in offered
    calls = user.received()
    assert calls and all(call.kind == "user" and call.target == "uda-user-1" for call in calls)
    assert {call.status for call in lineworks.fake.log.calls("user")} == {201}   # nothing broke a limit
    kinds = {call.content["type"] for call in calls}
    assert {"text", "flex"} <= kinds
    assert any("quickReply" in call.content for call in calls)    # questions one may also answer by typing
    assert messages.say("ja", "card_title") in texts(calls)                         # the 課題カード
    carousels = [c for c in flex_contents(calls) if c.get("type") == "carousel"]
    assert carousels, "results come as flexible-template carousels"
    assert len(lineworks.fake.log.calls("token")) == 1                              # one token for every message


def test_requesting_an_introduction_records_it_and_shows_no_contact(lineworks: Stack, sample_db: Database) -> None:
    user = lineworks.user("uda-user-2")
    offered = consult_until_results(user)
    assert user.presses(offered[REQUEST_INTRO]) == 200
    answer = texts(user.new())
    assert "紹介" in answer
    with sample_db.session() as session:
        intro = session.scalars(select(Introduction)).one()
        assert (intro.requester_platform, intro.requester_id, intro.state) == ("lineworks", "uda-user-2", "requested")
        model = Advisor if intro.target_kind == "advisor" else Engineer
        contact = session.get(model, intro.target_id).contact
    assert contact and contact not in texts(user.received())   # no contact before acceptance


def test_english_messages_get_english_replies(lineworks: Stack, sample_db: Database) -> None:
    user = lineworks.user("english-user")
    assert user.says("Hello, nobody in our town can inspect the bridges. We are in Uda, Nara.") == 200
    said = texts(user.new())
    assert said and "こんにちは" not in said and any(word in said for word in ("Hello", "bridge", "Please"))


def test_a_button_from_a_stale_card_gets_a_polite_answer(lineworks: Stack, sample_db: Database) -> None:
    user = lineworks.user("stale-user")
    user.says(PROBLEM)
    old = buttons(user.new())
    assert old
    user.says("やり直し")
    user.new()
    assert user.presses(next(iter(old.values()))) == 200
    answer = texts(user.new())
    polite = [messages.say("ja", key).split("。")[0] for key in ("stale_choice", "expired_choice", "unknown_choice")]
    assert any(sentence in answer for sentence in polite), answer


def test_a_ten_thousand_character_message_is_read_in_part_and_every_reply_fits(lineworks: Stack) -> None:
    user = lineworks.user("long-writer")
    assert user.says("橋の点検が回りません。" * 1000) == 200
    said = user.new()
    assert said and messages.say("ja", "truncated", limit=2000).split("、")[0] in texts(said)
    assert {call.status for call in lineworks.fake.log.calls("user")} == {201}
    assert [content_problems(call.content) for call in said] == [[]] * len(said)


def test_markup_and_mentions_in_a_message_never_become_a_mention_in_a_reply(
    lineworks: Stack, sample_db: Database
) -> None:
    user = lineworks.user("markup-user")
    hostile = PROBLEM + '<m userId="all"> <b>至急</b> <script>alert(1)</script> <m userId="boss@example.com">'
    assert user.says(hostile) == 200
    sent = user.new()
    raw = json.dumps([call.content for call in sent], ensure_ascii=False)
    assert messages.say("ja", "card_title") in raw and "至急" in raw     # the card repeats what was written …
    assert "<m " not in raw and "userId" not in raw and "<script" not in raw   # … but no markup of it


def test_in_a_group_only_messages_that_mention_the_bot_are_answered_in_the_group(lineworks: Stack) -> None:
    member = lineworks.user("member-1", channel="group-room-1")
    assert member.says("今日の会議は何時からでしたっけ") == 200
    assert member.new() == []
    assert member.says("@gunmane 橋の点検を頼める人がいません") == 200
    answered = member.new()
    assert answered and all(call.kind == "channel" and call.target == "group-room-1" for call in answered)
    assert lineworks.delivered("member-1") == []        # nothing went to the member's 1:1 chat


def test_in_a_group_another_member_cannot_answer_someone_elses_question(lineworks: Stack) -> None:
    asker = lineworks.user("asker", channel="group-room-2")
    other = lineworks.user("bystander", channel="group-room-2")
    asker.says("@gunmane 奈良県宇陀市です。橋の点検を頼める人がいません")
    offered = buttons(asker.new())
    assert offered
    other.presses(next(iter(offered.values())))
    answer = texts(other.new())
    assert messages.say("ja", "foreign_choice").split("。")[0] in answer


def test_the_bot_greets_a_group_it_joins_and_says_to_mention_it(lineworks: Stack) -> None:
    assert lineworks.send(event("join", None, "new-room")) == 200
    lineworks.wait()
    greeting = texts(lineworks.delivered("new-room"))
    assert messages.say("ja", "greeting")[:10] in greeting and "@gunmane" in greeting
    assert lineworks.send(event("left", None, "new-room", members=["someone"])) == 200
    lineworks.wait()
    assert len(lineworks.delivered("new-room")) == 1


def test_a_sticker_in_a_one_to_one_chat_is_asked_to_be_put_in_words(lineworks: Stack) -> None:
    body = event("message", "sticker-user", content={"type": "sticker", "packageId": "1", "stickerId": "2"})
    assert lineworks.send(body) == 200
    lineworks.wait()
    assert messages.say("ja", "empty") in texts(lineworks.delivered("sticker-user"))


def test_two_users_at_once_each_get_their_own_conversation(lineworks: Stack, sample_db: Database) -> None:
    first, second = lineworks.user("parallel-a"), lineworks.user("parallel-b")
    start = threading.Barrier(2)
    statuses: list[int] = []

    def talk(user: ChatUser, text: str) -> None:
        start.wait(timeout=30)
        statuses.append(lineworks.send(event("message", user.user_id, content={"type": "text", "text": text})))

    threads = [threading.Thread(target=talk, args=(first, PROBLEM)),
               threading.Thread(target=talk, args=(second, "Our town has no one to inspect bridges, Uda Nara."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    lineworks.wait()
    assert statuses == [200, 200]
    to_first, to_second = texts(first.received()), texts(second.received())
    assert "こんにちは" in to_first and "Hello" in to_second          # each in their own language
    with sample_db.session() as session:
        keys = set(session.scalars(select(ConversationState.key)))
    assert {"lineworks|40029600|parallel-a|parallel-a", "lineworks|40029600|parallel-b|parallel-b"} <= keys


def test_a_postback_event_is_a_button_press_too(lineworks: Stack) -> None:
    user = lineworks.user("postback-user")
    user.says("奈良県宇陀市です。橋の点検を頼める人がいません")
    offered = buttons(user.new())
    assert offered
    assert lineworks.send(event("postback", user.user_id, data=next(iter(offered.values())))) == 200
    lineworks.wait()
    answer = user.new()
    assert answer and messages.say("ja", "unknown_choice").split("。")[0] not in texts(answer)


def test_a_lone_surrogate_in_a_message_gets_a_real_reply_not_a_failure(lineworks: Stack, sample_db: Database) -> None:
    """A callback's JSON may carry ``"\\ud800"``: the engine reads it as U+FFFD, the consultation is stored."""
    user = lineworks.user("surrogate-user")
    raw = json.dumps(event("message", user.user_id, content={"type": "text", "text": PROBLEM + "\ud800"})).encode()
    assert b"\\ud800" in raw and lineworks.send(raw) == 200
    lineworks.wait()
    for _ in range(8):
        offered = buttons(user.new())
        if REQUEST_INTRO in offered:
            break
        assert offered, texts(user.received())
        assert user.presses(offered[SEARCH] if SEARCH in offered else next(iter(offered.values()))) == 200
    assert REQUEST_INTRO in offered
    assert "うまく処理できませんでした" not in texts(user.received())
