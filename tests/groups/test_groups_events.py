"""New-technology events: creation, invitations (members in chat, vendors by mail), RSVPs, adoption."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.secretariat import events, groups
from bot.secretariat import group_consent as consent
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import AdoptionAnswer, AuditEntry
from matching.embedders.fake import FakeEmbedder
from matching.groups import Params

DAY = date(2027, 6, 1)


@pytest.fixture
def group_id(imported):
    suggestion = next(s for s in groups.suggest(imported, FakeEmbedder(), Params()) if s.fields == ("bridge",))
    with imported.session() as session:
        gid = groups.create_group(session, suggestion.id, name="橋梁点検", actor="tester").id
        consent.invite(session, gid, actor="tester")
        consent.answer_invitation(session, gid, "曽爾村", "accept", actor="tester")
        consent.answer_invitation(session, gid, "御杖村", "accept", actor="tester")
        consent.answer_invitation(session, gid, "東吉野村", "decline", actor="tester")
    return gid


def create(db, gid, **kwargs):
    options = {"online_url": "https://meet.example.jp/abc"} | kwargs
    with db.session() as session:
        return events.create_event(session, gid, ["KT-190018-A"], DAY, actor="tester", **options).id


def test_invitations_go_to_accepted_members_and_vendors_by_mail(imported, group_id):
    event_id = create(imported, group_id)
    with imported.session() as session:
        sent = events.event_invitations(session, event_id, actor="tester")
        assert not events.event_invitations(session, event_id, actor="tester").members   # once
    assert sorted(m.body for m in sent.members) == ["御杖村", "曽爾村"]           # never the decliner or the silent
    assert [c for c, _ in sent.members[0].choices] == ["attend", "decline"]
    (mail,) = sent.vendors
    assert mail.address == "sales@drone.example.jp" and "2団体" in mail.text
    assert "曽爾村" not in mail.text                                            # vendors see counts, not bodies
    with imported.session() as session:
        view = events.event_view(session, event_id)
    assert view["technologies"][0]["contact"] is None                          # not before the vendor accepts
    with imported.session() as session:
        events.record_vendor_answer(session, event_id, "KT-190018-A", accept=True, actor="tester")
        assert events.event_view(session, event_id)["technologies"][0]["contact"] == "sales@drone.example.jp"


def test_rsvp_and_adoption_answers_are_recorded(imported, group_id):
    event_id = create(imported, group_id, online_url=None, venue="宇陀市役所 3階会議室")
    with imported.session() as session:
        events.event_invitations(session, event_id, actor="tester")
        events.record_rsvp(session, event_id, "曽爾村", attending=True, actor="tester")
        events.record_rsvp(session, event_id, "御杖村", attending=False, actor="tester")
        assert events.adoption_questions(session, event_id, today=DAY) == []           # not before the day
        (question,) = events.adoption_questions(session, event_id, today=date(2027, 6, 2))
        assert question.body == "曽爾村" and [c for c, _ in question.choices] == ["consider", "pass"]
        events.record_adoption(session, event_id, "曽爾村", "KT-190018-A", "consider", actor="tester",
                               today=date(2027, 6, 2))
        events.record_adoption(session, event_id, "曽爾村", "KT-190018-A", "pass", actor="tester",
                               today=date(2027, 6, 3))                                # a change of mind replaces
        assert events.adoption_questions(session, event_id, today=date(2027, 6, 2)) == []
        with pytest.raises(ConflictError, match="attended"):
            events.record_adoption(session, event_id, "御杖村", "KT-190018-A", "consider", actor="t",
                                   today=date(2027, 6, 2))
        answers = list(session.scalars(select(AdoptionAnswer)))
        view = events.event_view(session, event_id)
        actions = [e.action for e in session.scalars(
            select(AuditEntry).where(AuditEntry.kind == "event").order_by(AuditEntry.id))]
    assert [a.answer for a in answers] == ["pass"]
    assert view["technologies"][0]["pass"] == 1 and view["venue"] == "宇陀市役所 3階会議室"
    assert {p["body"]: p["rsvp"] for p in view["participants"]} == {"曽爾村": "attending", "御杖村": "not_attending"}
    assert actions == ["create", "invite", "rsvp", "rsvp", "adoption", "adoption"]


def test_an_uninvited_member_cannot_answer(imported, group_id):
    event_id = create(imported, group_id)
    with pytest.raises(ConflictError, match="not been invited"), imported.session() as session:
        events.record_rsvp(session, event_id, "曽爾村", attending=True, actor="tester")
    with imported.session() as session:
        events.event_invitations(session, event_id, actor="tester")
    with pytest.raises(ConflictError, match="only members who accepted"), imported.session() as session:
        events.record_rsvp(session, event_id, "東吉野村", attending=True, actor="tester")   # declined the group
    with pytest.raises(ValidationFailed, match="consider"), imported.session() as session:
        events.record_adoption(session, event_id, "曽爾村", "KT-190018-A", "maybe", actor="t", today=date(2027, 7, 1))


@pytest.mark.parametrize("techs, kwargs, message", [
    (["KT-190018-A"], {"online_url": "https://x.example.jp", "venue": "役場"}, "exactly one"),
    (["KT-190018-A"], {}, "exactly one"),
    (["KT-190018-A"], {"online_url": "javascript:alert(1)"}, "not a web address"),
    (["KT-190018-A"], {"venue": "   "}, "is empty"),
    (["KT-190018-A"], {"venue": "x" * 501}, "at most 500"),
    (["nope"], {"venue": "役場"}, "no technology 'nope'"),
    (["tech-003"], {"venue": "役場"}, "is retired"),
    ([], {"venue": "役場"}, "at least one technology"),
])
def test_bad_events_are_refused(imported, group_id, techs, kwargs, message):
    with pytest.raises(ValidationFailed, match=message), imported.session() as session:
        events.create_event(session, group_id, techs, DAY, actor="tester", **kwargs)


def test_unknown_event_or_technology(imported, group_id):
    event_id = create(imported, group_id)
    with imported.session() as session:
        events.event_invitations(session, event_id, actor="tester")
        with pytest.raises(NotFound, match="not part of event"):
            events.record_vendor_answer(session, event_id, "tech-002", accept=True, actor="tester")
        with pytest.raises(NotFound, match="No event"):
            events.get_event(session, "1; drop table tech_events")
