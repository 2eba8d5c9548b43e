"""Brokered introductions (a case or a body with nobody to ask yet): listed, assigned, never reminded or expired."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.secretariat import curation
from bot.secretariat import introductions as intros
from bot.secretariat.reminders import due_reminders
from bot.secretariat.report_data import collect
from knowledge.errors import ConflictError
from knowledge.models import Case, Consultation, SubIssue, utcnow
from tests.secretariat.test_secretariat_cli import run


def _brokered(session):  # type: ignore[no-untyped-def]
    case = session.scalars(select(Case).where(Case.is_reference.is_(True))).first()
    assert case is not None
    return intros.request_brokered(
        session, requester_platform="slack", requester_id="U1", target_kind="case", target_id=case.id, case_id=case.id
    ), case


def test_a_brokered_request_is_listed_and_assigned_to_a_person(people, cli_env):
    with people.session() as session:
        intro, case = _brokered(session)
        intro_id, case_ext = intro.id, case.ext_id
        again = intros.request_brokered(
            session,
            requester_platform="slack",
            requester_id="U1",
            target_kind="case",
            target_id=case.id,
            case_id=case.id,
        )
        assert again.id == intro_id  # asking twice is one request
    listed = run(cli_env, "intros", "list", "--state", "brokered", "--json")
    assert listed.exit_code == 0, listed.output
    row = json.loads(listed.output)
    assert row["target_kind"] == "case" and row["target"] == case_ext and row["state"] == "brokered"
    assigned = run(cli_env, "intros", "reassign", str(intro_id), "--kind", "engineer", "--to", "eng-t1")
    assert assigned.exit_code == 0, assigned.output
    with people.session() as session:
        intro = intros.get(session, intro_id)
        assert (intro.state, intro.target_kind) == ("requested", "engineer") and intro.case_id is not None
        assert intro.extra["brokered_as"]["target_kind"] == "case"
        with pytest.raises(ConflictError):
            intros.assign_brokered(
                session,
                intro_id,
                target_kind="engineer",
                target_id=curation.find(session, "engineer", "eng-t1").id,
                actor="t",
            )


def test_brokered_requests_are_never_reminded_or_expired(people):
    with people.session() as session:
        intro, _ = _brokered(session)
        intro.requested_at = utcnow() - timedelta(days=60)
        assert due_reminders(session, days=1) == []
        assert intros.expire_overdue(session, days=1, actor="system") == []
        with pytest.raises(ConflictError):
            intros.accept(session, intro.id, actor="t")


def test_a_brokered_request_cannot_go_to_an_unknown_kind(people):
    with people.session() as session, pytest.raises(ValueError):
        intros.request_brokered(
            session, requester_platform="slack", requester_id="U1", target_kind="advisor", target_id=1
        )


def test_the_report_counts_sub_issues_flagged_unmet(db):
    with db.session() as session:
        consultation = Consultation(platform="slack", user_id="U1", text="x", card={})
        consultation.sub_issues.append(
            SubIssue(
                position=0,
                text="a",
                fields=["park"],
                processes=["inspection"],
                recommendations={},
                best_score=5.0,
                unmet=True,
            )
        )
        consultation.sub_issues.append(
            SubIssue(position=1, text="b", fields=["road"], processes=["patrol"], recommendations={}, best_score=5.0)
        )
        session.add(consultation)
    with db.session() as session:
        data = collect(session, unmet_below=1.0)
    assert data.unmet_total == 1 and data.unmet[("park", "inspection")] == 1
