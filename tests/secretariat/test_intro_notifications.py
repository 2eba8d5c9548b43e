"""Reminders and follow-ups: who gets what, once, in Slack or in the secretariat's outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.secretariat.notify import (
    FOLLOWUP_ACTION,
    Recipient,
    parse_followup_value,
    recipient_for_contact,
    send_followups,
    send_reminders,
)
from bot.secretariat.slack_sender import SlackSender, slack_client
from bot.slack.fake_api import FakeSlackAPI
from knowledge import curation
from knowledge import introductions as intros
from knowledge.models import utcnow
from knowledge.settings import Settings


@pytest.mark.parametrize(("contact", "expected"), [
    ("U0ADVT1", Recipient("slack", "U0ADVT1")),
    ("teams:29:abc", Recipient("teams", "29:abc")),
    ("a@example.jp", Recipient(None, "a@example.jp")),
    (None, Recipient(None, None)),
])
def test_recipient_for_contact(contact, expected):
    assert recipient_for_contact(contact) == expected


def test_parse_followup_value():
    assert parse_followup_value(f"{FOLLOWUP_ACTION}:12:target:4") == (12, "target", 4)
    assert parse_followup_value(f"{FOLLOWUP_ACTION}:12:requester") == (12, "requester", None)
    for bad in ("", "x:1:target", f"{FOLLOWUP_ACTION}:a:target", f"{FOLLOWUP_ACTION}:1:boss"):
        assert parse_followup_value(bad) is None


def _old_request(db, ext_id, requester=("slack", "U0REQUEST"), days=5):
    with db.session() as session:
        target = curation.find(session, "advisor", ext_id).id
        intro = intros.request(session, requester_platform=requester[0], requester_id=requester[1],
                               target_kind="advisor", target_id=target)
        intro.requested_at = utcnow() - timedelta(days=days)
        return intro.id


def test_reminders_go_by_slack_dm_or_outbox_once(people, settings):
    slack_intro, mail_intro = _old_request(people, "adv-t1"), _old_request(people, "adv-t2")
    with FakeSlackAPI() as api:
        cfg = Settings(**{**settings.model_dump(), "slack_bot_token": "xoxb-t", "slack_api_url": api.url})
        senders = {"slack": SlackSender(slack_client(cfg))}
        report = send_reminders(people, cfg, senders)
        assert sorted(report.intro_ids) == sorted([slack_intro, mail_intro])
        assert [m.intro_id for m in report.sent] == [slack_intro]
        assert [(m.intro_id, m.recipient.address) for m in report.outbox] == [(mail_intro, "michiko@example.jp")]
        assert api.calls_to("conversations.open")[0].params["users"] in ("U0ADVT1", ["U0ADVT1"])
        assert "リマインド" in api.calls_to("chat.postMessage")[0].params["text"]
        assert send_reminders(people, cfg, senders).intro_ids == []


def test_dry_run_marks_nothing(people, settings):
    _old_request(people, "adv-t2")
    assert len(send_reminders(people, settings, {}, dry_run=True).outbox) == 1
    assert len(send_reminders(people, settings, {}).intro_ids) == 1


def test_followups_ask_both_sides_with_an_answer_button(people, settings):
    intro_id = _old_request(people, "adv-t1")
    with people.session() as session:
        intros.accept(session, intro_id, actor="t")
        intros.get(session, intro_id).accepted_at = utcnow() - timedelta(days=31)
    with FakeSlackAPI() as api:
        cfg = Settings(**{**settings.model_dump(), "slack_bot_token": "xoxb-t", "slack_api_url": api.url})
        report = send_followups(people, cfg, {"slack": SlackSender(slack_client(cfg))})
        assert sorted(m.side for m in report.sent) == ["requester", "target"]
        buttons = [b["elements"][0] for c in api.calls_to("chat.postMessage") for b in c.params["blocks"]
                   if b["type"] == "actions"]
        assert {b["value"] for b in buttons} == {f"{FOLLOWUP_ACTION}:{intro_id}:requester",
                                                 f"{FOLLOWUP_ACTION}:{intro_id}:target"}
    assert send_followups(people, settings, {}).intro_ids == []
