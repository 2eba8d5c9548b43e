"""Reminders and follow-ups to ``lineworks:`` contacts from outside any turn — `gunmane intros remind` and the
scheduler's jobs — answered in LINE WORKS through the real callback server (ratings, then a typed comment)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lineworks_stack import ChatUser, Stack, buttons, texts
from sqlalchemy import select
from test_lineworks_cli import lineworks_env
from test_lineworks_introductions import ACCEPT, CARD_TITLE, DECLINE
from typer.testing import CliRunner

from bot.cli import app
from bot.dialogue import messages
from bot.lineworks.fake_api import FakeLineWorks
from bot.scheduler import JobRunner, chat_senders, default_registry
from bot.secretariat import feedback, introductions
from knowledge.db import Database
from knowledge.models import Advisor, utcnow
from knowledge.sample import seed_sample
from knowledge.settings import Settings


def waiting_request(db: Database, target: ChatUser, requester: ChatUser, *, days: int = 5) -> int:
    """A request of ``requester`` to an active advisor reached at ``target``, made ``days`` ago."""
    with db.session() as session:
        seed_sample(session)
        advisor = session.scalars(select(Advisor).where(Advisor.status == "active").order_by(Advisor.id)).first()
        assert advisor is not None, "the sample data has active advisors"
        advisor.contact = f"lineworks:{target.user_id}"
        intro = introductions.request(session, requester_platform="lineworks", requester_id=requester.user_id,
                                      target_kind="advisor", target_id=advisor.id)
        intro.requested_at = utcnow() - timedelta(days=days)
        return intro.id


def remind(cli_env: dict[str, str], fake: FakeLineWorks, key_file: Path) -> str:
    result = CliRunner().invoke(app, ["intros", "remind"], env={**cli_env, **lineworks_env(fake, key_file)})
    assert result.exit_code == 0, result.output
    return result.output


def test_intros_remind_reaches_a_lineworks_contact_who_accepts_in_lineworks(
    lineworks: Stack, db: Database, cli_env: dict[str, str], fake: FakeLineWorks, key_file: Path
) -> None:
    target, requester = lineworks.user("lw-reminded"), lineworks.user("lw-waiting")
    intro_id = waiting_request(db, target, requester)

    output = remind(cli_env, fake, key_file)
    assert "reminders for 1 introduction(s); 1 delivered in chat, 0 for the secretariat" in output
    reminder = target.new()
    assert "【リマインド】" in texts(reminder) and f"#{intro_id}" in texts(reminder)
    assert requester.user_id not in texts(reminder)                 # the requester's place, never their id
    offered = buttons(reminder)
    assert ACCEPT in offered and DECLINE in offered
    assert "0 introduction(s)" in remind(cli_env, fake, key_file)     # each request is reminded once
    assert target.new() == []

    assert target.presses(offered[ACCEPT], ACCEPT) == 200            # through the callback server
    with db.session() as session:
        assert introductions.get(session, intro_id).state == "accepted"
    assert CARD_TITLE in texts(requester.new()) and f"lineworks:{target.user_id}" in texts(requester.received())


def test_a_reminder_lineworks_cannot_take_is_left_for_the_secretariat_and_marked_sent(
    lineworks: Stack, db: Database, cli_env: dict[str, str], fake: FakeLineWorks, key_file: Path
) -> None:
    target, requester = lineworks.user("lw-unlucky"), lineworks.user("lw-patient")
    intro_id = waiting_request(db, target, requester)
    fake.log.outage(500)
    output = remind(cli_env, fake, key_file)
    assert "0 delivered in chat, 1 for the secretariat to send" in output
    assert f"#{intro_id} → target lineworks:{target.user_id}" in output   # the secretariat's outbox, by mail
    assert any(call.status == 500 for call in fake.log.calls("user")) and target.received() == []
    with db.session() as session:
        assert introductions.get(session, intro_id).reminder_sent_at is not None


def test_the_followup_job_asks_both_lineworks_members_and_they_answer_in_chat(
    lineworks: Stack, db: Database, lw_settings: Settings
) -> None:
    target, requester = lineworks.user("lw-helped"), lineworks.user("lw-helper")
    intro_id = waiting_request(db, target, requester)
    with db.session() as session:
        introductions.accept(session, intro_id, actor="test")
        introductions.get(session, intro_id).accepted_at = utcnow() - timedelta(days=40)
    runner = JobRunner(db, lw_settings, default_registry(), senders=chat_senders(lw_settings, db))

    result = runner.run("intro-followup", force=True)
    assert result.outcome == "ok" and "2 delivered in chat, 0 for the secretariat" in result.message, result
    ratings = {user.user_id: buttons(user.new()) for user in (requester, target)}
    assert all(set(offered) == {"1", "2", "3", "4", "5"} for offered in ratings.values()), ratings

    stranger = lineworks.user("lw-stranger")                         # someone else pressing a rating
    assert stranger.presses(ratings[requester.user_id]["2"], "2") == 200
    assert messages.say("ja", "followup_not_yours") in texts(stranger.new())

    assert requester.presses(ratings[requester.user_id]["5"], "5") == 200
    skip = buttons(requester.new())
    assert messages.say("ja", "followup_no_comment") in skip
    assert requester.says("とても助かりました。橋の点検計画を一緒に見直せました") == 200
    assert messages.say("ja", "followup_thanks") in texts(requester.new())

    assert target.presses(ratings[target.user_id]["4"], "4") == 200
    assert target.presses(buttons(target.new())[messages.say("ja", "followup_no_comment")]) == 200
    assert messages.say("ja", "followup_thanks") in texts(target.new())

    with db.session() as session:
        intro = introductions.get(session, intro_id)
        answers = {entry.side: (entry.rating, entry.comment) for entry in feedback.feedback_of(intro)}
    assert answers == {"requester": (5, "とても助かりました。橋の点検計画を一緒に見直せました"), "target": (4, None)}
    assert runner.run("intro-followup", force=True).message == "no followup was due"
