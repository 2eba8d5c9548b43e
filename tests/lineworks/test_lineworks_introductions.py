"""Introductions to and from LINE WORKS members, through signed callbacks and the fake API only.

The advisor asked is a LINE WORKS member (``lineworks:<userId>``): the request reaches their 1:1 chat with
Accept / Decline, acceptance gives both sides both contacts, a decline offers the requester the next
candidate, and the secretariat's LINE WORKS member hears of each step without any contact or chat id.
"""

from __future__ import annotations

import json

from lineworks_stack import (
    REQUEST_INTRO,
    SECRETARIAT_MEMBER,
    ChatUser,
    Stack,
    buttons,
    consult_until_results,
    texts,
)
from sqlalchemy import select, update

from bot.dialogue import messages
from knowledge.db import Database
from knowledge.models import Advisor, Engineer, Introduction

ACCEPT = messages.say("ja", "intro_accept")
DECLINE = messages.say("ja", "intro_decline")
CARD_TITLE = messages.say("ja", "intro_card_title")


def everyone_is(db: Database, contact: str) -> None:
    """Whoever is recommended is reached at ``contact``."""
    with db.session() as session:
        session.execute(update(Advisor).values(contact=contact))
        session.execute(update(Engineer).values(contact=contact))


def raw(user: ChatUser) -> str:
    return json.dumps([call.content for call in user.received()], ensure_ascii=False)


def the_one(db: Database) -> Introduction:
    with db.session() as session:
        intro = session.scalars(select(Introduction)).one()
        session.expunge(intro)
        return intro


def ask_for_an_introduction(lineworks: Stack, requester: ChatUser, target: ChatUser) -> dict[str, str]:
    """The requester consults and presses 紹介を依頼; the buttons of the request the target got."""
    offered = consult_until_results(requester)
    target.new()
    assert requester.presses(offered[REQUEST_INTRO]) == 200
    request = target.new()
    assert request, "the request reached the target's 1:1 chat"
    assert all(call.kind == "user" for call in request)
    return buttons(request)


def test_a_full_consultation_ends_with_an_introduction_a_lineworks_member_accepts(
    lineworks: Stack, sample_db: Database
) -> None:
    requester, target = lineworks.user("uda-requester"), lineworks.user("bridge-advisor")
    secretariat = lineworks.user(SECRETARIAT_MEMBER)
    everyone_is(sample_db, f"lineworks:{target.user_id}")

    offered = ask_for_an_introduction(lineworks, requester, target)
    assert ACCEPT in offered and DECLINE in offered
    assert target.user_id not in raw(requester)                    # no contact before acceptance …
    assert requester.user_id not in raw(target)                    # … on either side
    assert the_one(sample_db).state == "requested"
    note = texts(secretariat.new())
    assert messages.say("ja", "note_reached", platform="LINE WORKS") in note   # the request, and chat reached them

    assert target.presses(offered[ACCEPT], ACCEPT) == 200
    to_requester, to_target = texts(requester.new()), texts(target.new())
    for card in (to_requester, to_target):                       # both contacts, to both sides
        assert CARD_TITLE in card and f"lineworks:{target.user_id}" in card and requester.user_id in card
    intro = the_one(sample_db)
    assert intro.state == "accepted" and (intro.requester_platform, intro.requester_id) == ("lineworks",
                                                                                           requester.user_id)
    notes = [texts([call]) for call in secretariat.received()]
    assert len(notes) == 2 and all(f"#{intro.id}" in note for note in notes)
    assert not any(user in note for note in notes for user in (requester.user_id, target.user_id))  # no chat id
    assert {call.status for call in lineworks.fake.log.calls() if call.kind != "token"} == {201}


def test_a_decline_offers_the_requester_the_next_candidate(lineworks: Stack, sample_db: Database) -> None:
    requester, target = lineworks.user("hopeful-requester"), lineworks.user("busy-advisor")
    secretariat = lineworks.user(SECRETARIAT_MEMBER)
    everyone_is(sample_db, f"lineworks:{target.user_id}")
    offered = ask_for_an_introduction(lineworks, requester, target)
    requester.new()

    assert target.presses(offered[DECLINE], DECLINE) == 200
    news = requester.new()
    assert news and messages.say("ja", "intro_next_candidate") in texts(news)
    assert REQUEST_INTRO in buttons(news)                          # the next candidate, ready to ask
    assert f"lineworks:{target.user_id}" not in raw(requester)
    assert the_one(sample_db).state == "declined"
    notes = texts(secretariat.received())
    assert "見送り" in notes and target.user_id not in notes and requester.user_id not in notes

    assert requester.presses(buttons(news)[REQUEST_INTRO]) == 200   # asking the next one is a new request
    with sample_db.session() as session:
        states = sorted(session.scalars(select(Introduction.state)))
    assert states == ["declined", "requested"]


def test_the_request_can_only_be_answered_by_the_member_asked(lineworks: Stack, sample_db: Database) -> None:
    requester, target = lineworks.user("eager-requester"), lineworks.user("careful-advisor")
    everyone_is(sample_db, f"lineworks:{target.user_id}")
    offered = ask_for_an_introduction(lineworks, requester, target)
    intruder = lineworks.user("someone-else")
    assert intruder.presses(offered[ACCEPT], ACCEPT) == 200
    assert messages.say("ja", "intro_not_target") in texts(intruder.new())   # told politely, …
    assert the_one(sample_db).state == "requested"                 # … and nothing changed
    assert target.user_id not in raw(intruder) and requester.user_id not in raw(intruder)


def test_a_press_on_an_answered_request_changes_nothing(lineworks: Stack, sample_db: Database) -> None:
    requester, target = lineworks.user("twice-requester"), lineworks.user("twice-advisor")
    everyone_is(sample_db, f"lineworks:{target.user_id}")
    offered = ask_for_an_introduction(lineworks, requester, target)
    assert target.presses(offered[ACCEPT], ACCEPT) == 200
    target.new()
    requester.new()
    assert target.presses(offered[DECLINE], DECLINE) == 200        # the old card's other button, later
    conflict = messages.say("ja", "intro_conflict", state=messages.label("state", "accepted", "ja"))
    assert conflict in texts(target.new()) and requester.new() == []   # the target is answered, nobody else told
    assert the_one(sample_db).state == "accepted"
