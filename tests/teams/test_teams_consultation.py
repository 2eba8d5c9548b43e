"""Whole conversations through the HTTP endpoint, replies captured by the fake connector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update
from teams_stack import TeamsStack, TeamsUser, card_choices

from bot.dialogue import messages
from bot.teams.fake_connector import ConnectorCall
from knowledge.db import Database
from knowledge.models import Advisor, Engineer, Introduction
from knowledge.sample import seed_sample

PROBLEM = "奈良県宇陀市の土木担当です。村道の橋梁の定期点検を頼める技術者がいなくて困っています。アドバイザーに相談したい"
REQUEST_INTRO = messages.say("ja", "request_intro")
SEARCH = messages.say("ja", "accept")
ACCEPT_INTRO = messages.say("ja", "intro_accept")


@pytest.fixture
def sample_db(db: Database) -> Iterator[Database]:
    with db.session() as session:
        seed_sample(session)
    yield db


def choices_since(stack: TeamsStack, user: TeamsUser, seen: int) -> dict[str, str]:
    """Every button of the messages the bot posted to ``user`` after the first ``seen`` ones."""
    found: dict[str, str] = {}
    for call in stack.messages_to(user)[seen:]:
        found.update(card_choices(call))
    return found


def consult_until_results(stack: TeamsStack, user: TeamsUser) -> dict[str, str]:
    """Describe the problem, answer whatever is asked with the first option, confirm the card;
    the buttons of the results."""
    seen = len(stack.messages_to(user))
    assert user.says(PROBLEM) == 202
    for _ in range(8):
        buttons = choices_since(stack, user, seen)
        if REQUEST_INTRO in buttons:
            return buttons
        seen = len(stack.messages_to(user))
        if SEARCH in buttons:
            assert user.clicks(buttons[SEARCH]) == 202
        else:
            assert buttons, [call.text for call in stack.messages_to(user)]
            assert user.clicks(next(iter(buttons.values()))) == 202
    raise AssertionError("no results after 8 answers")


def everything_said_to(stack: TeamsStack, user: TeamsUser) -> str:
    return "\n".join(call.text + repr(call.adaptive_cards) for call in stack.messages_to(user))


def test_full_consultation_in_a_personal_chat_ends_with_results_offering_introductions(
    teams_http: TeamsStack, sample_db: Database
) -> None:
    user = teams_http.user("aad-uda", "宇陀 花子")
    buttons = consult_until_results(teams_http, user)
    assert REQUEST_INTRO in buttons
    calls = teams_http.messages_to(user)
    assert all(call.operation == "reply" for call in calls)  # every answer goes back into the same chat
    titles = [card["body"][0].get("text") for call in calls for card in call.adaptive_cards]
    assert messages.say("ja", "card_title") in titles       # the 課題カード was shown for confirmation
    results = [c for call in calls for c in call.adaptive_cards
               if any(item.get("type") == "Container" for item in c["body"])]
    assert results, "results come as Adaptive Cards with one container per match"


def test_a_card_submit_is_answered_in_the_chat_it_came_from(teams_http: TeamsStack, sample_db: Database) -> None:
    user = teams_http.user("aad-submit")
    assert user.says(PROBLEM) == 202
    before = len(teams_http.messages_to(user))
    first_value = next(iter(choices_since(teams_http, user, 0).values()))
    assert user.clicks(first_value) == 202
    after = teams_http.messages_to(user)[before:]
    assert after and all(call.activity_id is not None for call in after)  # replies to the submit activity


def test_a_stale_card_button_over_http_gets_a_polite_answer(teams_http: TeamsStack, sample_db: Database) -> None:
    user = teams_http.user("aad-stale")
    assert user.says(PROBLEM) == 202
    old_buttons = choices_since(teams_http, user, 0)
    assert user.says("やり直し") == 202
    before = len(teams_http.messages_to(user))
    assert user.clicks(next(iter(old_buttons.values()))) == 202
    answer = " ".join(call.text for call in teams_http.messages_to(user)[before:])
    polite = [messages.say("ja", key).split("。")[0] for key in ("stale_choice", "expired_choice", "unknown_choice")]
    assert any(sentence in answer for sentence in polite), answer


def test_introduction_to_a_teams_user_runs_end_to_end(teams_http: TeamsStack, sample_db: Database) -> None:
    target = teams_http.user("aad-target-advisor", "橋梁 先生")
    requester = teams_http.user("aad-requester", "宇陀 花子")
    contact = f"teams:{target.aad_id}"
    with sample_db.session() as session:  # whoever is recommended is this Teams user
        session.execute(update(Advisor).values(contact=contact))
        session.execute(update(Engineer).values(contact=contact))

    assert target.says("こんにちは") == 202  # the target has a 1:1 chat with the bot: its reference is stored
    target_seen = len(teams_http.messages_to(target))

    buttons = consult_until_results(teams_http, requester)
    assert contact not in everything_said_to(teams_http, requester)  # no contact before acceptance
    assert requester.clicks(buttons[REQUEST_INTRO]) == 202

    # the target is reached proactively, in their own chat, with Accept / Decline
    (request,) = teams_http.messages_to(target)[target_seen:][-1:]
    assert request.conversation_id == target.conversation_id
    # posted by continue_conversation: it answers no activity the target sent (the SDK's continuation id)
    assert request.activity_id is not None and not request.activity_id.startswith(target.aad_id)
    offered = card_choices(request)
    assert ACCEPT_INTRO in offered and messages.say("ja", "intro_decline") in offered
    assert requester.aad_id not in everything_said_to(teams_http, target)
    with sample_db.session() as session:
        assert session.query(Introduction).one().state == "requested"

    requester_seen = len(teams_http.messages_to(requester))
    assert target.clicks(offered[ACCEPT_INTRO]) == 202

    card_title = messages.say("ja", "intro_card_title")

    def introduction_card(calls: list[ConnectorCall]) -> str:
        (card,) = [c for call in calls for c in call.adaptive_cards if c["body"][0].get("text") == card_title]
        return repr(card)

    to_requester = introduction_card(teams_http.messages_to(requester)[requester_seen:])
    to_target = introduction_card(teams_http.messages_to(target)[-3:])
    for card in (to_requester, to_target):
        assert contact in card and requester.aad_id in card  # both contacts, to both sides
    with sample_db.session() as session:
        assert session.query(Introduction).one().state == "accepted"


def _everyone_is(db: Database, contact: str) -> None:
    with db.session() as session:
        session.execute(update(Advisor).values(contact=contact))
        session.execute(update(Engineer).values(contact=contact))


def test_a_declined_introduction_reaches_the_requester_and_the_secretariat_hears_of_each_step(
    teams_http_with_secretariat: TeamsStack, sample_db: Database
) -> None:
    teams_http = teams_http_with_secretariat
    secretariat = teams_http.user("aad-secretariat-1", "事務局")
    secretariat.says("こんにちは")
    secretariat_seen = len(teams_http.messages_to(secretariat))
    target = teams_http.user("aad-busy-advisor")
    requester = teams_http.user("aad-asker")
    _everyone_is(sample_db, f"teams:{target.aad_id}")
    target.says("こんにちは")
    buttons = consult_until_results(teams_http, requester)
    requester.clicks(buttons[REQUEST_INTRO])
    offered = card_choices(teams_http.messages_to(target)[-1])
    seen = len(teams_http.messages_to(requester))
    assert target.clicks(offered[messages.say("ja", "intro_decline")]) == 202
    news = teams_http.messages_to(requester)[seen:]
    assert news and news[0].activity_id is not None and not news[0].activity_id.startswith(target.aad_id)
    assert f"teams:{target.aad_id}" not in everything_said_to(teams_http, requester)
    with sample_db.session() as session:
        intro = session.query(Introduction).one()
        assert intro.state == "declined"
    notes = [call.text for call in teams_http.messages_to(secretariat)[secretariat_seen:]]
    assert len(notes) == 2 and all(f"#{intro.id}" in text for text in notes)
    assert "本人に Teams で依頼を届けました" in notes[0] and "見送り" in notes[1]
    assert not any(target.aad_id in text or requester.aad_id in text for text in notes)  # no contacts


def test_a_teams_user_without_a_chat_with_the_bot_cannot_be_reached_and_the_requester_is_told(
    teams_http: TeamsStack, sample_db: Database
) -> None:
    _everyone_is(sample_db, "teams:aad-never-installed")
    requester = teams_http.user("aad-hopeful")
    buttons = consult_until_results(teams_http, requester)
    seen = len(teams_http.messages_to(requester))
    requester.clicks(buttons[REQUEST_INTRO])
    said = " ".join(call.text for call in teams_http.messages_to(requester)[seen:])
    assert "直接お知らせできませんでした" in said
    assert [call.conversation_id for call in teams_http.connector.log.calls()
            if call.conversation_id != requester.conversation_id] == []


def test_when_the_connector_fails_for_the_target_the_requester_still_gets_an_answer(
    teams_http: TeamsStack, sample_db: Database
) -> None:
    target = teams_http.user("aad-unlucky")
    requester = teams_http.user("aad-patient")
    _everyone_is(sample_db, f"teams:{target.aad_id}")
    target.says("こんにちは")
    teams_http.connector.log.fail_conversation(target.conversation_id)
    buttons = consult_until_results(teams_http, requester)
    seen = len(teams_http.messages_to(requester))
    assert requester.clicks(buttons[REQUEST_INTRO]) == 202
    said = " ".join(call.text for call in teams_http.messages_to(requester)[seen:])
    assert "直接お知らせできませんでした" in said
    with sample_db.session() as session:  # the request itself stands, for the secretariat to follow up
        assert session.query(Introduction).one().state == "requested"
