"""Groups in the database: suggestions, the secretariat's group, members, consent and visibility."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.secretariat import group_consent as consent
from bot.secretariat import groups
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import AuditEntry, Consultation, ConsultationImport, GroupMember, UserProfile, utcnow
from matching.embedders.fake import FakeEmbedder
from matching.groups import Params


def bridge_suggestion(db):
    suggestions = groups.suggest(db, FakeEmbedder(), Params())
    bridge = [s for s in suggestions if s.fields == ("bridge",)]
    assert len(bridge) == 1, [s.to_json() for s in suggestions]
    return bridge[0]


def make_group(db, name="宇陀エリア橋梁点検"):
    suggestion = bridge_suggestion(db)
    with db.session() as session:
        return groups.create_group(session, suggestion.id, name=name, actor="tester").id


def test_suggestions_come_from_imported_consultations_and_keep_their_ids(imported):
    suggestions = groups.suggest(imported, FakeEmbedder(), Params())
    shown = {s.fields: [(m.body.municipality, m.consultation_refs) for m in s.members] for s in suggestions}
    assert shown[("bridge",)] == [("宇陀市", ("hc-004",)), ("御杖村", ("hc-002",)), ("曽爾村", ("hc-001",)),
                                  ("東吉野村", ("hc-003",))]
    assert sorted(shown[("pavement",)]) == [("名張市", ("hc-006",)), ("宇陀市", ("hc-004",)), ("桜井市", ("hc-005",))]
    again = groups.suggest(imported, FakeEmbedder(), Params())
    assert [s.id for s in again] == [s.id for s in suggestions]
    assert [len(s.members) for s in groups.suggest(imported, FakeEmbedder(), Params(), since=date(2027, 4, 15))] == [3]
    assert not groups.suggest(imported, FakeEmbedder(), Params(), since=date(2027, 4, 21))   # received dates count


def test_a_quick_lookup_is_not_a_need(imported):
    with imported.session() as session:
        row = session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == "hc-003"))
        session.get(Consultation, row.consultation_id).status = "lookup"
    assert len(bridge_suggestion(imported).members) == 3


def test_create_and_edit_members_with_audit(imported):
    group_id = make_group(imported)
    with imported.session() as session:
        group = groups.get_group(session, group_id)
        assert [m.state for m in group.members] == ["not_invited"] * 4
        groups.remove_member(session, group_id, "曽爾村", actor="tester")
        member = groups.add_member(session, group_id, prefecture="奈良県", municipality="曽爾村",
                                   consultations=["hc-001"], actor="tester")
        assert member.consultation_ids
        groups.rename_group(session, group_id, "  新しい 名前 ", actor="tester")
        actions = [e.action for e in session.scalars(
            select(AuditEntry).where(AuditEntry.kind == "group").order_by(AuditEntry.id))]
    assert actions == ["create", "remove_member", "add_member", "edit"]


@pytest.mark.parametrize("call, message", [
    (lambda s, g: groups.add_member(s, g, prefecture="奈良県", municipality="宇陀市", consultations=["hc-004"],
                                    actor="t"), "already a member"),
    (lambda s, g: groups.add_member(s, g, prefecture="奈良県", municipality="山添村", consultations=["hc-001"],
                                    actor="t"), "not by 奈良県山添村"),
    (lambda s, g: groups.add_member(s, g, prefecture="奈良県", municipality="山添村", consultations=[],
                                    actor="t"), "at least one consultation"),
    (lambda s, g: groups.add_member(s, g, prefecture="奈良県", municipality="宇田市", consultations=["x"],
                                    actor="t"), "Closest names"),
    (lambda s, g: groups.remove_member(s, g, "大阪市", actor="t"), "no member"),
    (lambda s, g: groups.rename_group(s, g, "x" * 201, actor="t"), "limit is 200"),
    (lambda s, g: groups.rename_group(s, g, "  ", actor="t"), "give the group a name"),
    (lambda s, g: groups.get_group(s, "drop table"), "not a group id"),
    (lambda s, g: groups.create_group(s, "sg-000000", name="x", actor="t"), "No group suggestion"),
])
def test_bad_edits_are_refused_clearly(imported, call, message):
    group_id = make_group(imported)
    with pytest.raises((ConflictError, NotFound, ValidationFailed), match=message), imported.session() as session:
        call(session, group_id)


def test_invitations_name_bodies_not_people_and_are_sent_once(imported):
    group_id = make_group(imported)
    with imported.session() as session:
        invitations = consent.invite(session, group_id, actor="tester")
        assert len(invitations) == 4 and not consent.invite(session, group_id, actor="tester")
    soni = next(i for i in invitations if i.body == "曽爾村")
    assert soni.other_bodies == ("宇陀市", "御杖村", "東吉野村")
    assert soni.recipients[0].platform is None and soni.recipients[0].address == "soni@example.jp"
    assert "宇陀市・御杖村・東吉野村" in soni.text and "@" not in soni.text
    assert [c for c, _ in soni.choices] == ["accept", "decline"]


def answer(db, group_id, body, choice):
    with db.session() as session:
        return consent.answer_invitation(session, group_id, body, choice, actor="tester").id


def visible(db, group_id, body):
    with db.session() as session:
        return consent.members_visible_to(session, group_id, body)


def test_a_declined_member_never_appears_to_the_group(imported):
    group_id = make_group(imported)
    with imported.session() as session:
        consent.invite(session, group_id, actor="tester")
    answer(imported, group_id, "曽爾村", "accept")
    answer(imported, group_id, "御杖村", "accept")
    declined = answer(imported, group_id, "東吉野村", "decline")
    shown = visible(imported, group_id, "曽爾村")
    assert [v.municipality for v in shown] == ["御杖村"]
    assert all(v.member_id != declined for v in shown)
    assert visible(imported, group_id, "東吉野村") == []           # the declined member sees nobody either
    assert visible(imported, group_id, "宇陀市") == []             # no answer yet: sees nobody
    with imported.session() as session:                            # later invitations leave the decliner out
        groups.add_member(session, group_id, prefecture="奈良県", municipality="山添村", consultations=["hc-008"],
                          actor="tester")
        late = consent.invite(session, group_id, actor="tester")
    assert "東吉野村" not in late[0].other_bodies and "東吉野村" not in late[0].text


def test_contacts_only_between_members_who_both_accepted(imported):
    group_id = make_group(imported)
    with imported.session() as session:
        consent.invite(session, group_id, actor="tester")
        uda = session.scalar(select(GroupMember).where(GroupMember.municipality == "宇陀市"))
        chats = [Consultation(platform="slack", user_id=user, prefecture="奈良県", municipality="宇陀市", text="x")
                 for user in ("U0UDA1", "U0UDA2")]
        session.add_all(chats)
        session.add(UserProfile(platform="slack", user_id="U0UDA1", display_name="宇陀 太郎"))
        session.add(UserProfile(platform="slack", user_id="U0UDA2", display_name="宇陀 次郎"))
        session.flush()
        uda.consultation_ids = [*uda.consultation_ids, *(c.id for c in chats)]
        taro = chats[0].id
    answer(imported, group_id, "曽爾村", "accept")
    assert visible(imported, group_id, "曽爾村") == []             # the others have not accepted yet
    with pytest.raises(ValidationFailed, match="3 engineers"), imported.session() as session:
        consent.answer_invitation(session, group_id, "宇陀市", "accept", actor="tester")   # which one of them?
    with imported.session() as session:
        consent.answer_invitation(session, group_id, "宇陀市", "accept", actor="slack:U0UDA1", person=taro)
    (uda,) = visible(imported, group_id, "曽爾村")
    assert uda.names == ("宇陀 太郎",) and uda.contacts == ("slack:U0UDA1",)   # not 次郎, who never answered
    (soni,) = visible(imported, group_id, "宇陀市")
    assert soni.contacts == ("soni@example.jp",)
    with imported.session() as session:
        consent.answer_invitation(session, group_id, "宇陀市", "decline", actor="slack:U0UDA1", person=taro)
    assert visible(imported, group_id, "曽爾村") == []                # consent withdrawn: gone at once
    with imported.session() as session:
        assert consent.member_for_user(session, group_id, "slack", "U0UDA1").municipality == "宇陀市"
        assert consent.member_for_user(session, group_id, "slack", "U0NOBODY") is None
        assert consent.members_visible_to(session, group_id, "宇陀市") == []


def test_silence_becomes_no_answer_and_an_uninvited_member_cannot_answer(imported):
    group_id = make_group(imported)
    with pytest.raises(ConflictError, match="has not been invited"), imported.session() as session:
        consent.answer_invitation(session, group_id, "曽爾村", "accept", actor="tester")
    with imported.session() as session:
        consent.invite(session, group_id, actor="tester")
        assert consent.expire_invitations(session, days=14) == []
        expired = consent.expire_invitations(session, days=14, now=utcnow() + timedelta(days=15))
    assert len(expired) == 4
    assert visible(imported, group_id, "曽爾村") == []
    with pytest.raises(ValidationFailed, match="accept or decline"), imported.session() as session:
        consent.answer_invitation(session, group_id, "曽爾村", "yes", actor="tester")
    answer(imported, group_id, "曽爾村", "accept")                 # a late answer still counts


@pytest.mark.parametrize("name, message", [("", "give the group a name"), ("橋\x00梁", "NUL"),
                                           ("あ" * 201, "limit is 200")])
def test_hostile_group_names_are_refused(imported, name, message):
    suggestion = bridge_suggestion(imported)
    with pytest.raises(ValidationFailed, match=message), imported.session() as session:
        groups.create_group(session, suggestion.id, name=name, actor="tester")


def test_markup_in_a_name_is_kept_as_text(imported):
    group_id = make_group(imported, name="<b>橋梁</b> & 点検")
    with imported.session() as session:
        invitations = consent.invite(session, group_id, actor="tester")
    assert "「<b>橋梁</b> & 点検」" in invitations[0].text      # escaping is the chat adapters' job, as for all text
