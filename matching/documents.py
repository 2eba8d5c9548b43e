"""The searchable text of a record: ONE definition per kind, used by FAISS and BM25 alike.

What a record is *about* goes in (expertise, summary, description, title, the
taxonomy labels of its fields, processes and schemes); what only identifies it
(names, contacts, ids) stays out, so neither search matches on a person's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from knowledge.taxonomy import get_taxonomy

TRAINING_KIND_LABELS = {"training": "研修", "site_visit": "視察", "seminar": "セミナー", "webinar": "オンライン講座"}


def labels(codes: Iterable[str]) -> list[str]:
    """Japanese labels of taxonomy codes; unknown codes are passed over."""
    tax = get_taxonomy()
    out: list[str] = []
    for code in codes or ():
        try:
            out.append(tax.label(code))
        except ValueError:
            continue
    return out


def _taxonomy_lines(row: Any, *, schemes: bool = False) -> list[str]:
    lines = []
    if fields := labels(row.fields):
        lines.append("分野: " + "・".join(fields))
    if processes := labels(row.processes):
        lines.append("業務: " + "・".join(processes))
    if schemes and (scheme := labels(row.scheme)):
        lines.append("連携: " + "・".join(scheme))
    return lines


def advisor_text(row: Any) -> str:
    parts = [row.expertise]
    if row.affiliation:
        parts.append(row.affiliation)
    return "\n".join(parts + _taxonomy_lines(row))


def case_text(row: Any) -> str:
    return "\n".join([row.title, row.summary] + _taxonomy_lines(row, schemes=True))


def engineer_text(row: Any) -> str:
    parts = [row.expertise]
    if row.department:
        parts.append(row.department)
    return "\n".join(parts + _taxonomy_lines(row))


def training_text(row: Any) -> str:
    parts = [row.title, row.description]
    if row.kind in TRAINING_KIND_LABELS:
        parts.append(TRAINING_KIND_LABELS[row.kind])
    return "\n".join(parts + _taxonomy_lines(row))


CATALOGUE_LABELS = {
    "netis": "NETIS登録技術", "inspection_catalogue": "点検支援技術性能カタログ掲載", "other": "その他の新技術",
}


def technology_text(row: Any) -> str:
    """Name and description are what the technology is about; vendor and contact only identify it."""
    parts = [row.name, row.description]
    if row.catalogue in CATALOGUE_LABELS:
        parts.append(CATALOGUE_LABELS[row.catalogue])
    return "\n".join(parts + _taxonomy_lines(row))


_BUILDERS = {
    "advisor": advisor_text, "case": case_text, "engineer": engineer_text, "training": training_text,
    "technology": technology_text,
}


def document_text(kind: str, row: Any) -> str:
    """The text that represents ``row`` (an ORM row of ``kind``) in every index."""
    try:
        builder = _BUILDERS[kind]
    except KeyError:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(_BUILDERS)}") from None
    return builder(row)
