"""HTML forms for the records of the contract (advisor, case, engineer, training, technology).

Each field of a kind gets a widget chosen from its name and type: taxonomy lists as
checkboxes, prefectures and fixed choices as selects, dates as date inputs, long texts as
text areas, other lists as ``a;b`` text. A posted form becomes the plain dict the importer
validates (``knowledge.records``), so the browser gets exactly the importer's rules, and
each problem is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.web.i18n import split_problem
from knowledge.records import (
    ADVISOR_KINDS,
    ADVISOR_STATUSES,
    TECHNOLOGY_CATALOGUES,
    TECHNOLOGY_STATUSES,
    TRAINING_KINDS,
    join_list,
    prefecture_names,
    record_type,
)
from knowledge.taxonomy import get_taxonomy

TAXONOMY_LISTS = {"fields": "field", "processes": "process", "scheme": "scheme"}
LONG_TEXTS = {"expertise", "summary", "description"}
NUMBERS = {"capacity", "population", "engineers", "years"}
DATES = {"start_date", "end_date"}
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("advisor", "kind"): ADVISOR_KINDS,
    ("advisor", "status"): ADVISOR_STATUSES,
    ("training", "kind"): TRAINING_KINDS,
    ("technology", "catalogue"): TECHNOLOGY_CATALOGUES,
    ("technology", "status"): TECHNOLOGY_STATUSES,
}


@dataclass(frozen=True)
class Widget:
    name: str
    widget: str                    # text, textarea, number, date, select, checkboxes, boolean, prefecture
    required: bool
    options: tuple[tuple[str, str], ...] = ()   # (value, label key or label)
    is_list: bool = False


def widgets(kind: str, *, skip: Iterable[str] = ()) -> list[Widget]:
    model = record_type(kind)
    required = set(model.required_fields())
    lists = set(model.list_fields())
    skipped = set(skip)
    out = []
    taxonomy = get_taxonomy()
    for name in model.field_names():
        if name in skipped:
            continue
        if name in TAXONOMY_LISTS:
            codes = taxonomy.codes(TAXONOMY_LISTS[name])
            out.append(Widget(name, "checkboxes", name in required, tuple((c, c) for c in codes), True))
        elif name == "prefecture":
            out.append(Widget(name, "prefecture", name in required, tuple((p, p) for p in prefecture_names())))
        elif (kind, name) in CHOICES:
            out.append(Widget(name, "select", name in required,
                              tuple((v, f"choice.{kind}.{name}.{v}") for v in CHOICES[(kind, name)])))
        elif name == "discoverable":
            out.append(Widget(name, "boolean", True))
        elif name in DATES:
            out.append(Widget(name, "date", name in required))
        elif name in NUMBERS:
            out.append(Widget(name, "number", name in required))
        elif name in LONG_TEXTS:
            out.append(Widget(name, "textarea", name in required))
        else:
            out.append(Widget(name, "text", name in required, is_list=name in lists))
    return out


def data_from_form(kind: str, values: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The posted fields as the importer reads a row (``values`` has ``value(name)`` and ``values(name)``)."""
    data: dict[str, Any] = {}
    for widget in widgets(kind, skip=skip):
        if widget.widget == "checkboxes":
            data[widget.name] = values.values(widget.name)
        elif widget.widget == "boolean":
            data[widget.name] = values.value(widget.name)
        else:
            data[widget.name] = values.value(widget.name)
    return data


def form_values(record: dict[str, Any] | None) -> dict[str, Any]:
    """A stored record (contract shape) as the form shows it: lists of text joined with ``;``."""
    out: dict[str, Any] = {}
    for name, value in (record or {}).items():
        if isinstance(value, list) and name not in TAXONOMY_LISTS:
            out[name] = join_list([str(v) for v in value])
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif value is None:
            out[name] = ""
        else:
            out[name] = value
    return out


def posted_values(kind: str, values: Any, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """What the user typed, to show again beside the problems."""
    shown: dict[str, Any] = {}
    for widget in widgets(kind, skip=skip):
        shown[widget.name] = values.values(widget.name) if widget.widget == "checkboxes" else values.value(widget.name)
    return shown


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        field, message = split_problem(problem)
        grouped.setdefault(field, []).append(message)
    return grouped
