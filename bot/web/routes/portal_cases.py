"""Portal: the 先行事例 catalogue (search, filters) and a page per case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from bot.web.context import Ctx, page
from bot.web.routes.common import page_number, path_id
from knowledge.errors import NotFound
from knowledge.models import Case
from knowledge.records import prefecture_names
from knowledge.taxonomy import get_taxonomy
from matching.types import MatchQuery

QUERY_MAX = 200
PAGE_SIZE = 20
RANKED_TOP = 100


def _filters(ctx: Ctx) -> tuple[dict[str, str], dict[str, str]]:
    params = {name: ctx.query(name).strip() for name in ("q", "field", "process", "scheme", "prefecture")}
    problems: dict[str, str] = {}
    if len(params["q"]) > QUERY_MAX:
        problems["q"] = "search.q_too_long"
        params["q"] = ""
    taxonomy = get_taxonomy()
    for name in ("field", "process", "scheme"):
        if params[name]:
            try:
                params[name] = taxonomy.normalize(name, params[name][:64])
            except ValueError:
                problems[name] = f"search.bad_{name}"
                params[name] = ""
    if params["prefecture"] and params["prefecture"] not in prefecture_names():
        problems["prefecture"] = "search.bad_prefecture"
        params["prefecture"] = ""
    return params, problems


def _passes(case: Case, params: dict[str, str]) -> bool:
    return ((not params["field"] or params["field"] in (case.fields or []))
            and (not params["process"] or params["process"] in (case.processes or []))
            and (not params["scheme"] or params["scheme"] in (case.scheme or []))
            and (not params["prefecture"] or case.prefecture == params["prefecture"]
                 or params["prefecture"] in (case.municipalities or [])))


@page()
def cases(ctx: Ctx) -> Response:
    params, problems = _filters(ctx)
    with ctx.web.db.session() as session:
        rows = {c.id: c for c in session.scalars(select(Case).order_by(Case.prefecture, Case.ext_id))}
    ordered: list[Case]
    if params["q"]:
        ranked = ctx.web.matcher.match(MatchQuery(params["q"], "case", top=min(RANKED_TOP, max(len(rows), 1))))
        ordered = [rows[r.db_id] for r in ranked if r.db_id in rows]
    else:
        ordered = list(rows.values())
    shown = [c for c in ordered if _passes(c, params)]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    current = min(page_number(ctx), pages)
    taxonomy = get_taxonomy()
    options: dict[str, Any] = {name: [(c, ctx.label(c)) for c in taxonomy.codes(name)]
                               for name in ("field", "process", "scheme")}
    return ctx.render("cases.html", status=400 if problems else 200, params=params, problems=problems,
                      cases=shown[(current - 1) * PAGE_SIZE: current * PAGE_SIZE], total=len(shown),
                      page=current, pages=pages, options=options, prefectures=prefecture_names())


@page()
def case(ctx: Ctx) -> Response:
    ext_id = path_id(ctx)
    with ctx.web.db.session() as session:
        row = session.scalar(select(Case).where(Case.ext_id == ext_id))
    if row is None:
        raise NotFound(ext_id)
    return ctx.render("case.html", case=row)


ROUTES = [
    Route("/cases", cases, methods=["GET"]),
    Route("/cases/{ext_id}", case, methods=["GET"]),
]
