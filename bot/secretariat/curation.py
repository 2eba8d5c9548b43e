"""Curation by the secretariat: add, edit, show, list, status changes and deletion.

Every kind of the data-format contract (advisor, case, engineer, training, technology)
is handled the same way. Input is validated by ``knowledge.records`` (the
importer's validation, so messages are the same); every change writes an
audit entry with what changed (before and after) and bumps the kind's
version, so each worker's index re-embeds just the changed record and drops
a paused, retired or non-consenting person at its next query.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.capacity import open_load
from bot.secretariat.introductions import list_introductions
from knowledge import audit
from knowledge.db import bump_version
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import RECORD_MODELS, Advisor, Base, utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import RecordBase, record_from_row, validate_record
from knowledge.taxonomy import get_taxonomy

KINDS: tuple[str, ...] = ("advisor", "case", "engineer", "training", "technology")
ADVISOR_STATUSES = ("active", "paused", "retired")
# Values of ``list --status`` per kind (advisor status, engineer consent, training dates, case origin).
LIST_STATUSES: dict[str, tuple[str, ...]] = {
    "advisor": ("active", "paused", "retired", "forgotten"),
    "engineer": ("discoverable", "hidden", "forgotten"),
    "training": ("upcoming", "past"),
    "case": ("reference", "own"),
    "technology": ("active", "retired"),
}


def _model(kind: str) -> type[Base]:
    try:
        return RECORD_MODELS[kind]
    except KeyError:
        raise ValidationFailed([f"kind: unknown kind {kind!r}; use one of {', '.join(KINDS)}"]) from None


def to_data(kind: str, row: Any) -> dict[str, Any]:
    """The record in the contract's shape (``id`` = external id, dates as text)."""
    _model(kind)
    return record_from_row(row).contract_dict()


def find(session: Session, kind: str, ext_id: str, *, lock: bool = False) -> Any:
    model = _model(kind)
    query = select(model).where(model.ext_id == ext_id)  # type: ignore[attr-defined]
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"No {kind} with id {ext_id!r}. `gunmane {kind} list` shows the ids.")
    return row


def details(session: Session, kind: str, ext_id: str) -> dict[str, Any]:
    """The record in the contract's shape plus what the secretariat checks: erased?, introductions, load."""
    row = find(session, kind, ext_id)
    data = to_data(kind, row)
    if kind in ("advisor", "engineer"):
        data["forgotten"] = row.forgotten
        mine = list_introductions(session, target_kind=kind, target_id=row.id)
        data["introductions"] = {s: sum(i.state == s for i in mine) for s in sorted({i.state for i in mine})}
    if kind == "advisor":
        data["open_load"] = f"{open_load(session, row.id)}/{row.capacity}"
    return data


def validate(kind: str, data: dict[str, Any], directory: MunicipalityDirectory) -> RecordBase:
    """Validate with the importer's rules (``ValidationFailed`` lists every ``field: message``)."""
    _model(kind)
    return validate_record(kind, data, directory)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def add(session: Session, kind: str, data: dict[str, Any], *, actor: str, directory: MunicipalityDirectory) -> Any:
    """Create a new record; an existing id is an error (use ``edit``)."""
    record = validate(kind, data, directory)
    model = _model(kind)
    if session.scalar(select(model.id).where(model.ext_id == record.id)) is not None:  # type: ignore[attr-defined]
        raise ConflictError(f"A {kind} with id {record.id!r} already exists. Use `gunmane {kind} edit {record.id}`.")
    row = record.to_row()
    session.add(row)
    session.flush()
    bump_version(session, kind)
    audit.record(session, actor=actor, action="add", kind=kind, record_id=row.ext_id, after=to_data(kind, row))
    return row


def edit(
    session: Session, kind: str, ext_id: str, changes: dict[str, Any], *, actor: str,
    directory: MunicipalityDirectory,
) -> tuple[Any, dict[str, Any]]:
    """Change some fields; returns the row and the changed fields' new values (empty: nothing changed)."""
    row = find(session, kind, ext_id, lock=True)
    if getattr(row, "forgotten", False):
        raise ConflictError(
            f"The personal data of {kind} {ext_id} was erased (forget). Add the person again under a new id "
            "if they agree to be listed."
        )
    if "id" in changes and changes["id"] != ext_id:
        raise ValidationFailed(["id: the id of a record cannot be changed; add a new record instead"])
    before = to_data(kind, row)
    validate(kind, {**before, **changes, "id": ext_id}, directory).to_row(row)
    session.flush()
    old, new = _changes(before, to_data(kind, row))
    if new:
        bump_version(session, kind)
        audit.record(session, actor=actor, action="edit", kind=kind, record_id=ext_id, before=old, after=new)
    return row, new


