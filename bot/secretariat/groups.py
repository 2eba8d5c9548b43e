"""The secretariat's groups (群): suggestions from stored consultations, groups made from them, members.

The thin database layer around ``matching.groups`` (the pure algorithm):

- ``suggest(db, embedder, params, since=…)`` reads every located consultation (chat and
  imported alike; quick lookups are searches, not needs, and are left out) with its
  sub-issues, embeds the sub-issue texts through the embedding cache, runs the grouping and
  stores the suggestions under their stable ids (``group_suggestions``), so that
  ``create_group`` and ``groups techs`` can refer to one later;
- ``create_group`` / ``add_member`` / ``remove_member`` / ``rename_group`` — each takes the
  ``actor`` and writes an audit entry (kind ``group``);
- ``list_groups`` / ``get_group`` / ``group_view`` — what ``groups list|show`` print.

Consent (invitations, answers, what a member may see) is in ``bot.secretariat.group_consent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.consultations import imported_ids
from knowledge import audit
from knowledge.db import Database
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import (
    Case,
    Consultation,
    ConsultationImport,
    GroupMember,
    GroupSuggestion,
    MunicipalGroup,
    SubIssue,
    utcnow,
)
from knowledge.municipalities import MunicipalityDirectory
from matching.embedders.base import Embedder
from matching.embedding_cache import embed_documents
from matching.groups import Body, Need, Params, Precedent, Suggestion, suggest_groups

KIND = "group"                      # audit log kind
EXCLUDED_STATUSES = ("lookup",)     # quick lookups (事例 橋梁 代行) are searches, not a body's need
MAX_NAME = 200


# ---------------------------------------------------------------- reading needs


def load_needs(db: Database, embedder: Embedder | None, *, since: date | None = None) -> list[Need]:
    """Every sub-issue of a located consultation (chat or imported) since ``since``, as a ``Need``."""
    with db.session() as session:
        directory = MunicipalityDirectory(session)
        query = (select(Consultation)
                 .where(Consultation.prefecture.is_not(None), Consultation.municipality.is_not(None),
                        Consultation.status.not_in(EXCLUDED_STATUSES))
                 .order_by(Consultation.id))
        if since is not None:
            query = query.where(Consultation.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
        consultations = list(session.scalars(query))
        refs = imported_ids(session, [c.id for c in consultations])
        rows: list[tuple[Consultation, SubIssue, Body]] = []
        for consultation in consultations:
            place = directory.get(consultation.prefecture or "", consultation.municipality or "")
            if place is None:
                continue
            body = Body(place.prefecture, place.name, place.lat, place.lng)
            rows.extend((consultation, sub, body) for sub in consultation.sub_issues)
        texts = [sub.text for _, sub, _ in rows]
    vectors = embed_documents(db, embedder, texts) if embedder is not None and texts else None
    return [
        Need(
            sub_issue_id=sub.id, consultation_id=consultation.id,
            consultation_ref=refs.get(consultation.id, str(consultation.id)), body=body,
            fields=tuple(sub.fields or ()), processes=tuple(sub.processes or ()), pains=tuple(sub.pains or ()),
            vector=None if vectors is None else vectors[i], text=sub.text,
        )
        for i, (consultation, sub, body) in enumerate(rows)
    ]


def load_precedents(session: Session) -> list[Precedent]:
    return [Precedent(c.ext_id, c.title, tuple(c.scheme or ()), tuple(c.fields or ()), tuple(c.processes or ()))
            for c in session.scalars(select(Case).order_by(Case.ext_id))]


# ---------------------------------------------------------------- suggestions


def suggest(db: Database, embedder: Embedder | None, params: Params, *, since: date | None = None) -> list[Suggestion]:
    """Compute the suggestions and keep them (by id) for ``create_group`` and ``groups techs``."""
    problems = params.problems()
    if problems:
        raise ValidationFailed(problems)
    needs = load_needs(db, embedder, since=since)
    with db.session() as session:
        cases = load_precedents(session)
    suggestions = suggest_groups(needs, params, cases)
    with db.session() as session:
        for suggestion in suggestions:
            data = stored_form(suggestion)
            row = session.get(GroupSuggestion, suggestion.id)
            if row is None:
                session.add(GroupSuggestion(id=suggestion.id, data=data))
            else:
                row.data, row.computed_at = data, utcnow()
    return suggestions


def stored_form(suggestion: Suggestion) -> dict[str, Any]:
    """The contract object plus what the database needs later (consultation and sub-issue ids)."""
    data = suggestion.to_json()
    data["internal"] = [{"consultation_ids": list(m.consultation_ids), "sub_issue_ids": list(m.sub_issue_ids)}
                        for m in suggestion.members]
    return data


def get_suggestion(session: Session, suggestion_id: str) -> GroupSuggestion:
    row = session.get(GroupSuggestion, suggestion_id.strip())
    if row is None:
        raise NotFound(f"No group suggestion {suggestion_id!r}. Run `gunmane groups suggest` and use one of its ids.")
    return row


# ---------------------------------------------------------------- groups


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    problems = []
    if not cleaned:
        problems.append("--name: give the group a name, e.g. --name 宇陀エリア橋梁点検")
    if len(cleaned) > MAX_NAME:
        problems.append(f"--name: is {len(cleaned):,} characters long; the limit is {MAX_NAME}")
    if "\x00" in cleaned:
        problems.append("--name: contains a NUL character; remove it")
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def snapshot(group: MunicipalGroup) -> dict[str, Any]:
    """What the audit log keeps of a group: bodies and states, never people or their words."""
    return {"name": group.name, "suggestion": group.suggestion_id, "fields": list(group.fields),
            "processes": list(group.processes),
            "members": [f"{m.prefecture}{'' if m.municipality == m.prefecture else m.municipality}:{m.state}"
                        for m in group.members]}


def create_group(session: Session, suggestion_id: str, *, name: str, actor: str) -> MunicipalGroup:
    """A group holding the suggestion's members (all ``not_invited``)."""
    cleaned = _clean_name(name)
    suggestion = get_suggestion(session, suggestion_id)
    data = suggestion.data
    group = MunicipalGroup(name=cleaned, suggestion_id=suggestion.id, fields=list(data["fields"]),
                           processes=list(data["processes"]), why=data["why"], schemes=list(data["schemes"]))
    for member, internal in zip(data["members"], data["internal"], strict=True):
        group.members.append(GroupMember(prefecture=member["prefecture"], municipality=member["municipality"],
                                         consultation_ids=list(internal["consultation_ids"])))
    session.add(group)
    session.flush()
    audit.record(session, actor=actor, action="create", kind=KIND, record_id=str(group.id), after=snapshot(group))
    return group


