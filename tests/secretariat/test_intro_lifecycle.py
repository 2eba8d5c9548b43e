"""The introduction lifecycle: transitions, reminders, follow-ups, reassignment, capacity."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.secretariat import curation
from bot.secretariat import feedback, reminders
from bot.secretariat import introductions as intros
from knowledge import audit
from knowledge.db import Database, make_engine
from knowledge.errors import ConflictError
from knowledge.models import Introduction, utcnow


def _advisor_id(session, ext_id="adv-t1"):
    return curation.find(session, "advisor", ext_id).id


def _request(db, requester="U_REQ", ext_id="adv-t1", kind="advisor"):
    with db.session() as session:
        target = curation.find(session, kind, ext_id).id
        return intros.request(session, requester_platform="slack", requester_id=requester,
                              target_kind=kind, target_id=target, message="橋の点検について相談したい").id


def test_request_accept_complete_with_audit(people):
    intro_id = _request(people)
    with people.session() as session:
        intros.accept(session, intro_id, actor="slack:U0ADVT1")
        intros.complete(session, intro_id, actor="slack:U0ADVT1")
        intro = intros.get(session, intro_id)
        assert intro.state == "completed" and intro.accepted_at and intro.completed_at
        actions = [e.action for e in audit.history(session, kind="introduction", record_id=str(intro_id))]
        assert actions == ["intro_request", "intro_accepted", "intro_completed"]


def test_capacity_blocks_second_accept(people):
    first, second = _request(people, "U1"), _request(people, "U2")
    with people.session() as session:
        intros.accept(session, first, actor="a")
    with people.session() as session, pytest.raises(ConflictError, match="capacity"):
        intros.accept(session, second, actor="a")
    with people.session() as session:
        intros.complete(session, first, actor="a")
    with people.session() as session:
        assert intros.accept(session, second, actor="a").state == "accepted"


def test_expire_is_idempotent(people):
    intro_id = _request(people)
    later = utcnow() + timedelta(days=20)
    with people.session() as session:
        assert intros.expire_overdue(session, days=14, actor="system", now=later) == [intro_id]
    with people.session() as session:
        assert intros.expire_overdue(session, days=14, actor="system", now=later) == []
        assert intros.get(session, intro_id).state == "expired"


def test_reminders_are_due_once(people):
    intro_id = _request(people)
    later = utcnow() + timedelta(days=4)
    with people.session() as session:
        assert reminders.due_reminders(session, days=3) == []
        assert [i.id for i in reminders.due_reminders(session, days=3, now=later)] == [intro_id]
        reminders.mark_reminded(session, intro_id, actor="system", now=later)
    with people.session() as session:
        assert reminders.due_reminders(session, days=3, now=later + timedelta(days=5)) == []


def test_followup_and_feedback_from_both_sides(people):
    intro_id = _request(people)
    with people.session() as session:
        intros.accept(session, intro_id, actor="a")
    later = utcnow() + timedelta(days=31)
    with people.session() as session:
        assert [i.id for i in reminders.due_followups(session, days=30, now=later)] == [intro_id]
        reminders.mark_followup_sent(session, intro_id, actor="system", now=later)
        assert reminders.due_followups(session, days=30, now=later) == []
    with people.session() as session:
        feedback.record_feedback(session, intro_id, side="target", rating=3, comment="資料を送りました", actor="a")
        assert intros.get(session, intro_id).rating == 3
        feedback.record_feedback(session, intro_id, side="requester", rating=5, comment="とても助かりました", actor="r")
    with people.session() as session:
        intro = intros.get(session, intro_id)
        assert (intro.rating, intro.comment) == (5, "とても助かりました")
        assert {(f.side, f.rating) for f in feedback.feedback_of(intro)} == {("requester", 5), ("target", 3)}
        entry = audit.history(session, kind="introduction", record_id=str(intro_id))[-1]
        assert entry.action == "intro_feedback" and "とても" not in str(entry.after)


@pytest.mark.parametrize("rating", [0, 6])
def test_feedback_rating_out_of_range(people, rating):
    intro_id = _request(people)
    with people.session() as session:
        intros.accept(session, intro_id, actor="a")
    with people.session() as session, pytest.raises(ConflictError, match="1 to 5"):
        feedback.record_feedback(session, intro_id, side="requester", rating=rating, comment=None, actor="r")


def test_feedback_before_acceptance_is_refused(people):
    intro_id = _request(people)
    with people.session() as session, pytest.raises(ConflictError, match="after it was accepted"):
        feedback.record_feedback(session, intro_id, side="requester", rating=4, comment=None, actor="r")


def test_reassign_moves_request_to_another_advisor(people):
    intro_id = _request(people)
    with people.session() as session:
        new = intros.reassign(session, intro_id, target_kind="advisor", target_id=_advisor_id(session, "adv-t2"),
                              actor="sec")
        old = intros.get(session, intro_id)
        assert old.state == "declined" and old.extra["reassigned_to"] == new.id
        assert new.state == "requested" and new.message == old.message and new.requester_id == "U_REQ"
        assert new.extra["reassigned_from"] == intro_id


def test_reassign_refuses_accepted_and_same_target(people):
    intro_id = _request(people)
    with people.session() as session, pytest.raises(ConflictError, match="already asks"):
        intros.reassign(session, intro_id, target_kind="advisor", target_id=_advisor_id(session), actor="s")
    with people.session() as session:
        intros.accept(session, intro_id, actor="a")
    with people.session() as session, pytest.raises(ConflictError, match="only requested"):
        intros.reassign(session, intro_id, target_kind="advisor", target_id=_advisor_id(session, "adv-t2"),
                        actor="s")


def test_paused_advisor_cannot_accept(people):
    intro_id = _request(people)
    with people.session() as session:
        curation.set_advisor_status(session, "adv-t1", "paused", actor="s")
    with people.session() as session, pytest.raises(ConflictError, match="no longer active"):
        intros.accept(session, intro_id, actor="a")


def _accept_concurrently(url: str, intro_ids: list[int]) -> list[str]:
    """Each intro accepted by its own thread and engine, all released at the same moment."""
    barrier = threading.Barrier(len(intro_ids))
    outcomes: list[str] = []

    def worker(intro_id: int) -> None:
        database = Database(make_engine(url))
        try:
            barrier.wait()
            with database.session() as session:
                intros.accept(session, intro_id, actor=f"worker-{intro_id}")
            outcomes.append("accepted")
        except ConflictError:
            outcomes.append("refused")
        finally:
            database.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in intro_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _accepted_count(db, advisor_ext_id):
    with db.session() as session:
        advisor_id = _advisor_id(session, advisor_ext_id)
        return len(session.scalars(select(Introduction).where(
            Introduction.target_id == advisor_id, Introduction.state == "accepted")).all())


@pytest.mark.postgres_only
def test_concurrent_accepts_never_exceed_capacity_on_postgresql(people, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks (SELECT … FOR UPDATE) are what is tested; this runs in the PostgreSQL pass")
    for round_ in range(5):
        ids = [_request(people, f"U{round_}-{n}", "adv-t2") for n in range(6)]   # capacity 3
        outcomes = _accept_concurrently(database_url, ids)
        assert sorted(outcomes) == ["accepted"] * 3 + ["refused"] * 3
        assert _accepted_count(people, "adv-t2") == 3
        with people.session() as session:
            for intro in intros.list_introductions(session, state="accepted"):
                intros.complete(session, intro.id, actor="t")


def test_concurrent_accepts_never_exceed_capacity_on_sqlite_too(people, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite write-lock path; PostgreSQL has its own test")
    ids = [_request(people, f"U{n}", "adv-t2") for n in range(5)]
    outcomes = _accept_concurrently(database_url, ids)
    assert sorted(outcomes) == ["accepted"] * 3 + ["refused"] * 2
    assert _accepted_count(people, "adv-t2") == 3
