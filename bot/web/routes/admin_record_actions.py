"""Console: what changes a record's life — pause / retire / activate, forget, delete — and export.

Each action is the function the CLI calls (`gunmane advisor pause|retire|activate|forget`, `… delete`,
`gunmane export`), with the account as actor.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from bot.secretariat import curation, erasure
from bot.web.context import Ctx, page
from bot.web.routes.admin_records import record_kind
from bot.web.routes.common import path_id
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.io import records_of_kind, write_records

STATUS_DONE = {"active": "activated", "paused": "paused", "retired": "retired"}
FORMATS = ("csv", "jsonl")


@page(role="secretariat")
def set_status(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    if kind != "advisor":
        raise NotFound(kind)
    status = ctx.value("status")
    try:
        with ctx.web.db.session() as session:
            _, changed = curation.set_advisor_status(session, ext_id, status, actor=ctx.actor)
    except (ValidationFailed, ConflictError) as exc:
        message = "; ".join(exc.problems) if isinstance(exc, ValidationFailed) else str(exc)
        return ctx.render("error.html", status=409, status_code=409, message=ctx.problem(message))
    return ctx.redirect(f"/admin/records/advisor/{ext_id}", done=STATUS_DONE[status] if changed else "unchanged")


@page(role="secretariat")
def forget_confirm(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    if kind not in ("advisor", "engineer"):
        raise NotFound(kind)
    with ctx.web.db.session() as session:
        preview = erasure.preview(session, kind, ext_id)
    return ctx.render("admin/forget.html", kind=kind, ext_id=ext_id, preview=preview)


@page(role="secretariat")
def forget(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    if kind not in ("advisor", "engineer"):
        raise NotFound(kind)
    if ctx.value("confirm") != ext_id:
        with ctx.web.db.session() as session:
            preview = erasure.preview(session, kind, ext_id)
        return ctx.render("admin/forget.html", status=400, kind=kind, ext_id=ext_id, preview=preview,
                          problem=ctx.t("forget.confirm_mismatch", ext_id=ext_id))
    with ctx.web.db.session() as session:
        report = erasure.forget(session, kind, ext_id, actor=ctx.actor)
    return ctx.redirect(f"/admin/records/{kind}/{ext_id}",
                        done="already_forgotten" if report.already_forgotten else "forgotten")


@page(role="secretariat")
def delete_confirm(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    with ctx.web.db.session() as session:
        row = curation.find(session, kind, ext_id)
        data = curation.to_data(kind, row)
    return ctx.render("admin/delete.html", kind=kind, ext_id=ext_id, title=data.get("title") or data.get("name"))


@page(role="secretariat")
def delete(ctx: Ctx) -> Response:
    kind, ext_id = record_kind(ctx), path_id(ctx)
    try:
        with ctx.web.db.session() as session:
            curation.delete(session, kind, ext_id, actor=ctx.actor)
    except ConflictError as exc:
        return ctx.render("error.html", status=409, status_code=409, message=ctx.problem(str(exc)))
    return ctx.redirect(f"/admin/records/{kind}", done="deleted")


@page(role="secretariat")
def export(ctx: Ctx) -> Response:
    kind, fmt = record_kind(ctx), str(ctx.request.path_params.get("fmt", ""))
    if fmt not in FORMATS:
        raise NotFound(fmt[:10])
    with ctx.web.db.session() as session:
        records = records_of_kind(session, kind)
    with tempfile.TemporaryDirectory(prefix="gunmane-export-") as tmp:
        path = Path(tmp) / f"{kind}.{fmt}"
        write_records(records, kind, path)
        body = path.read_bytes()
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/jsonl; charset=utf-8"
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{kind}-{ctx.today.isoformat()}.{fmt}"'})


ROUTES = [
    Route("/admin/records/{kind}/{ext_id}/status", set_status, methods=["POST"]),
    Route("/admin/records/{kind}/{ext_id}/forget", forget_confirm, methods=["GET"]),
    Route("/admin/records/{kind}/{ext_id}/forget", forget, methods=["POST"]),
    Route("/admin/records/{kind}/{ext_id}/delete", delete_confirm, methods=["GET"]),
    Route("/admin/records/{kind}/{ext_id}/delete", delete, methods=["POST"]),
    Route("/admin/export/{kind}.{fmt}", export, methods=["GET"]),
]
