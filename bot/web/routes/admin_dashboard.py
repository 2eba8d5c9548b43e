"""Console: the dashboard — the 見える化 figures for a chosen period, the charts and the report."""

from __future__ import annotations

import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from bot.report import build_report
from bot.report.charts import CHARTS
from bot.secretariat import introductions as intros
from bot.secretariat import outbox, submissions, supporters, visits
from bot.secretariat.report_data import UNSPECIFIED, ReportData, collect
from bot.web.context import Ctx, page
from knowledge.errors import NotFound

PERIODS = ("7", "30", "90", "365", "all")
_draw_lock = threading.Lock()   # charts are drawn one at a time (matplotlib keeps global font state)


def _since(ctx: Ctx) -> tuple[date | None, str, str]:
    """The period's first day, the chosen preset and a problem key ('' when fine)."""
    since_text, period = ctx.query("since").strip(), ctx.query("period").strip() or "30"
    if since_text:
        try:
            return date.fromisoformat(since_text[:10]), "custom", ""
        except ValueError:
            return ctx.today - timedelta(days=30), "30", "dashboard.bad_since"
    if period not in PERIODS:
        period = "30"
    return (None if period == "all" else ctx.today - timedelta(days=int(period))), period, ""


def _matrix(data: ReportData) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    fields = sorted({f for f, _ in data.demand}, key=lambda c: (c == UNSPECIFIED, c))
    processes = sorted({p for _, p in data.demand}, key=lambda c: (c == UNSPECIFIED, c))
    return fields, processes, dict(data.demand)


@page(role="viewer")
def dashboard(ctx: Ctx) -> Response:
    since, period, problem = _since(ctx)
    with ctx.web.db.session() as session:
        data = collect(session, since=since)
        counts = {
            "submissions": len(submissions.list_submissions(session)),
            "applications": len(supporters.list_applications(session)),
            "hosts": len(visits.list_hosts(session, status="pending")),
            "intros": len(intros.list_introductions(session, state="requested")),
            "outbox": len(outbox.pending(session)),
        }
    fields, processes, cells = _matrix(data)
    query = {"since": since.isoformat()} if period == "custom" and since else {"period": period}
    return ctx.render("admin/dashboard.html", data=data, counts=counts, period=period, periods=PERIODS,
                      since=since, problem=problem, fields=fields, processes=processes, cells=cells, query=query,
                      charts=[(name, title) for name, (title, _draw) in CHARTS.items()], unspecified=UNSPECIFIED)


@page(role="viewer")
def chart(ctx: Ctx) -> Response:
    name = str(ctx.request.path_params.get("name", ""))
    if name not in CHARTS:
        raise NotFound(name[:80])
    since, _, _ = _since(ctx)
    with ctx.web.db.session() as session:
        data = collect(session, since=since)
    _title, draw = CHARTS[name]
    with _draw_lock, tempfile.TemporaryDirectory(prefix="gunmane-chart-") as tmp:
        path = draw(data, Path(tmp) / name)
        body = path.read_bytes()
    return Response(body, media_type="image/png", headers={"Cache-Control": "no-store"})


@page(role="viewer")
def report(ctx: Ctx) -> Response:
    since, _, _ = _since(ctx)
    with _draw_lock, tempfile.TemporaryDirectory(prefix="gunmane-report-") as tmp:
        result = build_report(ctx.web.db, Path(tmp), since=since)
        body = result.html.read_bytes()
    name = f"gunmane-report-{(since.isoformat() if since else 'all')}-{ctx.today.isoformat()}.html"
    return Response(body, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES = [
    Route("/admin", dashboard, methods=["GET"]),
    Route("/admin/charts/{name}", chart, methods=["GET"]),
    Route("/admin/report", report, methods=["GET"]),
]
