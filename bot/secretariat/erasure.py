"""Erasure of a person's personal data: ``forget(session, kind, ext_id, actor=…)``.

``forget`` is the one entry point (`gunmane advisor|engineer forget ID`, the
chat admin and the web console all call it). What goes: name, contact and
expertise text, replaced by ``ERASED``; every copy of the name or contact
elsewhere in the database — earlier audit entries, consultation texts and
cards, recommendations stored on sub-issues, conversation states,
introduction messages and extras, conversation references of that chat
user — and the cached embedding of the erased record's text. The web's copies
go in the same step: the mail outbox, supporter applications, and the link
between a chat user and the engineer profile they registered.

What stays, so the secretariat's statistics still add up: the record's id,
fields, processes, prefecture (and municipality / affiliation kind), capacity,
and the introductions (which hold ids only).

The record is marked ``forgotten`` (an advisor is also retired, an engineer
no longer discoverable) and the kind's version is bumped, so every worker's
index drops the person at its next query. The audit entry of the erasure
names which fields were erased, never their values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from bot.secretariat import outbox
from bot.secretariat.contacts import ChatUser, parse_contact
from knowledge import audit
from knowledge.db import bump_version, flush_erased_after_commit
from knowledge.errors import NotFound
from knowledge.models import (
    Advisor,
    AuditEntry,
    Base,
    Consultation,
    ConversationReference,
    ConversationState,
    Engineer,
    Introduction,
    SubIssue,
    UserProfile,
)
from knowledge.web_models import ProfileOwner, SupporterApplication
from matching.documents import document_text
from matching.embedding_cache import purge_texts

ERASED = "(削除済み)"
MIN_SCRUB_LENGTH = 2  # shorter strings would erase unrelated text


@dataclass(frozen=True)
class ErasurePreview:
    """What ``forget`` would erase, for a confirmation (which fields hold data; never their values)."""

    kind: str
    ext_id: str
    fields: tuple[str, ...]
    introductions: int
    already_forgotten: bool


@dataclass
class ForgetReport:
    kind: str
    ext_id: str
    erased_fields: list[str]
    scrubbed: dict[str, int] = field(default_factory=dict)   # table → rows rewritten
    already_forgotten: bool = False


def _locked_person(session: Session, kind: str, ext_id: str, *, lock: bool = True) -> Advisor | Engineer | None:
    if kind == "advisor":
        advisors = select(Advisor).where(Advisor.ext_id == ext_id)
        return session.scalar(advisors.with_for_update() if lock else advisors)
    if kind == "engineer":
        engineers = select(Engineer).where(Engineer.ext_id == ext_id)
        return session.scalar(engineers.with_for_update() if lock else engineers)
    raise NotFound(f"Only people can be forgotten (advisor, engineer), not {kind!r}.")


def preview(session: Session, kind: str, ext_id: str) -> ErasurePreview:
    """What ``forget`` would erase of this person: the fields that hold personal data, and how many
    introductions keep only their ids."""
    row = _locked_person(session, kind, ext_id, lock=False)
    if row is None:
        raise NotFound(f"No {kind} with id {ext_id!r}. `gunmane {kind} list` shows the ids.")
    fields = tuple(name for name in PERSONAL_FIELDS if getattr(row, name) not in (None, "", ERASED))
    count = len(session.scalars(select(Introduction.id).where(Introduction.target_kind == kind,
                                                              Introduction.target_id == row.id)).all())
    return ErasurePreview(kind, ext_id, fields, count, bool(row.forgotten))


def forget(session: Session, kind: str, ext_id: str, *, actor: str) -> ForgetReport:
    """Erase the personal data of one advisor or engineer everywhere; keep the anonymised statistics."""
    row = _locked_person(session, kind, ext_id)
    if row is None:
        raise NotFound(f"No {kind} with id {ext_id!r}. `gunmane {kind} list` shows the ids.")
    secrets = _secrets(row.name, row.contact, row.expertise)
    if row.forgotten and not secrets:
        return ForgetReport(kind, ext_id, [], already_forgotten=True)
    old_text = document_text(kind, row)   # what the cached vector of this record was embedded from
    reached = parse_contact(row.contact)
    erased = _erase_person(row)
    if isinstance(row, Advisor):
        row.status = "retired"
    else:
        row.discoverable = False   # consent withdrawn with the data
    cached = purge_texts(session, [old_text])
    return _finish(session, kind, row.id, ext_id, erased, secrets, actor, cached=cached,
                   chat_user=reached if isinstance(reached, ChatUser) else None)


def _secrets(*values: str | None) -> list[str]:
    """The strings that must not survive anywhere; longest first so the expertise text goes before a name in it."""
    found = {s.strip() for s in values if s and s.strip() and s.strip() != ERASED}
    return sorted((s for s in found if len(s) >= MIN_SCRUB_LENGTH), key=len, reverse=True)


def _erase_person(row: Advisor | Engineer) -> list[str]:
    erased = []
    for name in ("name", "expertise"):
        if getattr(row, name) != ERASED:
            setattr(row, name, ERASED)
            erased.append(name)
    if row.contact is not None:
        row.contact = None
        erased.append("contact")
    row.forgotten = True
    return erased


def _finish(
    session: Session, kind: str, db_id: int, ext_id: str, erased: list[str], secrets: list[str], actor: str,
    *, cached: int, chat_user: ChatUser | None,
) -> ForgetReport:
    session.flush()
    report = ForgetReport(kind, ext_id, erased)
    _redact_own_audit(session, kind, ext_id)
    report.scrubbed = scrub_everywhere(session, secrets, chat_user)
    if kind == "engineer":   # the chat user who registered this profile no longer owns a record
        owners = len(session.scalars(select(ProfileOwner.id).where(ProfileOwner.engineer_ext_id == ext_id)).all())
        if owners:
            session.execute(delete(ProfileOwner).where(ProfileOwner.engineer_ext_id == ext_id))
            report.scrubbed["profile_owners"] = owners
    if cached:
        report.scrubbed["embedding_cache"] = cached
    flush_erased_after_commit(session)  # no copy left in SQLite's files or -wal once this commits
    bump_version(session, kind)
    audit.record(
        session,
        actor=actor,
        action="forget",
        kind=kind,
        record_id=ext_id,
        after={"forgotten": True, "erased_fields": erased, "scrubbed_rows": report.scrubbed, "db_id": db_id},
    )
    return report


# ---------------------------------------------------------------- scrubbing copies

PERSONAL_FIELDS = ("name", "contact", "expertise")


def _redact_own_audit(session: Session, kind: str, ext_id: str) -> None:
    """Earlier audit entries of this record keep which fields changed, not the personal values."""
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.kind == kind, AuditEntry.record_id == ext_id)):
        for column in ("before", "after"):
            value = getattr(entry, column)
            if isinstance(value, dict) and any(k in value for k in PERSONAL_FIELDS):
                setattr(entry, column, {k: (ERASED if k in PERSONAL_FIELDS else v) for k, v in value.items()})


def scrub_value(value: Any, secrets: list[str]) -> Any:
    """``value`` with every secret replaced by ``ERASED``, inside nested dicts and lists too."""
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, ERASED)
        return value
    if isinstance(value, dict):
        return {scrub_value(k, secrets): scrub_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_value(v, secrets) for v in value]
    return value


def _scrub_columns(session: Session, model: type[Base], columns: tuple[str, ...], secrets: list[str]) -> int:
    rewritten = 0
    for row in session.scalars(select(model)):
        changed = False
        for column in columns:
            old = getattr(row, column)
            new = scrub_value(old, secrets)
            if new != old:
                setattr(row, column, new)
                changed = True
        rewritten += changed
    return rewritten


def scrub_everywhere(session: Session, secrets: list[str], chat_user: ChatUser | None = None) -> dict[str, int]:
    """Remove every copy of ``secrets`` from the tables that may hold free text or JSON.

    ``chat_user`` is the chat user the erased contact named: how to reach them
    (a Teams conversation reference) goes too.
    """
    if not secrets:
        return {}
    counts = {
        "audit_log": _scrub_columns(session, AuditEntry, ("before", "after"), secrets),
        "consultations": _scrub_columns(session, Consultation, ("text", "card"), secrets),
        "sub_issues": _scrub_columns(session, SubIssue, ("text", "recommendations"), secrets),
        "conversation_states": _scrub_columns(session, ConversationState, ("state",), secrets),
        "introductions": _scrub_columns(session, Introduction, ("message", "comment", "extra"), secrets),
        "user_profiles": _scrub_columns(session, UserProfile, ("display_name", "extra"), secrets),
        "supporter_applications": _scrub_columns(session, SupporterApplication, ("data",), secrets),
        "outbox_messages": outbox.scrub(session, secrets),
    }
    named: list[ColumnElement[bool]] = [ConversationReference.user_id.in_(secrets)]
    if chat_user is not None:
        named.append((ConversationReference.platform == chat_user.platform)
                     & (ConversationReference.user_id == chat_user.user_id))
    references = list(session.scalars(select(ConversationReference).where(or_(*named))))
    for reference in references:
        session.delete(reference)
    counts["conversation_references"] = len(references)
    session.flush()
    return {table: n for table, n in counts.items() if n}
