"""Importing consultations received by mail, phone or at a meeting (`gunmane import consultation FILE`).

Each row of the file (data-format kind ``consultation``) goes through the chat's own
intake analysis (``bot.dialogue.understand.analyze``) and the Matcher, and is stored as an
ordinary ``Consultation`` (platform ``import``, status ``imported``, created at the date it
was received) with one ``SubIssue`` per problem and what was recommended for it — so it
counts in groups and in the report exactly like a chat consultation. Its external id,
received date and contact live beside it in ``consultation_imports``; the contact is never
shown before an introduction (or a group invitation) is accepted, and it is never written
to the audit log or the log.

All or nothing, like every import: the whole file is validated first and any problem
(``FILE:LINE: field: message``) changes nothing. Re-importing the same file changes
nothing; a row whose text, place, date or contact changed is analysed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue.understand import analyze
from knowledge import audit
from knowledge.cards import IntakeCard
from knowledge.db import Database, bump_version
from knowledge.io import read_records
from knowledge.models import Consultation, ConsultationImport, SubIssue
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import ConsultationRecord
from knowledge.settings import Settings
from matching.embedders.base import Embedder
from matching.intake import detect_language
from matching.types import Kind, MatchQuery, MatchResult

PLATFORM = "import"
STATUS = "imported"
# What the chat recommends per sub-issue (bot.dialogue.recommend), kept the same way.
RECOMMENDED_KINDS: tuple[Kind, ...] = ("advisor", "case", "engineer", "training")
FETCHED = 6
NEIGHBOUR_KM = 150.0


@dataclass
class ConsultationImportReport:
    path: Path
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sub_issues: int = 0

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.path}: {self.total} consultation(s) — {len(self.created)} {verb} created, "
            f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged"
            + (f"; {self.sub_issues} sub-issue(s) found" if not self.dry_run else " (dry run: nothing was changed)")
        )


def received_at(record: ConsultationRecord) -> datetime:
    """The received date as the consultation's creation time (midnight UTC, so `--since DATE` includes it)."""
    return datetime.combine(record.date, time.min, tzinfo=UTC)


def _fingerprint(record: ConsultationRecord) -> dict[str, Any]:
    return {"prefecture": record.prefecture, "municipality": record.municipality, "text": record.text,
            "date": record.date.isoformat(), "contact": record.contact}


def _stored_fingerprint(row: ConsultationImport, consultation: Consultation) -> dict[str, Any]:
    return {"prefecture": consultation.prefecture, "municipality": consultation.municipality,
            "text": row.source_text, "date": row.received_on.isoformat(), "contact": row.contact}


def _audit_view(record: ConsultationRecord, card: IntakeCard | None) -> dict[str, Any]:
    """What the audit log keeps of an imported consultation: never its words or its contact."""
    view: dict[str, Any] = {"prefecture": record.prefecture, "municipality": record.municipality,
                            "date": record.date.isoformat(), "has_contact": record.contact is not None}
    if card is not None:
        view["sub_issues"] = [{"fields": s.fields, "processes": s.processes, "pains": s.pains} for s in card.sub_issues]
    return view


def import_consultations(
    db: Database,
    path: str | Path,
    *,
    actor: str,
    settings: Settings,
    embedder: Embedder,
    dry_run: bool = False,
) -> ConsultationImportReport:
    """Validate the whole file, then analyse and store each new or changed consultation."""
    with db.session() as session:
        directory = MunicipalityDirectory(session)
        valid = read_records(path, "consultation", directory)
        report = ConsultationImportReport(valid.path, dry_run, warnings=valid.warnings)
        plan = _plan(session, [r for _, r in valid.records], report)  # type: ignore[misc]
        if dry_run or not plan:
            return report
        cards = {record.id: analyze(record.text, directory=directory, embedder=embedder,
                                    prefecture=record.prefecture, municipality=record.municipality)
                 for record, _ in plan}
    recommendations = _recommend(db, settings, embedder, [(r, cards[r.id]) for r, _ in plan])
    with db.session() as session:
        for record, existing_id in plan:
            card = cards[record.id]
            _store(session, record, card, recommendations.get(record.id, {}), existing_id, actor=actor)
            report.sub_issues += len(card.sub_issues)
        session.flush()
        bump_version(session, "consultation")
    return report


