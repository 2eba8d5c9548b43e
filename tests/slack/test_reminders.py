"""Reminders reach a ``slack:U…`` contact in Slack (they used to fall into the outbox), and can be answered there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.relay.jobs import send_reminders
from bot.relay.senders import configured_senders
from bot.secretariat import introductions
from knowledge.models import Advisor, utcnow
from knowledge.settings import Settings
from tests.slack.conftest import SlackServer, texts_of

ADVISOR = "U0ADVISOR"


def _waiting_request(server: SlackServer, contact: str) -> int:
    with server.db.session() as session:
        advisor = session.scalars(select(Advisor).where(Advisor.status == "active").order_by(Advisor.id)).first()
        assert advisor is not None, "the sample data has active advisors"
        advisor.contact = contact
        intro = introductions.request(session, requester_platform="slack", requester_id="U0ENGINEER",
                                      target_kind="advisor", target_id=advisor.id)
        intro.requested_at = utcnow() - timedelta(days=5)
        return intro.id


def test_a_prefixed_slack_contact_gets_the_reminder_in_slack_and_can_accept_it(
    slack_server: SlackServer, slack_settings: Settings
) -> None:
    server, api = slack_server, slack_server.api
    intro_id = _waiting_request(server, f"slack:{ADVISOR}")
    senders = configured_senders(slack_settings, server.db)
    assert senders.platforms == ["slack"]
    report = send_reminders(server.db, slack_settings, senders)
    assert report.intro_ids == [intro_id]
    assert [d.notice.subject_id for d in report.delivered.sent] == [intro_id] and report.outbox == []
    opened = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ADVISOR)[0]
    dm = opened.response["channel"]["id"]
    reminder = api.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == dm)[0]
    assert "リマインド" in texts_of(reminder) and "U0ENGINEER" not in texts_of(reminder)
    assert server.send.click(reminder, "お受けする", user=ADVISOR).status == 200
    group = api.wait_for("conversations.open", where=lambda c: "," in str(c.params.get("users")))[0]
    assert set(str(group.params["users"]).split(",")) == {"U0ENGINEER", ADVISOR}
    with server.db.session() as session:
        assert introductions.get(session, intro_id).state == "accepted"


def test_a_bare_member_id_and_an_email_contact_go_where_they_should(
    slack_server: SlackServer, slack_settings: Settings
) -> None:
    chat = _waiting_request(slack_server, ADVISOR)
    report = send_reminders(slack_server.db, slack_settings, configured_senders(slack_settings, slack_server.db))
    assert [d.notice.subject_id for d in report.delivered.sent] == [chat]
    with slack_server.db.session() as session:
        session.get(Advisor, introductions.get(session, chat).target_id).contact = "advisor@example.jp"
        introductions.get(session, chat).reminder_sent_at = None
    again = send_reminders(slack_server.db, slack_settings, configured_senders(slack_settings, slack_server.db))
    assert again.delivered.sent == [] and [e.delivery.notice.subject_id for e in again.outbox] == [chat]
