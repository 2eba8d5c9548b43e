"""Secretariat actions the web console needs beside the service's own.

- ``forget_person``: ``erasure.forget`` (the erasure of ``gunmane advisor|engineer forget``),
  then the copies the web tables may hold: the mail outbox, supporter applications, a
  profile link's owner.
- ``expire_introduction``: expire one request now (the CLI only expires overdue ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.secretariat import curation, erasure, outbox
from bot.secretariat import introductions as intros
from bot.secretariat.erasure import ForgetReport, scrub_value
from knowledge import audit
from knowledge.errors import ConflictError, ValidationFailed
from knowledge.models import Advisor, Engineer, Introduction, utcnow
from knowledge.web_models import ProfileOwner, SupporterApplication


@dataclass(frozen=True)
class ErasurePreview:
    """What ``forget_person`` would erase, for the confirmation page (values are not shown)."""

    kind: str
    ext_id: str
    fields: tuple[str, ...]
    introductions: int


def erasure_preview(session: Session, kind: str, ext_id: str) -> ErasurePreview:
    row = _person(session, kind, ext_id)
    fields = tuple(name for name in ("name", "contact", "expertise") if getattr(row, name))
    count = len(intros.list_introductions(session, target_kind=kind, target_id=row.id))
    return ErasurePreview(kind, ext_id, fields, count)


def _person(session: Session, kind: str, ext_id: str) -> Advisor | Engineer:
    if kind not in ("advisor", "engineer"):
        raise ValidationFailed([f"kind: only advisors and engineers hold personal data to forget, not {kind!r}"])
    row: Advisor | Engineer = curation.find(session, kind, ext_id)
    return row


def forget_person(session: Session, kind: str, ext_id: str, *, actor: str) -> ForgetReport:
    row = _person(session, kind, ext_id)
    secrets = sorted({s.strip() for s in (row.name, row.contact, row.expertise) if s and len(s.strip()) >= 2},
                     key=len, reverse=True)
    report = erasure.forget(session, kind, ext_id, actor=actor)
    scrubbed = _scrub_web_tables(session, secrets)
    if kind == "engineer":
        session.execute(delete(ProfileOwner).where(ProfileOwner.engineer_ext_id == ext_id))
    report.scrubbed.update({k: v for k, v in scrubbed.items() if v})
    session.flush()
    return report


def _scrub_web_tables(session: Session, secrets: list[str]) -> dict[str, int]:
    if not secrets:
        return {}
    counts = {"outbox_messages": outbox.scrub(session, secrets), "supporter_applications": 0}
    for application in session.scalars(select(SupporterApplication)):
        data = scrub_value(application.data, secrets)
        if data != application.data:
            application.data = data
            counts["supporter_applications"] += 1
    return counts


def expire_introduction(session: Session, intro_id: int, *, actor: str) -> Introduction:
    """Expire one unanswered request now (the secretariat gave up on it)."""
    intro = intros.get(session, intro_id, lock=True)
    if intro.state != "requested":
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; only requested introductions can expire.")
    before = {"state": intro.state}
    intro.state, intro.expired_at, intro.acted_by = "expired", utcnow(), actor
    session.flush()
    audit.record(session, actor=actor, action="intro_expired", kind="introduction", record_id=str(intro.id),
                 before=before, after={"state": "expired"})
    return intro
