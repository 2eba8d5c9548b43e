"""Console: records of the contract — list with filters and search, show with audit history, add, edit.

Thin: bot.secretariat.curation does the work (the importer's validation, audit entries, version
bumps); every problem comes back as ``field: message`` and is shown beside its field.
Contacts are shown to the ``secretariat`` role only.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from bot.secretariat import capacity, curation
from bot.secretariat import introductions as intros
from bot.web.context import Ctx, page
from bot.web.record_forms import data_from_form, form_values, posted_values, problems_by_field, widgets
from bot.web.routes.common import directory, page_number, path_id, prefectures
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.taxonomy import get_taxonomy

PAGE_SIZE = 50
QUERY_MAX = 200
COLUMNS = {
    "advisor": ("id", "name", "prefecture", "fields", "processes", "capacity", "status"),
    "case": ("id", "title", "prefecture", "scheme", "fields", "processes"),
    "engineer": ("id", "name", "prefecture", "municipality", "fields", "processes", "discoverable"),
    "training": ("id", "title", "kind", "prefecture", "start_date", "fields", "processes"),
    "technology": ("id", "name", "vendor", "catalogue", "fields", "processes", "status"),
}
PERSONAL = ("contact",)


def record_kind(ctx: Ctx) -> str:
    kind = str(ctx.request.path_params.get("kind", ""))
    if kind not in curation.KINDS:
        raise NotFound(kind[:40])
    return kind


def masked(ctx: Ctx, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A record or audit value with contacts hidden from viewers."""
    if data is None or (ctx.account is not None and ctx.account.can_change):
        return data
    return {k: (ctx.t("common.masked") if k in PERSONAL and v else v) for k, v in data.items()}


def _matches(record: dict[str, Any], needle: str) -> bool:
    folded = needle.casefold()
    return any(folded in str(value).casefold() for value in record.values() if value not in (None, "", []))


@page(role="viewer")
def records(ctx: Ctx) -> Response:
    kind = record_kind(ctx)
    params = {name: ctx.query(name).strip()[:QUERY_MAX] for name in ("q", "field", "process", "prefecture",
                                                                      "status")}
    problems: list[str] = []
    try:
        with ctx.web.db.session() as session:
            rows = curation.list_records(session, kind, field=params["field"] or None,
                                         process=params["process"] or None, prefecture=params["prefecture"] or None,
                                         status=params["status"] or None)
            found = [curation.to_data(kind, row) for row in rows]
    except ValidationFailed as exc:
        problems, found = exc.problems, []
    if params["q"]:
        found = [r for r in found if _matches(r, params["q"])]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    current = min(page_number(ctx), pages)
    taxonomy = get_taxonomy()
    return ctx.render("admin/records.html", status=400 if problems else 200, kind=kind, kinds=curation.KINDS,
                      params=params, problems=problems, records=found[(current - 1) * PAGE_SIZE:current * PAGE_SIZE],
                      total=len(found), page=current, pages=pages, columns=COLUMNS[kind],
                      statuses=curation.LIST_STATUSES[kind], prefectures=prefectures(),
                      field_options=taxonomy.codes("field"), process_options=taxonomy.codes("process"),
                      done=ctx.query("done"))


def _introductions(session: Any, kind: str, row: Any) -> list[Any]:
    if kind not in ("advisor", "engineer"):
        return []
    found: list[Any] = intros.list_introductions(session, target_kind=kind, target_id=row.id)
    return found


@page(role="viewer")
def record(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    with ctx.web.db.session() as session:
        row = curation.find(session, kind, ext_id)
        data = curation.to_data(kind, row)
        history = [(e, masked(ctx, e.before), masked(ctx, e.after))
                   for e in audit.history(session, kind=kind, record_id=ext_id)]
        introductions = _introductions(session, kind, row)
        load = capacity.open_load(session, row.id) if kind == "advisor" else None
        facts = {"forgotten": bool(getattr(row, "forgotten", False)),
                 "is_reference": bool(getattr(row, "is_reference", False))}
    return ctx.render("admin/record.html", kind=kind, ext_id=ext_id, data=masked(ctx, data), history=history,
                      introductions=introductions, load=load, facts=facts, done=ctx.query("done"),
                      widgets=widgets(kind))


def _form(ctx: Ctx, kind: str, *, ext_id: str | None, values: dict[str, Any], status: int = 200,
          problems: dict[str, list[str]] | None = None) -> Response:
    skip = ("id",) if ext_id else ()
    return ctx.render("admin/record_form.html", status=status, kind=kind, ext_id=ext_id, values=values,
                      problems=problems or {}, widgets=widgets(kind, skip=skip))


@page(role="secretariat")
def new_form(ctx: Ctx) -> Response:
    return _form(ctx, record_kind(ctx), ext_id=None, values={})


@page(role="secretariat")
def new_post(ctx: Ctx) -> Response:
    kind = record_kind(ctx)
    data = data_from_form(kind, ctx)
    try:
        with ctx.web.db.session() as session:
            row = curation.add(session, kind, data, actor=ctx.actor, directory=directory(ctx, session))
            ext_id = row.ext_id
    except ValidationFailed as exc:
        return _form(ctx, kind, ext_id=None, values=posted_values(kind, ctx), status=400,
                     problems=problems_by_field(exc.problems))
    except ConflictError as exc:
        return _form(ctx, kind, ext_id=None, values=posted_values(kind, ctx), status=409,
                     problems={"id": [str(exc)]})
    return ctx.redirect(f"/admin/records/{kind}/{ext_id}", done="added")


@page(role="secretariat")
def edit_form(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    with ctx.web.db.session() as session:
        row = curation.find(session, kind, ext_id)
        if getattr(row, "forgotten", False):
            return ctx.error(409, "error.forgotten")
        values = form_values(curation.to_data(kind, row))
    return _form(ctx, kind, ext_id=ext_id, values=values)


@page(role="secretariat")
def edit_post(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    changes = data_from_form(kind, ctx, skip=("id",))
    try:
        with ctx.web.db.session() as session:
            _, changed = curation.edit(session, kind, ext_id, changes, actor=ctx.actor,
                                       directory=directory(ctx, session))
    except ValidationFailed as exc:
        return _form(ctx, kind, ext_id=ext_id, values=posted_values(kind, ctx, skip=("id",)), status=400,
                     problems=problems_by_field(exc.problems))
    except ConflictError as exc:
        return _form(ctx, kind, ext_id=ext_id, values=posted_values(kind, ctx, skip=("id",)), status=409,
                     problems={"form": [str(exc)]})
    return ctx.redirect(f"/admin/records/{kind}/{ext_id}", done="edited" if changed else "unchanged")


ROUTES = [
    Route("/admin/records/{kind}", records, methods=["GET"]),
    Route("/admin/add/{kind}", new_form, methods=["GET"]),
    Route("/admin/add/{kind}", new_post, methods=["POST"]),
    Route("/admin/records/{kind}/{ext_id}", record, methods=["GET"]),
    Route("/admin/records/{kind}/{ext_id}/edit", edit_form, methods=["GET"]),
    Route("/admin/records/{kind}/{ext_id}/edit", edit_post, methods=["POST"]),
]
