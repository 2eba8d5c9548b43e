"""Forget: personal data erased everywhere, statistics kept, audit without the erased values."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge.db import get_version
from knowledge.errors import ConflictError, NotFound
from knowledge.models import (
    AuditEntry,
    Consultation,
    ConversationReference,
    ConversationState,
    Introduction,
    SubIssue,
)
from bot.secretariat.erasure import ERASED, forget

NAME, CONTACT, EXPERTISE = "架空 橋太郎", "U0ADVT1", "橋梁の定期点検と長寿命化修繕計画"


def _dump_all(session) -> str:
    """Every stored text the erasure must clean, as one string."""
    parts = []
    for e in session.scalars(select(AuditEntry)):
        parts.append(json.dumps([e.before, e.after], ensure_ascii=False))
    for c in session.scalars(select(Consultation)):
        parts.append(c.text + json.dumps(c.card, ensure_ascii=False))
    for s in session.scalars(select(SubIssue)):
        parts.append(s.text + json.dumps(s.recommendations, ensure_ascii=False))
    for st in session.scalars(select(ConversationState)):
        parts.append(json.dumps(st.state, ensure_ascii=False))
    for i in session.scalars(select(Introduction)):
        parts.append((i.message or "") + json.dumps(i.extra, ensure_ascii=False))
    for r in session.scalars(select(ConversationReference)):
        parts.append(r.user_id)
    return "\n".join(parts)


@pytest.fixture
def mentioned(people):
    """A consultation, a conversation and an introduction that mention the advisor."""
    with people.session() as session:
        advisor = curation.find(session, "advisor", "adv-t1")
        consultation = Consultation(platform="slack", user_id="U_REQ", prefecture="奈良県", municipality="宇陀市",
                                    text=f"{NAME}さんに相談したい", card={"note": f"連絡先 {CONTACT}"})
        consultation.sub_issues.append(SubIssue(
            text="橋梁点検", fields=["bridge"], processes=["inspection"],
            recommendations={"advisor": [{"id": "adv-t1", "title": NAME, "contact": CONTACT}]}, best_score=0.8))
        session.add(consultation)
        session.add(ConversationState(key="slack|T|D|U_REQ", platform="slack", workspace="T", channel="D",
                                      user_id="U_REQ", state={"last": [NAME, {"c": CONTACT}]}))
        session.add(ConversationReference(platform="slack", user_id=CONTACT, reference={"channel": "D1"}))
        session.flush()
        intro = intros.request(session, requester_platform="slack", requester_id="U_REQ", target_kind="advisor",
                               target_id=advisor.id, consultation_id=consultation.id,
                               message=f"{NAME}様、よろしくお願いします")
        intros.accept(session, intro.id, actor="slack:U0ADVT1")
    return people


def test_forget_advisor_erases_everywhere_and_keeps_statistics(mentioned):
    with mentioned.session() as session:
        assert NAME in _dump_all(session) and CONTACT in _dump_all(session)
        version = get_version(session, "advisor")
        report = forget(session, "advisor", "adv-t1", actor="sec:alice")
        assert set(report.erased_fields) == {"name", "contact", "expertise"}
    with mentioned.session() as session:
        advisor = curation.find(session, "advisor", "adv-t1")
        assert (advisor.name, advisor.expertise, advisor.contact) == (ERASED, ERASED, None)
        assert advisor.forgotten and advisor.status == "retired"
        assert advisor.fields == ["bridge"] and advisor.prefecture == "奈良県"
        assert get_version(session, "advisor") == version + 1
        stored = _dump_all(session)
        for secret in (NAME, CONTACT, EXPERTISE):
            assert secret not in stored
        intro = session.scalars(select(Introduction)).one()
        assert intro.target_id == advisor.id and intro.state == "accepted"   # counts stay
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "forget")).one()
        assert entry.actor == "sec:alice" and entry.record_id == "adv-t1"
        assert set(entry.after["erased_fields"]) == {"name", "contact", "expertise"}
        assert session.scalars(select(ConversationReference)).all() == []


def test_forget_engineer_withdraws_consent(people):
    with people.session() as session:
        forget(session, "engineer", "eng-t1", actor="sec")
    with people.session() as session:
        engineer = curation.find(session, "engineer", "eng-t1")
        assert engineer.forgotten and not engineer.discoverable and engineer.contact is None
        assert engineer.municipality == "桜井市" and engineer.fields == ["sewerage"]
        assert "ichiro@example.jp" not in _dump_all(session) and "下水一郎" not in _dump_all(session)


def test_forget_twice_is_harmless_and_forgotten_cannot_be_edited_or_requested(people):
    with people.session() as session:
        forget(session, "advisor", "adv-t1", actor="sec")
    with people.session() as session:
        assert forget(session, "advisor", "adv-t1", actor="sec").already_forgotten
        advisor_id = curation.find(session, "advisor", "adv-t1").id
        with pytest.raises(ConflictError):
            curation.set_advisor_status(session, "adv-t1", "active", actor="sec")
        with pytest.raises(ConflictError):
            intros.request(session, requester_platform="slack", requester_id="U", target_kind="advisor",
                           target_id=advisor_id)


def test_forget_unknown_id(people):
    with people.session() as session, pytest.raises(NotFound, match="advisor list"):
        forget(session, "advisor", "nobody", actor="sec")