def set_advisor_status(session: Session, ext_id: str, status: str, *, actor: str) -> tuple[Advisor, bool]:
    """pause / retire / activate; returns the advisor and whether anything changed."""
    if status not in ADVISOR_STATUSES:
        raise ValidationFailed([f"status: {status!r} is not allowed; use one of {', '.join(ADVISOR_STATUSES)}"])
    advisor: Advisor = find(session, "advisor", ext_id, lock=True)
    if advisor.forgotten and status == "active":
        raise ConflictError(f"Advisor {ext_id}'s personal data was erased; they cannot be activated again.")
    if advisor.status == status:
        return advisor, False
    before = advisor.status
    advisor.status = status
    session.flush()
    bump_version(session, "advisor")
    audit.record(session, actor=actor, action="status", kind="advisor", record_id=ext_id,
                 before={"status": before}, after={"status": status})
    return advisor, True


def delete(session: Session, kind: str, ext_id: str, *, actor: str) -> None:
    """Remove a record entirely (people: prefer ``forget``, which keeps the statistics)."""
    row = find(session, kind, ext_id, lock=True)
    if getattr(row, "is_reference", False):
        raise ConflictError(f"Case {ext_id} is one of MLIT's reference cases; `gunmane db seed` would bring it back.")
    before = to_data(kind, row)
    if kind in ("advisor", "engineer"):
        before = {k: v for k, v in before.items() if k not in ("name", "contact", "expertise")}
    session.delete(row)
    session.flush()
    bump_version(session, kind)
    audit.record(session, actor=actor, action="delete", kind=kind, record_id=ext_id, before=before)


def _matches_status(kind: str, row: Any, status: str, today: date) -> bool:
    if kind == "advisor":
        return bool(row.forgotten) if status == "forgotten" else row.status == status and not row.forgotten
    if kind == "engineer":
        if status == "forgotten":
            return bool(row.forgotten)
        return (row.discoverable and not row.forgotten) == (status == "discoverable") and not row.forgotten
    if kind == "training":
        last = row.end_date or row.start_date
        upcoming = last is None or last >= today
        return upcoming == (status == "upcoming")
    if kind == "technology":
        return bool(row.status == status)
    return bool(row.is_reference) == (status == "reference")


def list_records(
    session: Session,
    kind: str,
    *,
    field: str | None = None,
    process: str | None = None,
    prefecture: str | None = None,
    status: str | None = None,
    today: date | None = None,
) -> list[Any]:
    """Records of ``kind`` matching every filter given (field/process as code or Japanese label)."""
    model = _model(kind)
    problems = []
    taxonomy = get_taxonomy()
    try:
        field_code = taxonomy.normalize("field", field) if field else None
    except ValueError as exc:
        problems.append(f"field: {exc}")
    try:
        process_code = taxonomy.normalize("process", process) if process else None
    except ValueError as exc:
        problems.append(f"process: {exc}")
    if status and status not in LIST_STATUSES[kind]:
        problems.append(f"status: {status!r} does not apply to {kind}; use one of {', '.join(LIST_STATUSES[kind])}")
    if problems:
        raise ValidationFailed(problems)
    query = select(model).order_by(model.ext_id)  # type: ignore[attr-defined]
    if prefecture:
        query = query.where(model.prefecture == prefecture)  # type: ignore[attr-defined]
    today = today or utcnow().date()
    rows = []
    found: list[Any] = list(session.scalars(query))
    for row in found:
        if field and field_code not in (row.fields or []):
            continue
        if process and process_code not in (row.processes or []):
            continue
        if status and not _matches_status(kind, row, status, today):
            continue
        rows.append(row)
    return rows


__all__ = [
    "ADVISOR_STATUSES", "KINDS", "LIST_STATUSES", "add", "delete", "details", "edit", "find", "list_records",
    "set_advisor_status", "to_data", "validate",
]
