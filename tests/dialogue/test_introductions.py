"""Introductions through the engine: request, the target's answer, the deliveries, no contact before acceptance."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.dialogue.deliveries import compose
from bot.dialogue.replies import Card, ChatUser, Delivery, Notice, Outbox, Text
from knowledge.errors import ConflictError
from knowledge.models import Advisor, AuditEntry, Engineer, Introduction
from tests.dialogue.conftest import ADVISOR_CONTACT, ENGINEER_CONTACT
from tests.dialogue.conversation import Conversation, all_choices, notices, results, texts

CONTACTS = (ADVISOR_CONTACT, ENGINEER_CONTACT, "kawada@example.jp", "UHIDDEN1", "UPAUSED1")


def _to_results(conv: Conversation, text: str = "奈良県宇陀市です。橋の点検を頼める人がいない。アドバイザーを紹介してほしい") -> None:
    conv.say(text)
    for _ in range(6):
        if any(isinstance(r, Card) for r in conv.last.replies):
            break
        conv.press(all_choices(conv.last)[0].label)
    conv.press("この内容で探す")


def _request_button(conv: Conversation, kind: str = "advisor", contact: str = ADVISOR_CONTACT) -> str:
    """The 紹介を依頼 value of the first person of ``kind`` shown, whose contact is set to ``contact``.

    Setting the contact keeps the tests independent of the ranking of the sample data.
    """
    for r in results(conv.last):
        for item in r.items:
            if item.kind == kind:
                model = Advisor if kind == "advisor" else Engineer
                with conv.engine.db.session() as s:
                    s.scalars(select(model).where(model.ext_id == item.id)).one().contact = contact
                return item.actions[0].value
    raise AssertionError(f"no {kind} among the results:\n{texts(conv.last)}")


def _delivery(engine, event: str, intro_id: int, role: str) -> Delivery:
    """The delivery of one notice to one side (``target``, ``requester``, ``participants``)."""
    with engine.db.session() as s:
        (delivery,) = [d for d in compose(s, Notice(event, intro_id)) if d.role == role]
    return delivery


def _view_text(view) -> str:
    out = []
    for r in view.replies:
        if isinstance(r, Text):
            out.append(r.text)
        elif isinstance(r, Card):
            out.extend(f"{a}: {b}" for a, b in r.fields)
    return "\n".join(out)


def test_request_accept_and_contacts_only_after_acceptance(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    turn = alice.press_value(_request_button(alice))
    assert "紹介を依頼しました" in texts(turn) and "承諾したあと" in texts(turn) and "事務局" in texts(turn)
    (notice,) = notices(turn)
    assert notice.event == "intro_requested"
    intro_id = notice.subject_id
    with seeded.session() as s:
        intro = s.get(Introduction, intro_id)
        assert intro.state == "requested" and intro.requester_id == "U_ALICE" and intro.sub_issue_id
    # The requested person's view: their chat id as recipient, the card, Accept/Decline, no requester contact.
    request_view = _delivery(engine, "intro_requested", intro_id, "target")
    assert request_view.recipients == (ChatUser("slack", ADVISOR_CONTACT),)
    shown = _view_text(request_view)
    assert "宇陀市" in shown and "橋梁" in shown and "U_ALICE" not in shown
    labels = [c.label for r in request_view.replies if isinstance(r, Card) for c in r.actions]
    assert labels == ["お受けする", "今回は見送る"]
    # Nothing the requester saw so far holds any contact of anyone.
    with seeded.session() as s:
        contacts = [c for m in (Advisor, Engineer) for c in s.scalars(select(m.contact)) if c]
    assert len(contacts) > 20
    for contact in contacts:
        assert contact not in alice.transcript()
    # The advisor accepts in their own DM.
    advisor = Conversation(engine, ADVISOR_CONTACT, channel="D_ADV")
    accept = next(c for r in request_view.replies if isinstance(r, Card) for c in r.actions if c.label == "お受けする")
    turn = advisor.press_value(accept.value)
    assert [n.event for n in notices(turn)] == ["intro_accepted"]
    accepted = _delivery(engine, "intro_accepted", intro_id, "participants")
    assert set(accepted.recipients) == {ChatUser("slack", "U_ALICE"), ChatUser("slack", ADVISOR_CONTACT)}
    assert [r.user_id for r in accepted.recipients if isinstance(r, ChatUser) and r.platform == "slack"] == [
        "U_ALICE", ADVISOR_CONTACT]
    shown = _view_text(accepted)
    assert ADVISOR_CONTACT in shown and "U_ALICE" in shown and "橋梁" in shown
    with seeded.session() as s:
        assert s.get(Introduction, intro_id).state == "accepted"
        assert s.scalars(select(AuditEntry.action).where(AuditEntry.kind == "introduction")).all() == [
            "intro_request", "intro_accepted"]


def test_accepted_view_refuses_before_acceptance(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice)))[0].subject_id
    with pytest.raises(ConflictError):
        _delivery(engine, "intro_accepted", intro_id, "participants")


def test_only_the_target_can_answer_and_twice_is_polite(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice)))[0].subject_id
    view = _delivery(engine, "intro_requested", intro_id, "target")
    accept = next(c for r in view.replies if isinstance(r, Card) for c in r.actions if c.label == "お受けする")
    turn = alice.press_value(accept.value)              # the requester tries to accept it herself
    assert "ご本人だけ" in texts(turn) and not notices(turn)
    advisor = Conversation(engine, ADVISOR_CONTACT, channel="D_ADV")
    advisor.press_value(accept.value)
    again = advisor.press_value(accept.value)
    assert "すでに" in texts(again) and not notices(again)


def test_repeated_request_is_not_duplicated(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    button = _request_button(alice)
    alice.press_value(button)
    turn = alice.press_value(button)
    assert "依頼済み" in texts(turn) and not notices(turn)
    with seeded.session() as s:
        assert len(s.scalars(select(Introduction)).all()) == 1


def test_decline_offers_the_next_candidate(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice)))[0].subject_id
    with seeded.session() as s:
        declined_id = s.get(Advisor, s.get(Introduction, intro_id).target_id).ext_id
    view = _delivery(engine, "intro_requested", intro_id, "target")
    decline = next(c for r in view.replies if isinstance(r, Card) for c in r.actions if c.label == "今回は見送る")
    advisor = Conversation(engine, ADVISOR_CONTACT, channel="D_ADV")
    turn = advisor.press_value(decline.value)
    assert [n.event for n in notices(turn)] == ["intro_declined"]
    declined = _delivery(engine, "intro_declined", intro_id, "requester")
    assert declined.recipients == (ChatUser("slack", "U_ALICE"),)
    assert "お受けできない" in _view_text(declined)
    (candidates,) = [r for r in declined.replies if hasattr(r, "items")]
    (item,) = candidates.items
    assert item.kind == "advisor" and item.id != declined_id
    for contact in CONTACTS:
        assert contact not in _view_text(declined) and contact not in item.detail
    # The requester presses 紹介を依頼 on the next candidate from that message.
    turn = alice.press_value(item.actions[0].value)
    assert [n.event for n in notices(turn)] == ["intro_requested"]


def test_engineer_on_teams_gets_a_teams_recipient(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice, "奈良県宇陀市です。町道橋の点検を、近くの自治体の技術者に聞きたい")
    turn = alice.press_value(_request_button(alice, "engineer", ENGINEER_CONTACT))
    intro_id = notices(turn)[0].subject_id
    view = _delivery(engine, "intro_requested", intro_id, "target")
    assert view.recipients == (ChatUser("teams", "aad-engineer-1"),)
    target = Conversation(engine, "aad-engineer-1", platform="teams", workspace="tenant", channel="conv-1")
    accept = next(c for r in view.replies if isinstance(r, Card) for c in r.actions if c.label == "お受けする")
    assert notices(target.press_value(accept.value))[0].event == "intro_accepted"
    accepted = _delivery(engine, "intro_accepted", intro_id, "participants")
    assert set(accepted.recipients) == {ChatUser("slack", "U_ALICE"), ChatUser("teams", "aad-engineer-1")}


def test_email_contacts_have_no_chat_recipient(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice, "advisor", "someone@example.jp")))[0].subject_id
    assert _delivery(engine, "intro_requested", intro_id, "target").recipients == (Outbox("someone@example.jp"),)


def test_someone_elses_request_button_is_refused(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    button = _request_button(alice)
    bob = Conversation(engine, "U_BOB")
    turn = bob.press_value(button)
    assert "別の方" in texts(turn) and not notices(turn)


def test_forged_request_for_someone_not_recommended_is_refused(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    button = _request_button(alice)
    with seeded.session() as s:
        paused = s.scalars(select(Advisor.id).where(Advisor.ext_id == "dlg-adv-3")).one()
    forged = "|".join(button.split("|")[:3] + [str(paused)])
    turn = alice.press_value(forged)
    assert "含まれていません" in texts(turn) and not notices(turn)


def test_capacity_full_is_a_polite_reply(engine, seeded):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice)))[0].subject_id
    with seeded.session() as s:   # the advisor's capacity is lowered before they answer
        s.get(Advisor, s.get(Introduction, intro_id).target_id).capacity = 0
    view = _delivery(engine, "intro_requested", intro_id, "target")
    accept = next(c for r in view.replies if isinstance(r, Card) for c in r.actions if c.label == "お受けする")
    turn = Conversation(engine, ADVISOR_CONTACT, channel="D_ADV").press_value(accept.value)
    assert "上限" in texts(turn) and not notices(turn)


def test_user_overview_lists_consultations_and_introductions(engine):
    alice = Conversation(engine, "U_ALICE")
    _to_results(alice)
    intro_id = notices(alice.press_value(_request_button(alice)))[0].subject_id
    overview = engine.user_overview("slack", "U_ALICE")
    assert len(overview.consultations) == 1
    assert overview.consultations[0].municipality == "奈良県宇陀市"
    assert "橋梁" in overview.consultations[0].summary
    (intro,) = overview.introductions
    assert (intro.id, intro.role, intro.state) == (intro_id, "requester", "requested")
    with engine.db.session() as s:
        assert intro.counterpart == s.get(Advisor, s.get(Introduction, intro_id).target_id).name
    target_side = engine.user_overview("slack", ADVISOR_CONTACT)
    assert [(i.id, i.role) for i in target_side.introductions] == [(intro_id, "target")]
    assert "U_ALICE" not in target_side.introductions[0].counterpart
