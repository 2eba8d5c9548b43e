"""The 見える化 report: where the demand is, what it is, and how introductions go.

``build_report(db, out_dir, since=…)`` writes seven PNG charts (map of Japan by
consultations per prefecture, field × process heat map, introduction funnel
with the average rating, unmet needs, advisor load, the groups map with members
coloured by group, the funnel groups → events → participants → joint adoption) and ``report.html``, one
self-contained page with the charts embedded as data URIs. The numbers come
from the secretariat service (bot/secretariat/report_data.py); ``summary.py``
writes them as the short text summary, from the message catalogue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.report.charts import CHARTS
from bot.report.html_page import write_html
from bot.secretariat.report_data import DEFAULT_UNMET_BELOW, ReportData, collect
from knowledge.db import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    charts: dict[str, Path]     # file name → path
    html: Path
    summary: ReportData


def build_report(db: Database, out_dir: Path, *, since: date | None = None,
                 unmet_below: float = DEFAULT_UNMET_BELOW) -> ReportResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        data = collect(session, since=since, unmet_below=unmet_below)
    charts = {name: draw(data, out_dir / name) for name, (_title, draw) in CHARTS.items()}
    html = write_html(data, charts, out_dir / "report.html")
    log.info("report written to %s (%d consultations)", out_dir, data.consultations)
    return ReportResult(charts, html, data)


__all__ = ["ReportResult", "build_report"]
