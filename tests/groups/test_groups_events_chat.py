"""Events in chat: 参加 / 不参加 and 共同導入 by buttons on Slack and Teams, the vendor's mail, the scheduled sends,
and forged, foreign and stale buttons refused politely."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chat_stacks import ChatStacks, has_button, slack_text, teams_buttons, teams_text
from groups_fixtures import TECHNOLOGIES, write_jsonl
from test_groups_chat import MITSUE, SONI, UDA, bridge_group, press_slack

from bot.dialogue import choices
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import ConversationKey, IncomingChoice, Turn
from bot.relay.group_jobs import (
    answer_group_invitation,
    send_adoption_questions,
    send_event_invitations,
    send_event_reminders,
    send_group_invitations,
)
from bot.secretariat import events
from bot.secretariat.event_schedule import local_date
from knowledge.io import import_records
from knowledge.models import AdoptionAnswer, EventParticipant, GroupMember, Technology
from knowledge.settings import Settings
from tests.slack.conftest import SECRETARIAT


def _text(turn: Turn) -> str:
    return "\n".join(getattr(r, "text", "") for r in turn.replies)


def _participant(stacks: ChatStacks, body: str) -> EventParticipant:
    with stacks.db.session() as session:
        member = session.query(GroupMember).filter_by(municipality=body).one()
        found = session.query(EventParticipant).filter_by(member_id=member.id).one()
        session.expunge(found)
        return found


def test_rsvp_reminder_and_adoption_by_buttons_with_refusals(
    chat_stacks: ChatStacks, slack_settings: Settings, tmp_path: Path
) -> None:
    stacks = chat_stacks
    mitsue = stacks.teams.user(MITSUE, "御杖 三郎")
    assert mitsue.says("こんにちは") == 202
    group_id = bridge_group(stacks, slack_settings, tmp_path)
    with stacks.db.session() as session:
        import_records(session, "technology", write_jsonl(tmp_path / "t.jsonl", TECHNOLOGIES), actor="test")
    send_group_invitations(stacks.db, stacks.senders, group_id, actor="cli:test")
    for body, answer in (("曽爾村", "accept"), ("御杖村", "accept"), ("宇陀市", "accept"), ("東吉野村", "decline")):
        answer_group_invitation(stacks.db, stacks.senders, group_id, body, answer, actor="cli:test")
    day = local_date(stacks.clock.now(), slack_settings.scheduler_timezone) + timedelta(days=3)
    with stacks.db.session() as session:
        event_id = events.create_event(session, group_id, ["KT-190018-A"], day, venue="宇陀市役所 3階会議室",
                                       actor="cli:test").id
    sent, report = send_event_invitations(stacks.db, stacks.senders, event_id, actor="cli:test")
    assert sorted(m.body for m in sent.members) == ["宇陀市", "御杖村", "曽爾村"]      # never the decliner
    (vendor,) = [e for e in report.outbox if e.delivery.role == "vendor"]           # vendors: always by mail
    assert [r.contact for r in vendor.recipients] == ["sales@drone.example.jp"]
    assert "曽爾村" not in vendor.delivery.text and "3団体" in vendor.delivery.text
    invited = slack_text(stacks.slack_messages_to(SONI))
    assert "新技術説明会" in invited and "宇陀市役所 3階会議室" in invited and "sales@" not in invited

    press_slack(stacks, SONI, "参加", "ご参加と承りました")
    teams_seen = len(stacks.teams.messages_to(mitsue))
    buttons = teams_buttons(stacks.teams.messages_to(mitsue))
    assert mitsue.clicks(buttons["不参加"]) == 202
    assert "不参加と承りました" in teams_text(stacks.teams.messages_to(mitsue)[teams_seen:])
    press_slack(stacks, UDA, "参加", "ご参加と承りました")
    stacks.wait_posted(lambda c: c.params.get("channel") == SECRETARIAT and "参加 2団体" in slack_text([c]))

    # Someone else's RSVP button (Teams user pressing 曽爾村's), a forged id, a malformed value.
    soni_rsvp = choices.event_rsvp(_participant(stacks, "曽爾村").id, attend=False)
    seen = len(stacks.teams.messages_to(mitsue))
    assert mitsue.clicks(soni_rsvp) == 202
    assert "お答えいただけません" in teams_text(stacks.teams.messages_to(mitsue)[seen:])
    for forged, reply in (("ev|2147483647|y", "もう有効ではありません"), ("ev|1|maybe", "認識できませんでした"),
                          ("ad|1|1|x", "認識できませんでした"), ("gj|0|y", "認識できませんでした")):
        seen = len(stacks.teams.messages_to(mitsue))
        assert mitsue.clicks(forged) == 202
        assert reply in teams_text(stacks.teams.messages_to(mitsue)[seen:]), forged
    assert _participant(stacks, "曽爾村").rsvp == "attending"

    slack_engine = DialogueEngine(stacks.db, slack_settings, clock=stacks.clock.now)
    soni_key = ConversationKey("slack", "T0GUNMANE", f"D{SONI}", SONI)
    with stacks.db.session() as session:
        tech_id = session.query(Technology).filter_by(ext_id="KT-190018-A").one().id
    early = choices.adoption_answer(_participant(stacks, "曽爾村").id, tech_id, "consider")
    assert "説明会（" in _text(slack_engine.handle(soni_key, IncomingChoice(early)))    # not before the event

    with stacks.db.session() as session:
        events.record_vendor_answer(session, event_id, "KT-190018-A", accept=True, actor="cli:test")
    stacks.clock.advance(2)                                                    # the day before
    reminded = send_event_reminders(stacks.db, slack_settings, stacks.senders, now=stacks.clock.now())
    assert sorted(reminded.subject_ids) == sorted([_participant(stacks, b).id for b in ("曽爾村", "宇陀市")])
    reminder = slack_text(stacks.slack_messages_to(SONI))
    assert "【説明会のご案内】" in reminder and "sales@drone.example.jp" in reminder   # the vendor accepted
    assert not send_event_reminders(stacks.db, slack_settings, stacks.senders, now=stacks.clock.now()).subject_ids

    stacks.clock.advance(2)                                                    # the event is over
    stale = [c for c in stacks.slack_messages_to(SONI) if has_button(c, "参加")]
    before = stacks.posted()
    assert stacks.slack.click(stale[0], "参加", user=SONI).status == 200
    stacks.wait_posted(lambda c: c not in before and "すでに終わっています" in slack_text([c]))
    asked = send_adoption_questions(stacks.db, slack_settings, stacks.senders, now=stacks.clock.now())
    assert len(asked.subject_ids) == 2 and not asked.outbox
    assert not send_adoption_questions(stacks.db, slack_settings, stacks.senders, now=stacks.clock.now()).subject_ids
    press_slack(stacks, SONI, "共同導入を検討したい", "共同導入を検討したいと承りました")
    press_slack(stacks, UDA, "見送る", "見送りと承りました")
    not_there = choices.adoption_answer(_participant(stacks, "御杖村").id, tech_id, "consider")
    seen = len(stacks.teams.messages_to(mitsue))
    assert mitsue.clicks(not_there) == 202                                      # 御杖村 did not attend
    assert "参加された団体にだけ" in teams_text(stacks.teams.messages_to(mitsue)[seen:])
    with stacks.db.session() as session:
        answers = sorted(a.answer for a in session.query(AdoptionAnswer).all())
        view = events.event_view(session, event_id)
    assert answers == ["consider", "pass"]
    assert (view["technologies"][0]["consider"], view["technologies"][0]["pass"]) == (1, 1)
    stacks.wait_posted(lambda c: c.params.get("channel") == SECRETARIAT and "共同導入を検討したい" in slack_text([c]))
