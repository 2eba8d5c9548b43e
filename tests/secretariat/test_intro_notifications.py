"""Reminders and follow-ups: who gets what, once, in Slack or in the secretariat's outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dialogue import choices
from bot.relay.jobs import send_followups, send_reminders
from bot.relay.senders import SenderRegistry
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from bot.secretariat.contacts import ChatUser, Outbox, parse_contact
from bot.slack.fake_api import FakeSlackAPI
from bot.slack.sender import make_sender
from knowledge.models import utcnow
from knowledge.settings import Settings


@pytest.mark.parametrize(("contact", "expected"), [
    ("U0ADVT1", ChatUser("slack", "U0ADVT1")),
    ("slack:U0ADVT1", ChatUser("slack", "U0ADVT1")),
    (" slack:U0ADVT1 ", ChatUser("slack", "U0ADVT1")),
    ("W0ENTERPRISE", ChatUser("slack", "W0ENTERPRISE")),
    ("teams:29:abc", ChatUser("teams", "29:abc")),
    ("terminal:demo", ChatUser("terminal", "demo")),
    ("lineworks:user-1@example", ChatUser("lineworks", "user-1@example")),
    ("a@example.jp", Outbox("a@example.jp")),
    ("slack:", Outbox("slack:")),
    ("u0lowercase", Outbox("u0lowercase")),
    (None, Outbox(None)),
    ("", Outbox(None)),
])
def test_parse_contact(contact, expected):
    assert parse_contact(contact) == expected


def test_followup_answer_tokens_round_trip():
    assert choices.parse(choices.followup_answer(12, "target", 4)) == choices.FollowupAnswer(12, "target", 4)
    assert choices.parse(choices.followup_answer(12, "requester", None)) == choices.FollowupAnswer(12, "requester", None)
    for bad in ("fu|12|boss|4", "fu|a|target|4", "fu|12|target|x", "fu|12|target"):
        assert choices.parse(bad) is None


def _old_request(db, ext_id, requester=("slack", "U0REQUEST"), days=5):
    with db.session() as session:
        target = curation.find(session, "advisor", ext_id).id
        intro = intros.request(session, requester_platform=requester[0], requester_id=requester[1],
                               target_kind="advisor", target_id=target)
        intro.requested_at = utcnow() - timedelta(days=days)
        return intro.id


def _slack(settings: Settings, api: FakeSlackAPI, db) -> tuple[Settings, SenderRegistry]:
    cfg = Settings(**{**settings.model_dump(), "slack_bot_token": "xoxb-t", "slack_api_url": api.url})
    sender = make_sender(cfg, db)
    assert sender is not None
    return cfg, SenderRegistry([sender])


def test_reminders_go_by_slack_dm_or_outbox_once(people, settings):
    slack_intro, mail_intro = _old_request(people, "adv-t1"), _old_request(people, "adv-t2")
    with FakeSlackAPI() as api:
        cfg, senders = _slack(settings, api, people)
        report = send_reminders(people, cfg, senders)
        assert sorted(report.intro_ids) == sorted([slack_intro, mail_intro])
        assert [d.notice.subject_id for d in report.delivered.sent] == [slack_intro]
        assert [(e.delivery.notice.subject_id, e.recipients) for e in report.outbox] == [
            (mail_intro, (Outbox("michiko@example.jp"),))]
        assert api.calls_to("conversations.open")[0].params["users"] in ("U0ADVT1", ["U0ADVT1"])
        first = api.calls_to("chat.postMessage")[0]
        assert "リマインド" in first.params["text"]
        buttons = [e["text"]["text"] for b in first.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert buttons == ["お受けする", "今回は見送る"]   # the reminder can be answered at once
        assert send_reminders(people, cfg, senders).intro_ids == []


def test_dry_run_marks_nothing(people, settings):
    _old_request(people, "adv-t2")
    assert len(send_reminders(people, settings, SenderRegistry(), dry_run=True).outbox) == 1
    assert len(send_reminders(people, settings, SenderRegistry()).intro_ids) == 1


def test_followups_ask_both_sides_with_rating_choices(people, settings):
    intro_id = _old_request(people, "adv-t1")
    with people.session() as session:
        intros.accept(session, intro_id, actor="t")
        intros.get(session, intro_id).accepted_at = utcnow() - timedelta(days=31)
    with FakeSlackAPI() as api:
        cfg, senders = _slack(settings, api, people)
        report = send_followups(people, cfg, senders)
        assert sorted(d.role for d in report.delivered.sent) == ["requester", "target"]
        values = [e["value"] for c in api.calls_to("chat.postMessage") for b in c.params["blocks"]
                  if b["type"] == "actions" for e in b["elements"]]
        assert values, "the follow-ups carry rating buttons"
        assert {v.rsplit("|", 1)[0] for v in values} == {f"fu|{intro_id}|requester", f"fu|{intro_id}|target"}
        assert {v.rsplit("|", 1)[1] for v in values} == {"1", "2", "3", "4", "5"}
    assert send_followups(people, settings, SenderRegistry()).intro_ids == []
