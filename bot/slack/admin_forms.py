"""The secretariat's modals as Block Kit: the advisor form, the reassignment picker, and their answers.

Labels come from the message catalogue (``field_<name>``), choices from the
taxonomy and the record schema; a submission comes back as a record dict in
the data-format contract's field names, validated by the secretariat service.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.messages import say
from bot.secretariat.queues import Candidate
from bot.slack.blocks import escape
from bot.slack.middleware import dig
from knowledge.records import ADVISOR_KINDS, ADVISOR_STATUSES, prefecture_names
from knowledge.taxonomy import get_taxonomy

LANGUAGE = "ja"
ADVISOR_VIEW = "gm:admin:advisor_view"
# The advisor form: (field, kind of input), in the order shown.
ADVISOR_INPUTS: tuple[tuple[str, str], ...] = (
    ("id", "text"), ("name", "text"), ("affiliation", "text"), ("kind", "kind"), ("expertise", "multiline"),
    ("fields", "fields"), ("processes", "processes"), ("prefecture", "prefecture"), ("municipality", "text"),
    ("regions", "regions"), ("capacity", "number"), ("status", "status"), ("contact", "text"),
)
MULTI = ("fields", "processes", "regions")
SINGLE = ("kind", "prefecture", "status")
REQUIRED = {"id", "name", "expertise"}
NEW_CAPACITY = 3


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000], "verbatim": True}}


def button(text: str, action_id: str, value: str = "-", style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _options(kind: str) -> list[dict[str, Any]]:
    taxonomy = get_taxonomy()
    if kind == "fields":
        return [option(name, code) for code, name in taxonomy.fields.items()]
    if kind == "processes":
        return [option(name, code) for code, name in taxonomy.processes.items()]
    if kind in ("prefecture", "regions"):
        return [option(name, name) for name in prefecture_names()]
    return [option(k, k) for k in (ADVISOR_KINDS if kind == "kind" else ADVISOR_STATUSES)]


def _element(field: str, kind: str, current: Any) -> dict[str, Any]:
    action_id = f"v_{field}"
    if kind in ("text", "multiline"):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": kind == "multiline"}
        if current not in (None, ""):
            element["initial_value"] = str(current)
        return element
    if kind == "number":
        element = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": False, "min_value": "0"}
        if current is not None:
            element["initial_value"] = str(current)
        return element
    options = _options(kind)
    by_value = {o["value"]: o for o in options}
    placeholder = plain(say(LANGUAGE, "choose"))
    if kind in MULTI:
        element = {"type": "multi_static_select", "action_id": action_id, "options": options,
                   "placeholder": placeholder}
        chosen = [by_value[v] for v in current or [] if v in by_value]
        if chosen:
            element["initial_options"] = chosen
        return element
    element = {"type": "static_select", "action_id": action_id, "options": options, "placeholder": placeholder}
    if current in by_value:
        element["initial_option"] = by_value[current]
    return element


def advisor_view(current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The add (``current`` None) or edit modal; the edited id travels in private_metadata."""
    blocks = []
    for field, kind in ADVISOR_INPUTS:
        if field == "id" and current is not None:
            blocks.append(section(f"*ID*: {escape(str(current['id']))}"))
            continue
        value = (current or {}).get(field, NEW_CAPACITY if current is None and field == "capacity" else None)
        blocks.append({"type": "input", "block_id": f"f_{field}", "label": plain(say(LANGUAGE, f"field_{field}")),
                       "optional": field not in REQUIRED, "element": _element(field, kind, value)})
    title = "admin_advisor_edit_title" if current else "admin_advisor_add_title"
    return {"type": "modal", "callback_id": ADVISOR_VIEW, "private_metadata": current["id"] if current else "",
            "title": plain(say(LANGUAGE, title), 24), "submit": plain(say(LANGUAGE, "admin_save"), 24),
            "close": plain(say(LANGUAGE, "form_close"), 24), "blocks": blocks}


def submitted_advisor(view: dict[str, Any]) -> dict[str, Any]:
    """The modal's values as a record dict (contract field names)."""
    data: dict[str, Any] = {}
    for field, kind in ADVISOR_INPUTS:
        element = dig(view, "state", "values", f"f_{field}", f"v_{field}")
        if not isinstance(element, dict):
            continue
        if kind in MULTI:
            data[field] = [dig(o, "value") for o in element.get("selected_options") or [] if isinstance(o, dict)]
        elif kind in SINGLE:
            data[field] = dig(element, "selected_option", "value")
        else:
            data[field] = element.get("value")
    return data


def problems_as_errors(problems: list[str]) -> dict[str, str]:
    """``field: message`` problems → Slack's ``{block_id: message}``; unknown fields go on the name."""
    known = {field for field, _kind in ADVISOR_INPUTS}
    errors: dict[str, str] = {}
    for problem in problems:
        field, _sep, message = problem.partition(": ")
        block = f"f_{field}" if field in known else "f_name"
        errors[block] = (errors[block] + " / " if block in errors else "") + (message or problem)
    return {block: text[:150] for block, text in errors.items()}


def reassign_view(callback_id: str, intro_id: int, candidates: list[Candidate]) -> dict[str, Any]:
    options = [option(f"{c.name} ({c.ext_id})", c.ext_id) for c in candidates]
    block: dict[str, Any]
    if options:
        block = {"type": "input", "block_id": "f_target", "label": plain(say(LANGUAGE, "admin_reassign_label")),
                 "element": {"type": "static_select", "action_id": "v_target", "options": options,
                             "placeholder": plain(say(LANGUAGE, "choose"))}}
    else:
        block = section(say(LANGUAGE, "admin_reassign_none"))
    return {"type": "modal", "callback_id": callback_id, "private_metadata": str(intro_id),
            "title": plain(say(LANGUAGE, "admin_reassign_title", id=intro_id), 24),
            "submit": plain(say(LANGUAGE, "admin_reassign_submit"), 24),
            "close": plain(say(LANGUAGE, "form_close"), 24), "blocks": [block]}
