"""群マネサポーター applications: the public recruitment of advisors, certified by the secretariat.

An application holds an advisor record validated with the importer's rules, and the
applicant's two consents (to be recommended to municipalities, to be contacted when an
introduction is accepted); both are required. It waits as ``pending`` and is never
recommended: the matcher only sees the ``advisors`` table, and the application enters it
only when the secretariat certifies (認定) it, validated again, through
``bot.secretariat.curation.add`` (audit entry, version bump). What the applicant is told of
the outcome is the engine's (notices ``supporter_certified`` / ``supporter_rejected``,
bot/dialogue/portal_deliveries.py): in chat when their contact names a chat user, else by mail.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat import curation
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import Advisor, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import ID_PATTERN, validate_record
from knowledge.web_models import APPLICATION_STATES, SupporterApplication

REASON_MAX = 2000
APPLICATION_KIND = "application"   # the audit log's kind (its column holds 16 characters)
_APPLICANT_FIELDS = ("name", "affiliation", "kind", "expertise", "fields", "processes", "prefecture",
                     "municipality", "regions", "capacity", "contact")


def _new_advisor_id(session: Session) -> str:
    while True:
        candidate = f"sup-{secrets.token_hex(4)}"
        if session.scalar(select(Advisor.id).where(Advisor.ext_id == candidate)) is None:
            return candidate


def _validated(data: dict[str, Any], ext_id: str, directory: MunicipalityDirectory) -> dict[str, Any]:
    record = validate_record("advisor", {**data, "id": ext_id, "status": "active"}, directory)
    return record.contract_dict()


def apply(
    session: Session, data: dict[str, Any], *, consent_recommend: bool, consent_contact: bool,
    directory: MunicipalityDirectory, actor: str,
) -> SupporterApplication:
    """Queue an application; ValidationFailed lists every ``field: message`` (consents included)."""
    unknown = sorted(set(data) - set(_APPLICANT_FIELDS))
    problems = [f"{name}: unknown field" for name in unknown]
    if not str(data.get("contact") or "").strip():
        problems.append("contact: required field is missing or empty (we tell you the outcome there)")
    if not consent_recommend:
        problems.append("consent_recommend: the consent to be recommended to municipalities is required")
    if not consent_contact:
        problems.append("consent_contact: the consent to share your contact after an accepted introduction "
                        "is required")
    try:
        record = _validated(data, "application", directory)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.problems + problems) from None
    if problems:
        raise ValidationFailed(problems)
    stored = {k: v for k, v in record.items() if k not in ("id", "status")}
    application = SupporterApplication(state="pending", data=stored, consent_recommend=True, consent_contact=True)
    session.add(application)
    session.flush()
    audit.record(session, actor=actor, action="apply", kind=APPLICATION_KIND, record_id=str(application.id),
                 after={"fields": stored.get("fields"), "processes": stored.get("processes")})
    return application


def get(session: Session, application_id: int) -> SupporterApplication:
    application = session.get(SupporterApplication, application_id)
    if application is None:
        raise NotFound(f"No supporter application {application_id}.")
    return application


def list_applications(session: Session, *, state: str | None = "pending") -> list[SupporterApplication]:
    query = select(SupporterApplication).order_by(SupporterApplication.id)
    if state is not None:
        if state not in APPLICATION_STATES:
            raise ValidationFailed([f"state: {state!r} is not allowed; use one of {', '.join(APPLICATION_STATES)}"])
        query = query.where(SupporterApplication.state == state)
    return list(session.scalars(query))


def _pending(session: Session, application_id: int) -> SupporterApplication:
    application = get(session, application_id)
    if application.state != "pending":
        raise ConflictError(f"Application {application_id} was already {application.state} by "
                            f"{application.decided_by}.")
    return application


def certify(session: Session, application_id: int, *, actor: str, directory: MunicipalityDirectory,
            advisor_id: str | None = None) -> Advisor:
    """認定: the application becomes an active advisor (validated again, audited)."""
    application = _pending(session, application_id)
    ext_id = (advisor_id or "").strip() or _new_advisor_id(session)
    if not re.match(ID_PATTERN, ext_id):
        raise ValidationFailed([f"id: {ext_id!r} is not a valid id; use 1–64 letters, digits, '_', '.' or '-'"])
    advisor: Advisor = curation.add(session, "advisor", {**application.data, "id": ext_id, "status": "active"},
                                    actor=actor, directory=directory)
    application.state, application.decided_at, application.decided_by = "certified", utcnow(), actor
    application.advisor_ext_id = advisor.ext_id
    audit.record(session, actor=actor, action="certify", kind=APPLICATION_KIND,
                 record_id=str(application.id), before={"state": "pending"},
                 after={"state": "certified", "advisor": advisor.ext_id})
    session.flush()
    return advisor


def reject(session: Session, application_id: int, *, reason: str, actor: str) -> SupporterApplication:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(["reason: write why the application is not certified; the applicant is told"])
    if len(reason) > REASON_MAX:
        raise ValidationFailed([f"reason: is {len(reason):,} characters long; the limit is {REASON_MAX} characters"])
    application = _pending(session, application_id)
    application.state, application.decided_at, application.decided_by = "rejected", utcnow(), actor
    application.reason = reason
    audit.record(session, actor=actor, action="reject", kind=APPLICATION_KIND, record_id=str(application.id),
                 before={"state": "pending"}, after={"state": "rejected"})
    session.flush()
    return application
