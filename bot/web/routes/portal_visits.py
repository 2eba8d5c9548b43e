"""Portal: 視察の束 — open site visits, joining a date, a host's offer and its management link."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from bot.dialogue.replies import Notice
from bot.secretariat import visits
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.record_forms import problems_by_field
from bot.web.routes.common import directory, form_number, path_id, prefectures
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.records import split_list
from knowledge.taxonomy import get_taxonomy

DATE_ROWS = 5
HOST_FIELDS = ("prefecture", "municipality", "department", "title", "description", "topics", "contact_name",
               "contact")
JOIN_FIELDS = ("prefecture", "municipality", "department", "name", "contact", "participants", "message")
TOKEN_MAX = 128


def _taxonomy_options(ctx: Ctx) -> dict[str, list[tuple[str, str]]]:
    taxonomy = get_taxonomy()
    return {"fields": [(c, ctx.label(c)) for c in taxonomy.codes("field")],
            "processes": [(c, ctx.label(c)) for c in taxonomy.codes("process")]}


@page()
def visits_list(ctx: Ctx) -> Response:
    with ctx.web.db.session() as session:
        hosts = visits.published_hosts(session, today=ctx.today)
        offers = [(h, [visits.bundle_of(d) for d in h.dates if d.day >= ctx.today]) for h in hosts]
    return ctx.render("visits.html", offers=offers)


def _host_page(ctx: Ctx, ext_id: str, *, status: int = 200, values: dict[str, Any] | None = None,
               problems: dict[str, list[str]] | None = None) -> Response:
    with ctx.web.db.session() as session:
        host = visits.get_host(session, ext_id)
        if host.status != "published":
            raise NotFound(ext_id)
        dates = [visits.bundle_of(d) for d in host.dates if d.day >= ctx.today]
    return ctx.render("visit_host.html", status=status, host=host, dates=dates, values=values or {},
                      problems=problems or {}, prefectures=prefectures())


@page()
def visit_host(ctx: Ctx) -> Response:
    return _host_page(ctx, path_id(ctx))


@page()
def visit_join(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    data: dict[str, Any] = {name: ctx.value(name) for name in JOIN_FIELDS}
    values = {**data, "date_id": ctx.value("date_id")}
    date_id = form_number(ctx, "date_id")
    try:
        if date_id is None:
            raise ValidationFailed(["date_id: choose the date you want to join"])
        with ctx.web.db.session() as session:
            host = visits.get_host(session, ext_id)
            if all(d.id != date_id for d in host.dates):
                raise ValidationFailed(["date_id: choose one of this host's dates"])
            visits.join(session, date_id, data, directory=directory(ctx, session), actor=ctx.actor)
    except ValidationFailed as exc:
        return _host_page(ctx, ext_id, status=400, values=values, problems=problems_by_field(exc.problems))
    except ConflictError as exc:
        return _host_page(ctx, ext_id, status=409, values=values, problems={"form": [str(exc)]})
    return ctx.render("done.html", heading=ctx.t("visits.join_done_heading"), message=ctx.t("visits.join_done_text"))


def _offer_page(ctx: Ctx, *, status: int = 200, values: dict[str, Any] | None = None,
                problems: dict[str, list[str]] | None = None) -> Response:
    return ctx.render("visit_offer.html", status=status, values=values or {}, problems=problems or {},
                      rows=range(1, DATE_ROWS + 1), prefectures=prefectures(), options=_taxonomy_options(ctx))


@page()
def offer_form(ctx: Ctx) -> Response:
    return _offer_page(ctx)


def _dates_from_form(ctx: Ctx) -> list[dict[str, Any]]:
    dates = []
    for row in range(1, DATE_ROWS + 1):
        item = {"day": ctx.value(f"day_{row}"), "place": ctx.value(f"place_{row}"),
                "capacity": ctx.value(f"capacity_{row}"), "note": ctx.value(f"note_{row}")}
        if any(str(v).strip() for v in item.values()):
            dates.append(item)
    return dates


@page()
def offer_post(ctx: Ctx) -> Response:
    data: dict[str, Any] = {name: ctx.value(name) for name in HOST_FIELDS}
    data["topics"] = split_list(ctx.value("topics").replace("\n", ";"))
    data["fields"], data["processes"] = ctx.values("fields"), ctx.values("processes")
    values = {**{name: ctx.value(name) for name in HOST_FIELDS}, "fields": data["fields"],
              "processes": data["processes"]}
    for row in range(1, DATE_ROWS + 1):
        for name in ("day", "place", "capacity", "note"):
            values[f"{name}_{row}"] = ctx.value(f"{name}_{row}")
    try:
        with ctx.web.db.session() as session:
            host, token = visits.offer(session, data, _dates_from_form(ctx), directory=directory(ctx, session),
                                       actor=ctx.actor)
            ext_id = host.ext_id
    except ValidationFailed as exc:
        return _offer_page(ctx, status=400, values=values, problems=problems_by_field(exc.problems))
    link = ctx.url(f"/visits/manage/{token}")
    return ctx.render("visit_offer_done.html", ext_id=ext_id, link=link,
                      absolute=str(ctx.request.base_url).rstrip("/") + link)


def _token(ctx: Ctx) -> str:
    token = str(ctx.request.path_params.get("token", ""))
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("token")
    return token


def _manage_page(ctx: Ctx, *, status: int = 200, problems: dict[str, list[str]] | None = None,
                 values: dict[str, Any] | None = None, notice: str = "") -> Response:
    with ctx.web.db.session() as session:
        host = visits.host_by_token(session, _token(ctx))
        bundles = visits.bundles(session, host)
    return ctx.render("visit_manage.html", status=status, host=host, bundles=bundles, problems=problems or {},
                      values=values or {}, token=_token(ctx), notice=notice)


@page()
def manage(ctx: Ctx) -> Response:
    return _manage_page(ctx)


@page()
def manage_decide(ctx: Ctx) -> Response:
    request_id = form_number(ctx, "request_id")
    action = ctx.value("action")
    if request_id is None or action not in ("confirm", "decline"):
        return _manage_page(ctx, status=400, problems={"form": ["choose a request and confirm or decline it"]})
    try:
        with ctx.web.db.session() as session:
            host = visits.host_by_token(session, _token(ctx))
            request = visits.decide(session, host, request_id, confirm=action == "confirm",
                                    actor=f"host:{host.ext_id}")
            notice = Notice(f"visit_{request.state}", request.id)
    except ConflictError as exc:
        return _manage_page(ctx, status=409, problems={"form": [str(exc)]})
    deliver.notify(ctx.web, [notice])   # the visitor hears the host's decision (chat, else the mail outbox)
    return _manage_page(ctx, notice=ctx.t(f"visits.manage_{action}ed"))


@page()
def manage_add_date(ctx: Ctx) -> Response:
    data = {name: ctx.value(name) for name in ("day", "place", "capacity", "note")}
    try:
        with ctx.web.db.session() as session:
            host = visits.host_by_token(session, _token(ctx))
            visits.add_date(session, host, data, actor=f"host:{host.ext_id}")
    except ValidationFailed as exc:
        return _manage_page(ctx, status=400, problems=problems_by_field(exc.problems), values=data)
    except ConflictError as exc:
        return _manage_page(ctx, status=409, problems={"form": [str(exc)]}, values=data)
    return _manage_page(ctx, notice=ctx.t("visits.manage_date_added"))


ROUTES = [
    Route("/visits", visits_list, methods=["GET"]),
    Route("/visits/offer", offer_form, methods=["GET"]),
    Route("/visits/offer", offer_post, methods=["POST"]),
    Route("/visits/manage/{token}", manage, methods=["GET"]),
    Route("/visits/manage/{token}/decide", manage_decide, methods=["POST"]),
    Route("/visits/manage/{token}/dates", manage_add_date, methods=["POST"]),
    Route("/visits/{ext_id}", visit_host, methods=["GET"]),
    Route("/visits/{ext_id}/join", visit_join, methods=["POST"]),
]
