"""Console: 視察の束 — every date's bundle across hosts, and the hosts as records (publish, pause,
close, reject, a new management link, forget)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from bot.dialogue.replies import Notice
from bot.secretariat import curation, visits
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.record_forms import problems_by_field
from bot.web.routes.common import directory, form_number, path_id, prefectures
from knowledge import audit
from knowledge.errors import ConflictError, ValidationFailed
from knowledge.records import join_list, split_list
from knowledge.taxonomy import get_taxonomy
from knowledge.web_models import HOST_STATES

STATUS_ACTIONS = ("published", "paused", "closed", "rejected")


@page(role="viewer")
def bundles_page(ctx: Ctx) -> Response:
    include_past = ctx.query("past") == "1"
    with ctx.web.db.session() as session:
        found = visits.bundles(session, upcoming_only=not include_past)
    return ctx.render("admin/visits.html", bundles=found, include_past=include_past)


@page(role="viewer")
def hosts_page(ctx: Ctx) -> Response:
    status, prefecture = ctx.query("status"), ctx.query("prefecture")
    problems: list[str] = []
    try:
        with ctx.web.db.session() as session:
            hosts = visits.list_hosts(session, status=status or None, prefecture=prefecture or None)
            for host in hosts:
                list(host.dates)
    except ValidationFailed as exc:
        hosts, problems = [], exc.problems
    return ctx.render("admin/hosts.html", status=400 if problems else 200, hosts=hosts, problems=problems,
                      states=HOST_STATES, chosen=status, prefecture=prefecture, prefectures=prefectures(),
                      kinds=curation.KINDS)


def _host_page(ctx: Ctx, ext_id: str, *, status: int = 200, problems: list[str] | None = None,
               link: str = "") -> Response:
    with ctx.web.db.session() as session:
        host = visits.get_host(session, ext_id)
        found = visits.bundles(session, host)
        history = [(e, e.before, e.after) for e in audit.history(session, kind="visit_host", record_id=ext_id)]
    return ctx.render("admin/host.html", status=status, host=host, bundles=found, history=history,
                      problems=problems or [], actions=STATUS_ACTIONS, link=link, done=ctx.query("done"))


@page(role="viewer")
def host_page(ctx: Ctx) -> Response:
    return _host_page(ctx, path_id(ctx))


@page(role="secretariat")
def host_status(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    try:
        with ctx.web.db.session() as session:
            before = visits.get_host(session, ext_id).status
            host, changed = visits.set_status(session, ext_id, ctx.value("status"), actor=ctx.actor)
            published = changed and before == "pending" and host.status == "published"
            host_id = host.id
    except ValidationFailed as exc:
        return _host_page(ctx, ext_id, status=400, problems=exc.problems)
    except ConflictError as exc:
        return _host_page(ctx, ext_id, status=409, problems=[str(exc)])
    if published:   # the host hears its dates are on the portal (chat, else the mail outbox)
        deliver.notify(ctx.web, [Notice("host_published", host_id)])
    return ctx.redirect(f"/admin/hosts/{ext_id}", done="host_status")


@page(role="secretariat")
def host_reissue(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    with ctx.web.db.session() as session:
        token = visits.reissue_token(session, ext_id, actor=ctx.actor)
    link = str(ctx.request.base_url).rstrip("/") + ctx.url(f"/visits/manage/{token}")
    return _host_page(ctx, ext_id, link=link)


@page(role="secretariat")
def host_decide(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    request_id, action = form_number(ctx, "request_id"), ctx.value("action")
    if request_id is None or action not in ("confirm", "decline"):
        return _host_page(ctx, ext_id, status=400, problems=["choose a request and confirm or decline it"])
    try:
        with ctx.web.db.session() as session:
            host = visits.get_host(session, ext_id)
            request = visits.decide(session, host, request_id, confirm=action == "confirm", actor=ctx.actor)
            notice = Notice(f"visit_{request.state}", request.id)
    except ConflictError as exc:
        return _host_page(ctx, ext_id, status=409, problems=[str(exc)])
    deliver.notify(ctx.web, [notice])
    return ctx.redirect(f"/admin/hosts/{ext_id}", done=f"visit_{action}")


def _host_form(ctx: Ctx, ext_id: str, values: dict[str, Any], *, status: int = 200,
               problems: dict[str, list[str]] | None = None) -> Response:
    return ctx.render("admin/host_form.html", status=status, ext_id=ext_id, values=values, problems=problems or {},
                      options={"fields": get_taxonomy().codes("field"), "processes": get_taxonomy().codes("process")})


@page(role="secretariat")
def host_edit_form(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    with ctx.web.db.session() as session:
        host = visits.get_host(session, ext_id)
        if host.forgotten:
            return ctx.error(409, "error.forgotten")
        values = {name: getattr(host, name) for name in visits.EDITABLE}
    values["topics"] = join_list(values["topics"] or [])
    return _host_form(ctx, ext_id, values)


@page(role="secretariat")
def host_edit(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    changes: dict[str, Any] = {name: ctx.value(name) for name in visits.EDITABLE}
    changes["topics"] = split_list(ctx.value("topics").replace("\n", ";"))
    changes["fields"], changes["processes"] = ctx.values("fields"), ctx.values("processes")
    try:
        with ctx.web.db.session() as session:
            _, changed = visits.edit_host(session, ext_id, changes, directory=directory(ctx, session),
                                          actor=ctx.actor)
    except ValidationFailed as exc:
        values = {**changes, "topics": ctx.value("topics")}
        return _host_form(ctx, ext_id, values, status=400, problems=problems_by_field(exc.problems))
    except ConflictError as exc:
        return _host_form(ctx, ext_id, changes, status=409, problems={"form": [str(exc)]})
    return ctx.redirect(f"/admin/hosts/{ext_id}", done="edited" if changed else "unchanged")


@page(role="secretariat")
def host_add_date(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    data = {name: ctx.value(name) for name in ("day", "place", "capacity", "note")}
    try:
        with ctx.web.db.session() as session:
            visits.add_date(session, visits.get_host(session, ext_id), data, actor=ctx.actor)
    except ValidationFailed as exc:
        return _host_page(ctx, ext_id, status=400, problems=exc.problems)
    except ConflictError as exc:
        return _host_page(ctx, ext_id, status=409, problems=[str(exc)])
    return ctx.redirect(f"/admin/hosts/{ext_id}", done="date_added")


@page(role="secretariat")
def host_forget_confirm(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    with ctx.web.db.session() as session:
        host = visits.get_host(session, ext_id)
    return ctx.render("admin/host_forget.html", host=host)


@page(role="secretariat")
def host_forget(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    if ctx.value("confirm") != ext_id:
        with ctx.web.db.session() as session:
            host = visits.get_host(session, ext_id)
        return ctx.render("admin/host_forget.html", status=400, host=host,
                          problem=ctx.t("forget.confirm_mismatch", ext_id=ext_id))
    with ctx.web.db.session() as session:
        visits.forget_host(session, ext_id, actor=ctx.actor)
    return ctx.redirect(f"/admin/hosts/{ext_id}", done="forgotten")


ROUTES = [
    Route("/admin/visits", bundles_page, methods=["GET"]),
    Route("/admin/hosts", hosts_page, methods=["GET"]),
    Route("/admin/hosts/{ext_id}", host_page, methods=["GET"]),
    Route("/admin/hosts/{ext_id}/status", host_status, methods=["POST"]),
    Route("/admin/hosts/{ext_id}/reissue", host_reissue, methods=["POST"]),
    Route("/admin/hosts/{ext_id}/decide", host_decide, methods=["POST"]),
    Route("/admin/hosts/{ext_id}/edit", host_edit_form, methods=["GET"]),
    Route("/admin/hosts/{ext_id}/edit", host_edit, methods=["POST"]),
    Route("/admin/hosts/{ext_id}/dates", host_add_date, methods=["POST"]),
    Route("/admin/hosts/{ext_id}/forget", host_forget_confirm, methods=["GET"]),
    Route("/admin/hosts/{ext_id}/forget", host_forget, methods=["POST"]),
]
