"""Portal: home, 研修・視察 search, an event's page, and iCalendar files."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.routing import Route

from bot.web import ics
from bot.web.context import Ctx, page
from bot.web.routes.common import catalogue, page_number, path_id
from bot.web.training_search import Event, parse_filters, search, upcoming
from knowledge.errors import NotFound
from knowledge.records import TRAINING_KINDS
from knowledge.taxonomy import get_taxonomy

FEED_MAX = 500


def _today() -> date:
    return date.today()


def _options(ctx: Ctx) -> dict[str, Any]:
    taxonomy = get_taxonomy()
    return {
        "field_options": [(c, ctx.label(c)) for c in taxonomy.codes("field")],
        "process_options": [(c, ctx.label(c)) for c in taxonomy.codes("process")],
        "kind_options": [(k, ctx.training_kind(k)) for k in TRAINING_KINDS],
        "bureaus": catalogue(ctx).bureaus,
    }


@page()
def home(ctx: Ctx) -> Response:
    events = upcoming(catalogue(ctx), today=_today())
    return ctx.render("home.html", events=events, params={}, problems={}, **_options(ctx))


def _params(ctx: Ctx) -> dict[str, str]:
    return {name: ctx.query(name) for name in ("q", "field", "process", "prefecture", "from", "to", "online", "kind")}


@page()
def trainings(ctx: Ctx) -> Response:
    params = _params(ctx)
    filters, problems = parse_filters(params, catalogue(ctx))
    result = search(catalogue(ctx), ctx.web.matcher if filters.q else None, filters, today=_today(),
                    page=page_number(ctx))
    feed = ctx.url("/trainings.ics", **{k: v for k, v in params.items() if k not in problems})
    status = 400 if problems else 200
    return ctx.render("trainings.html", status=status, params=params, filters=filters, result=result,
                      problems=problems, feed_url=feed, today=_today(), **_options(ctx))


def _event(ctx: Ctx) -> Event:
    ext_id = path_id(ctx)
    for event in catalogue(ctx).current().values():
        if event.ext_id == ext_id:
            return event
    raise NotFound(ext_id)


@page()
def training(ctx: Ctx) -> Response:
    event = _event(ctx)
    return ctx.render("training.html", event=event, today=_today())


def _absolute(ctx: Ctx, path: str) -> str:
    base = ctx.web.settings.web_base_url
    if base:
        return base.rstrip("/") + path
    return str(ctx.request.base_url).rstrip("/") + path


def _uid_domain(ctx: Ctx) -> str:
    base = ctx.web.settings.web_base_url
    host = urlsplit(base).hostname if base else None
    return host or ctx.request.url.hostname or "gunmane.invalid"


def _ics_response(ctx: Ctx, events: list[Event], name: str, filename: str) -> Response:
    body = ics.calendar(((e, _absolute(ctx, ctx.url(f"/trainings/{e.ext_id}"))) for e in events), name=name,
                        uid_domain=_uid_domain(ctx), online_label=ctx.t("common.online"))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@page()
def training_ics(ctx: Ctx) -> Response:
    event = _event(ctx)
    if event.start_date is None and event.end_date is None:
        return ctx.error(404, "error.no_date")
    return _ics_response(ctx, [event], event.title, f"{event.ext_id}.ics")


@page()
def trainings_feed(ctx: Ctx) -> Response:
    filters, problems = parse_filters(_params(ctx), catalogue(ctx))
    if problems:
        return ctx.error(400, "error.bad_search")
    result = search(catalogue(ctx), ctx.web.matcher if filters.q else None, filters, today=_today(),
                    page=1, page_size=FEED_MAX)
    dated = [e for e in result.events if e.start_date or e.end_date]
    return _ics_response(ctx, dated, ctx.t("ics.feed_name"), "trainings.ics")


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/trainings", trainings, methods=["GET"]),
    Route("/trainings.ics", trainings_feed, methods=["GET"]),
    Route("/trainings/{ext_id}.ics", training_ics, methods=["GET"]),
    Route("/trainings/{ext_id}", training, methods=["GET"]),
]
