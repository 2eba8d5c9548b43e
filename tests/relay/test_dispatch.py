"""The dispatcher: each recipient to its platform's sender, the rest to the outbox, follow-ups by outcome."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from bot.dialogue.replies import ChatUser, Delivery, Notice, Outbox, Secretariat, Text
from bot.relay.dispatch import Dispatcher
from bot.relay.senders import SenderRegistry
from knowledge.db import Database

NOTICE = Notice("intro_requested", 7)


@dataclass
class RecordingSender:
    """A sender of one platform that records what it was asked to send and answers as told."""

    platform: str
    reaches: bool = True
    desk: bool = True
    fails: bool = False
    sent: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        if self.fails:
            raise ConnectionError("U0SECRET is unreachable")   # a message that must not reach the log
        self.sent.append((delivery.text, tuple(users)))
        return self.reaches

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        if self.desk:
            self.notes.append(delivery.text)
        return self.desk


def _delivery(*recipients, reached=(), unreached=(), role="target") -> Delivery:
    return Delivery(NOTICE, tuple(recipients), (Text("依頼です"),), role=role, reached=tuple(reached),
                    unreached=tuple(unreached))


def _note(text: str) -> Delivery:
    return Delivery(NOTICE, (Secretariat(),), (Text(text),), role="secretariat")


def test_several_users_of_one_platform_get_one_delivery_together(db: Database) -> None:
    slack = RecordingSender("slack")
    report = Dispatcher(db, SenderRegistry([slack])).deliver(
        [_delivery(ChatUser("slack", "U1"), ChatUser("slack", "U2"), reached=[_note("届きました")])])
    assert slack.sent == [("依頼です", ("U1", "U2"))]
    assert slack.notes == ["届きました"]
    assert len(report.sent) == 2 and report.outbox == [] and report.notes == []


def test_a_platform_without_a_sender_and_an_email_go_to_the_outbox_and_the_unreached_follow_ups_run(
    db: Database,
) -> None:
    slack = RecordingSender("slack")
    delivery = _delivery(ChatUser("teams", "aad-1"), Outbox("a@example.jp"), ChatUser("slack", "U1"),
                         reached=[_note("届きました")], unreached=[_note("メールでお願いします")])
    report = Dispatcher(db, SenderRegistry([slack])).deliver([delivery])
    assert slack.sent == [("依頼です", ("U1",))]
    (entry,) = report.outbox
    assert entry.delivery is delivery and set(entry.recipients) == {ChatUser("teams", "aad-1"), Outbox("a@example.jp")}
    assert slack.notes == ["メールでお願いします"]


def test_a_failing_sender_is_logged_without_the_person_and_the_others_still_get_theirs(
    db: Database, caplog: pytest.LogCaptureFixture,
) -> None:
    teams, slack = RecordingSender("teams", fails=True), RecordingSender("slack")
    with caplog.at_level(logging.INFO):
        report = Dispatcher(db, SenderRegistry([teams, slack])).deliver(
            [_delivery(ChatUser("teams", "aad-1")), _delivery(ChatUser("slack", "U1"))])
    assert [e.recipients for e in report.outbox] == [(ChatUser("teams", "aad-1"),)]
    assert slack.sent == [("依頼です", ("U1",))]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "ConnectionError" in logged and "U0SECRET" not in logged and "aad-1" not in logged


def test_a_user_the_platform_cannot_reach_is_in_the_outbox(db: Database) -> None:
    slack = RecordingSender("slack", reaches=False)
    report = Dispatcher(db, SenderRegistry([slack])).deliver([_delivery(ChatUser("slack", "U1"))])
    assert [e.recipients for e in report.outbox] == [(ChatUser("slack", "U1"),)]


def test_a_note_no_platform_takes_is_kept_for_the_cli(db: Database) -> None:
    report = Dispatcher(db, SenderRegistry([RecordingSender("slack", desk=False)])).deliver([_note("記録")])
    assert [n.text for n in report.notes] == ["記録"] and report.sent == [] and report.outbox == []
    empty = Dispatcher(db, SenderRegistry()).deliver([_note("記録")])
    assert [n.text for n in empty.notes] == ["記録"]


def test_a_notice_that_cannot_be_composed_is_skipped_with_a_warning(
    db: Database, caplog: pytest.LogCaptureFixture,
) -> None:
    slack = RecordingSender("slack")
    with caplog.at_level(logging.WARNING):
        report = Dispatcher(db, SenderRegistry([slack])).notify([Notice("intro_accepted", 424242)])
    assert report.sent == [] and report.outbox == [] and slack.sent == []
    assert any("424242" in r.getMessage() for r in caplog.records)