def _plan(session: Session, records: list[ConsultationRecord], report: ConsultationImportReport,
          ) -> list[tuple[ConsultationRecord, int | None]]:
    """Which records are new (None) or changed (the ConsultationImport id); the rest are unchanged."""
    plan: list[tuple[ConsultationRecord, int | None]] = []
    existing = {row.ext_id: row for row in session.scalars(
        select(ConsultationImport).where(ConsultationImport.ext_id.in_([r.id for r in records])))}
    for record in records:
        row = existing.get(record.id)
        if row is None:
            report.created.append(record.id)
            plan.append((record, None))
            continue
        consultation = session.get(Consultation, row.consultation_id)
        if consultation is not None and _stored_fingerprint(row, consultation) == _fingerprint(record):
            report.unchanged.append(record.id)
            continue
        report.updated.append(record.id)
        plan.append((record, row.id))
    return plan


def _recommend(
    db: Database, settings: Settings, embedder: Embedder, items: list[tuple[ConsultationRecord, IntakeCard]],
) -> dict[str, dict[int, dict[str, list[dict[str, Any]]]]]:
    """What the chat would have recommended per sub-issue (kept for the secretariat and the report)."""
    from matching.engine import Matcher

    plan = [(record.id, i, kind, MatchQuery(sub.text, kind, record.prefecture, record.municipality, FETCHED,
                                            tuple(sub.fields), tuple(sub.processes)))
            for record, card in items for i, sub in enumerate(card.sub_issues) for kind in RECOMMENDED_KINDS]
    if not plan:
        return {}
    found = Matcher(db, embedder, settings).match_many([query for *_, query in plan])
    out: dict[str, dict[int, dict[str, list[dict[str, Any]]]]] = {}
    for (ext_id, i, kind, _query), results in zip(plan, found, strict=True):
        out.setdefault(ext_id, {}).setdefault(i, {})[kind] = _kept(results)
    return out


def _kept(results: list[MatchResult]) -> list[dict[str, Any]]:
    kept = [r for r in results
            if not (r.kind == "engineer" and r.distance_km is not None and r.distance_km > NEIGHBOUR_KM)]
    return [{"id": r.id, "db_id": r.db_id, "score": round(float(r.score), 4), "title": r.title, "why": r.why,
             "distance_km": None if r.distance_km is None else round(r.distance_km, 1)} for r in kept[:FETCHED]]


def _store(
    session: Session,
    record: ConsultationRecord,
    card: IntakeCard,
    recommended: dict[int, dict[str, list[dict[str, Any]]]],
    existing_id: int | None,
    *,
    actor: str,
) -> Consultation:
    before: dict[str, Any] | None = None
    if existing_id is None:
        consultation = Consultation(platform=PLATFORM, user_id=f"{PLATFORM}:{record.id}"[:128])
        row = ConsultationImport(ext_id=record.id)
    else:
        row = session.get_one(ConsultationImport, existing_id)
        consultation = session.get_one(Consultation, row.consultation_id)
        before = {"prefecture": consultation.prefecture, "municipality": consultation.municipality,
                  "date": row.received_on.isoformat(), "has_contact": row.contact is not None,
                  "sub_issues": [{"fields": s.fields, "processes": s.processes, "pains": s.pains}
                                 for s in consultation.sub_issues]}
        consultation.sub_issues.clear()
        session.flush()
    consultation.prefecture = record.prefecture
    consultation.municipality = record.municipality
    consultation.text = record.text
    consultation.card = card.to_json()
    consultation.language = detect_language(record.text)
    consultation.status = STATUS
    consultation.created_at = received_at(record)
    for i, sub in enumerate(card.sub_issues):
        recs = recommended.get(i, {})
        scores = [r["score"] for kind_recs in recs.values() for r in kind_recs]
        consultation.sub_issues.append(SubIssue(
            position=i, text=sub.text, fields=list(sub.fields), processes=list(sub.processes),
            pains=list(sub.pains), wanted=list(sub.wanted), recommendations=recs,
            best_score=max(scores) if scores else None,
        ))
    if existing_id is None:
        session.add(consultation)
        session.flush()
        row.consultation_id = consultation.id
        session.add(row)
    row.received_on = record.date
    row.contact = record.contact
    row.source_text = record.text
    session.flush()
    audit.record(session, actor=actor, action="import", kind="consultation", record_id=record.id,
                 before=before, after=_audit_view(record, card))
    return consultation


def imported_ids(session: Session, consultation_ids: list[int]) -> dict[int, str]:
    """Consultation.id → the imported id, for the consultations that came from a file."""
    if not consultation_ids:
        return {}
    rows = session.execute(select(ConsultationImport.consultation_id, ConsultationImport.ext_id)
                           .where(ConsultationImport.consultation_id.in_(consultation_ids)))
    return {int(cid): str(ext) for cid, ext in rows}