def get_group(session: Session, group_id: int | str, *, lock: bool = False) -> MunicipalGroup:
    try:
        key = int(str(group_id).strip())
    except ValueError:
        raise NotFound(f"{group_id!r} is not a group id; `gunmane groups list` shows the ids (numbers).") from None
    query = select(MunicipalGroup).where(MunicipalGroup.id == key)
    if lock:
        query = query.with_for_update()
    group = session.scalar(query)
    if group is None:
        raise NotFound(f"No group {key}. `gunmane groups list` shows the ids.")
    return group


def list_groups(session: Session) -> list[MunicipalGroup]:
    return list(session.scalars(select(MunicipalGroup).order_by(MunicipalGroup.id)))


def rename_group(session: Session, group_id: int | str, name: str, *, actor: str) -> MunicipalGroup:
    group = get_group(session, group_id, lock=True)
    cleaned = _clean_name(name)
    if cleaned != group.name:
        before = group.name
        group.name = cleaned
        session.flush()
        audit.record(session, actor=actor, action="edit", kind=KIND, record_id=str(group.id),
                     before={"name": before}, after={"name": cleaned})
    return group


def find_consultation(session: Session, ref: str) -> Consultation | None:
    """A consultation by its imported id (hc-001) or its stored number (12), as ``groups show`` lists them."""
    ref = ref.strip()
    imported = session.scalar(select(ConsultationImport).where(ConsultationImport.ext_id == ref))
    if imported is not None:
        return session.get(Consultation, imported.consultation_id)
    if ref.isdigit() and len(ref) < 10:
        return session.get(Consultation, int(ref))
    return None


