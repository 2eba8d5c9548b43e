"""Trainings and site visits sent in by organisers through the portal: a review queue.

A submission is validated with the importer's rules (``knowledge.records``) the moment it
arrives, under a provisional id, and waits as ``pending``; nothing of it reaches the portal
or the matcher. Approval validates it again (the taxonomy or the municipalities may have
changed) and adds it as a training through ``bot.secretariat.curation.add`` (audit entry, version
bump); rejection keeps it, with the reason. Either way the organiser is told by the caller through
the relay (notices ``submission_approved`` / ``submission_rejected``: chat when the contact names
a chat user, else the mail outbox).
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat import curation
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import Training, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import SHORT_TEXT, TrainingRecord, validate_record
from knowledge.web_models import SUBMISSION_STATES, TrainingSubmission

CONTACT_MAX = 256
REASON_MAX = 2000
SUBMISSION_KIND = "submission"   # the audit log's kind (its column holds 16 characters)


def _provisional_id(session: Session) -> str:
    while True:
        candidate = f"sub-{utcnow():%Y%m%d}-{secrets.token_hex(3)}"
        taken = session.scalar(select(Training.id).where(Training.ext_id == candidate))
        if taken is None:
            return candidate


def _submitter_problems(name: str, contact: str) -> list[str]:
    problems = []
    if not name.strip():
        problems.append("submitter_name: required field is missing or empty")
    elif len(name) > SHORT_TEXT:
        problems.append(f"submitter_name: is {len(name):,} characters long; the limit is {SHORT_TEXT} characters")
    if not contact.strip():
        problems.append("submitter_contact: required field is missing or empty")
    elif len(contact) > CONTACT_MAX:
        problems.append(f"submitter_contact: is {len(contact):,} characters long; "
                        f"the limit is {CONTACT_MAX} characters")
    return problems


def submit(
    session: Session, data: dict[str, Any], *, submitter_name: str, submitter_contact: str,
    directory: MunicipalityDirectory, actor: str,
) -> TrainingSubmission:
    """Validate like the importer and queue for review; ValidationFailed lists every ``field: message``."""
    record_data = {**data, "id": _provisional_id(session)}
    problems = _submitter_problems(submitter_name, submitter_contact)
    try:
        record = cast(TrainingRecord, validate_record("training", record_data, directory))
    except ValidationFailed as exc:
        raise ValidationFailed([p for p in exc.problems if not p.startswith("id:")] + problems) from None
    if problems:
        raise ValidationFailed(problems)
    submission = TrainingSubmission(state="pending", data=record.contract_dict(),
                                    submitter_name=submitter_name.strip(), submitter_contact=submitter_contact.strip())
    session.add(submission)
    session.flush()
    audit.record(session, actor=actor, action="submit", kind=SUBMISSION_KIND, record_id=str(submission.id),
                 after={"title": record.title, "kind": record.kind})
    return submission


def get(session: Session, submission_id: int) -> TrainingSubmission:
    submission = session.get(TrainingSubmission, submission_id)
    if submission is None:
        raise NotFound(f"No training submission {submission_id}.")
    return submission


def list_submissions(session: Session, *, state: str | None = "pending") -> list[TrainingSubmission]:
    query = select(TrainingSubmission).order_by(TrainingSubmission.id)
    if state is not None:
        if state not in SUBMISSION_STATES:
            raise ValidationFailed([f"state: {state!r} is not allowed; use one of {', '.join(SUBMISSION_STATES)}"])
        query = query.where(TrainingSubmission.state == state)
    return list(session.scalars(query))


def _pending(session: Session, submission_id: int) -> TrainingSubmission:
    submission = get(session, submission_id)
    if submission.state != "pending":
        raise ConflictError(f"Submission {submission_id} was already {submission.state} by {submission.decided_by}.")
    return submission


def approve(session: Session, submission_id: int, *, actor: str, directory: MunicipalityDirectory) -> Training:
    """Publish the submission as a training (validated again, audited). The organiser is told by the
    caller, through the relay: notice ``submission_approved`` (bot.dialogue.portal_deliveries)."""
    submission = _pending(session, submission_id)
    row: Training = curation.add(session, "training", dict(submission.data), actor=actor, directory=directory)
    submission.state, submission.decided_at, submission.decided_by = "approved", utcnow(), actor
    submission.training_ext_id = row.ext_id
    audit.record(session, actor=actor, action="approve", kind=SUBMISSION_KIND, record_id=str(submission.id),
                 before={"state": "pending"}, after={"state": "approved", "training": row.ext_id})
    session.flush()
    return row


def reject(session: Session, submission_id: int, *, reason: str, actor: str) -> TrainingSubmission:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(["reason: write why the submission is not published; the organiser is told"])
    if len(reason) > REASON_MAX:
        raise ValidationFailed([f"reason: is {len(reason):,} characters long; the limit is {REASON_MAX} characters"])
    submission = _pending(session, submission_id)
    submission.state, submission.decided_at, submission.decided_by = "rejected", utcnow(), actor
    submission.reason = reason
    audit.record(session, actor=actor, action="reject", kind=SUBMISSION_KIND, record_id=str(submission.id),
                 before={"state": "pending"}, after={"state": "rejected"})
    session.flush()
    return submission
