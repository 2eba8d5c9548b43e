"""Reminders and follow-ups to ``teams:`` contacts go to their Teams 1:1 chat from outside any turn (the CLI, cron)."""

from __future__ import annotations

from datetime import timedelta

from microsoft_agents.hosting.aiohttp import CloudAdapter
from sqlalchemy import select
from teams_stack import TeamsStack, card_choices

from bot.relay.jobs import send_followups, send_reminders
from bot.relay.senders import SenderRegistry, configured_senders
from bot.secretariat import introductions
from bot.teams.auth import teams_auth
from bot.teams.references import ReferenceStore
from bot.teams.sender import TeamsSender
from knowledge.db import Database
from knowledge.models import Advisor, utcnow
from knowledge.sample import seed_sample
from knowledge.settings import Settings


def _sender(db: Database, settings: Settings) -> TeamsSender:
    """What `gunmane intros remind` builds from Teams credentials; here without them (local fake connector)."""
    auth = teams_auth(settings, insecure_local=True)
    return TeamsSender(CloudAdapter(connection_manager=auth.connection_manager), auth, ReferenceStore(db), [])


def _waiting_request(db: Database, contact: str, requester: str) -> int:
    with db.session() as session:
        seed_sample(session)
        advisor = session.scalars(select(Advisor).where(Advisor.status == "active").order_by(Advisor.id)).first()
        assert advisor is not None, "the sample data has active advisors"
        advisor.contact = contact
        intro = introductions.request(session, requester_platform="teams", requester_id=requester,
                                      target_kind="advisor", target_id=advisor.id)
        intro.requested_at = utcnow() - timedelta(days=5)
        return intro.id


def test_a_teams_contact_is_reminded_in_their_chat_and_can_accept_there(
    teams_http: TeamsStack, db: Database, settings: Settings
) -> None:
    target, requester = teams_http.user("aad-reminded"), teams_http.user("aad-waiting")
    intro_id = _waiting_request(db, f"teams:{target.aad_id}", requester.aad_id)
    assert target.says("こんにちは") == 202          # their 1:1 chat with the bot is known from now on
    seen = len(teams_http.messages_to(target))
    report = send_reminders(db, settings, SenderRegistry([_sender(db, settings)]))
    assert report.intro_ids == [intro_id] and report.outbox == []
    reminder = teams_http.messages_to(target)[seen:]
    assert reminder, "the reminder reached the target's chat"
    shown = " ".join(call.text + repr(call.adaptive_cards) for call in reminder)
    assert "リマインド" in shown and requester.aad_id not in shown
    buttons = {title: value for call in reminder for title, value in card_choices(call).items()}
    assert target.clicks(buttons["お受けする"]) == 202
    with db.session() as session:
        assert introductions.get(session, intro_id).state == "accepted"


def test_follow_ups_reach_both_teams_users_and_are_answered_in_chat(
    teams_http: TeamsStack, db: Database, settings: Settings
) -> None:
    target, requester = teams_http.user("aad-helped"), teams_http.user("aad-helper")
    intro_id = _waiting_request(db, f"teams:{target.aad_id}", requester.aad_id)
    for user in (target, requester):
        assert user.says("こんにちは") == 202
    with db.session() as session:
        introductions.accept(session, intro_id, actor="test")
        introductions.get(session, intro_id).accepted_at = utcnow() - timedelta(days=40)
    seen = len(teams_http.messages_to(requester))
    report = send_followups(db, settings, SenderRegistry([_sender(db, settings)]))
    assert sorted(d.role for d in report.delivered.sent) == ["requester", "target"]
    ratings = {title: value for call in teams_http.messages_to(requester)[seen:]
               for title, value in card_choices(call).items()}
    assert set(ratings) == {"1", "2", "3", "4", "5"}
    assert requester.clicks(ratings["5"]) == 202
    assert requester.says("とても助かりました") == 202
    with db.session() as session:
        intro = introductions.get(session, intro_id)
        assert (intro.rating, intro.comment) == (5, "とても助かりました")


def test_the_cli_senders_include_teams_when_its_credentials_are_set(db: Database, secured_settings: Settings) -> None:
    assert configured_senders(secured_settings, db).platforms == ["teams"]
