"""One privacy rule for every delivery: no contact before acceptance, and never a contact or chat id in a note."""

from __future__ import annotations

import json

import pytest

from bot.dialogue.deliveries import compose
from bot.dialogue.replies import ChatUser, Delivery, Notice, Outbox, Secretariat
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge.db import Database
from knowledge.models import Consultation

REQUESTER = "U0REQUESTER"
ADVISOR_CONTACT, EMAIL = "U0ADVT1", "michiko@example.jp"   # adv-t1 is on Slack, adv-t2 by mail


def _request(db: Database, advisor: str) -> int:
    with db.session() as session:
        consultation = Consultation(platform="slack", user_id=REQUESTER, prefecture="奈良県", municipality="宇陀市",
                                    text="橋の点検", card={}, status="recommended")
        session.add(consultation)
        session.flush()
        return intros.request(session, requester_platform="slack", requester_id=REQUESTER, target_kind="advisor",
                              target_id=curation.find(session, "advisor", advisor).id,
                              consultation_id=consultation.id).id


def _all(deliveries: list[Delivery]) -> list[Delivery]:
    out: list[Delivery] = []
    for delivery in deliveries:
        out += [delivery, *_all(list(delivery.reached)), *_all(list(delivery.unreached))]
    return out


def _compose(db: Database, event: str, intro_id: int) -> list[Delivery]:
    with db.session() as session:
        return _all(compose(session, Notice(event, intro_id)))


def _shown(delivery: Delivery) -> str:
    return json.dumps([repr(r) for r in delivery.replies], ensure_ascii=False)


@pytest.mark.parametrize("advisor", ["adv-t1", "adv-t2"])
def test_before_acceptance_nobody_sees_a_contact_and_notes_never_do(people: Database, advisor: str) -> None:
    intro_id = _request(people, advisor)
    shown = _compose(people, "intro_requested", intro_id) + _compose(people, "intro_reminder", intro_id)
    assert len(shown) >= 3
    for delivery in shown:
        for secret in (REQUESTER, ADVISOR_CONTACT, EMAIL):
            assert secret not in _shown(delivery), (delivery.role, secret)
    notes = [d for d in shown if d.recipients == (Secretariat(),)]
    assert notes and all("奈良県宇陀市の方" in d.text for d in notes)   # the requester by place


def test_after_acceptance_both_contacts_go_to_both_people_and_not_into_the_note(people: Database) -> None:
    intro_id = _request(people, "adv-t1")
    with people.session() as session:
        intros.accept(session, intro_id, actor="test")
    (together, *follow_ups) = _compose(people, "intro_accepted", intro_id)
    assert set(together.recipients) == {ChatUser("slack", REQUESTER), ChatUser("slack", ADVISOR_CONTACT)}
    assert REQUESTER in _shown(together) and ADVISOR_CONTACT in _shown(together)
    assert follow_ups and all(d.recipients == (Secretariat(),) for d in follow_ups)
    for note in follow_ups:
        assert REQUESTER not in note.text and ADVISOR_CONTACT not in note.text


def test_declined_and_expired_news_go_to_the_requester_without_the_target_contact(people: Database) -> None:
    declined, expired = _request(people, "adv-t1"), _request(people, "adv-t2")
    with people.session() as session:
        intros.decline(session, declined, actor="test")
        intros.get(session, expired).state = "expired"
    for event, intro_id in (("intro_declined", declined), ("intro_expired", expired)):
        shown = _compose(people, event, intro_id)
        to_requester = [d for d in shown if d.role == "requester"]
        assert [d.recipients for d in to_requester] == [(ChatUser("slack", REQUESTER),)]
        assert len(shown) == 2
        for delivery in shown:
            assert ADVISOR_CONTACT not in _shown(delivery) and EMAIL not in _shown(delivery)
            assert REQUESTER not in (delivery.text if delivery.role == "secretariat" else "")


def test_an_email_contact_is_the_outbox_and_its_note_asks_for_mail(people: Database) -> None:
    intro_id = _request(people, "adv-t2")
    (request, note) = _compose(people, "intro_requested", intro_id)
    assert request.recipients == (Outbox(EMAIL),)
    assert request.reached == () and "メール" not in request.text and "事務局からご連絡ください" in note.text