def _consultations_of(session: Session, prefecture: str, municipality: str, refs: list[str]) -> list[int]:
    """Stored ids of the body's consultations named by imported id or stored id; all must belong to the body."""
    ids: list[int] = []
    problems = []
    for ref in refs:
        ref = ref.strip()
        consultation = find_consultation(session, ref)
        if consultation is None:
            problems.append(f"--consultation: no consultation {ref!r} (give an imported id or a stored number)")
        elif (consultation.prefecture, consultation.municipality) != (prefecture, municipality):
            problems.append(f"--consultation: {ref!r} was asked by {consultation.prefecture}"
                            f"{consultation.municipality or ''}, not by {prefecture}{municipality}")
        else:
            ids.append(consultation.id)
    if problems:
        raise ValidationFailed(problems)
    return list(dict.fromkeys(ids))


def add_member(session: Session, group_id: int | str, *, prefecture: str, municipality: str,
               consultations: list[str], actor: str) -> GroupMember:
    """Add a body (with at least one of its consultations, so there is someone to invite)."""
    group = get_group(session, group_id, lock=True)
    place = MunicipalityDirectory(session).resolve(prefecture, municipality or prefecture)
    if any((m.prefecture, m.municipality) == (place.prefecture, place.name) for m in group.members):
        raise ConflictError(f"{place.prefecture}{place.name} is already a member of group {group.id}.")
    if not consultations:
        raise ValidationFailed(["--consultation: name at least one consultation of the body (its id), "
                                "so that its engineer can be invited"])
    ids = _consultations_of(session, place.prefecture, place.name, consultations)
    member = GroupMember(prefecture=place.prefecture, municipality=place.name, consultation_ids=ids)
    group.members.append(member)
    session.flush()
    audit.record(session, actor=actor, action="add_member", kind=KIND, record_id=str(group.id),
                 after={"member": member.id, "body": f"{place.prefecture}{place.name}"})
    return member


def find_member(group: MunicipalGroup, member: int | str) -> GroupMember:
    """A member by its id, or by its body's name (宇陀市, 奈良県宇陀市)."""
    text = str(member).strip()
    for m in group.members:
        if text.isdigit() and m.id == int(text):
            return m
    by_name = [m for m in group.members if text in (m.municipality, f"{m.prefecture}{m.municipality}")]
    if len(by_name) == 1:
        return by_name[0]
    names = ", ".join(f"{m.id} ({m.municipality})" for m in group.members) or "none"
    raise NotFound(f"Group {group.id} has no member {text!r}; its members are: {names}.")


def remove_member(session: Session, group_id: int | str, member: int | str, *, actor: str) -> None:
    group = get_group(session, group_id, lock=True)
    row = find_member(group, member)
    body = f"{row.prefecture}{row.municipality}"
    group.members.remove(row)
    session.flush()
    audit.record(session, actor=actor, action="remove_member", kind=KIND, record_id=str(group.id),
                 before={"member": row.id, "body": body, "state": row.state})


@dataclass(frozen=True)
class MemberView:
    id: int
    prefecture: str
    municipality: str
    state: str
    consultations: list[str]


def group_view(session: Session, group: MunicipalGroup) -> dict[str, Any]:
    """The secretariat's view of a group: bodies, states, consultation ids — no contacts, no words."""
    ids = [cid for m in group.members for cid in m.consultation_ids]
    refs = imported_ids(session, ids)
    members = [MemberView(m.id, m.prefecture, m.municipality, m.state,
                          [refs.get(cid, str(cid)) for cid in m.consultation_ids]) for m in group.members]
    return {"id": group.id, "name": group.name, "suggestion": group.suggestion_id, "fields": list(group.fields),
            "processes": list(group.processes), "why": group.why, "schemes": list(group.schemes),
            "members": [vars(m) for m in members]}
