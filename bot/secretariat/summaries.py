"""The report as a few lines of Japanese text (the weekly summary for the secretariat channel)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.secretariat.report_data import UNSPECIFIED, ReportData, collect
from knowledge.models import utcnow
from knowledge.taxonomy import get_taxonomy

WEEK_DAYS = 7


def _pair(field: str, process: str) -> str:
    tax = get_taxonomy()
    return " × ".join("未指定" if c == UNSPECIFIED else tax.label(c) for c in (field, process))


def summary_text(data: ReportData) -> str:
    period = f"{data.since.isoformat()} 以降" if data.since else "全期間"
    funnel = data.funnel
    lines = [f"見える化サマリー ({period}、{data.until.date().isoformat()} 時点)",
             f"・相談 {data.consultations}件 (小課題 {data.sub_issues}件)"]
    prefectures = [(p, n) for p, n in data.by_prefecture.most_common(3) if p != UNSPECIFIED]
    if prefectures:
        lines.append("・相談の多い都道府県: " + "、".join(f"{p} {n}件" for p, n in prefectures))
    if data.demand:
        lines.append("・多い分野×業務: " + "、".join(f"{_pair(*k)} {n}件" for k, n in data.demand.most_common(3)))
    rating = f"、平均評価 {funnel.average_rating:.1f}/5" if funnel.average_rating is not None else ""
    lines.append(f"・紹介: 依頼 {funnel.requested}件 → 承諾 {funnel.accepted}件 → 完了 {funnel.completed}件{rating}"
                 f" (辞退 {funnel.declined}、期限切れ {funnel.expired}、回答待ち {funnel.open_requests})")
    if data.unmet:
        lines.append(f"・満たされていないニーズ {data.unmet_total}件: "
                     + "、".join(f"{_pair(*k)} {n}件" for k, n in data.unmet.most_common(3)))
    full = [a for a in data.advisor_load if a.capacity and a.open >= a.capacity]
    lines.append(f"・受け入れ上限に達したアドバイザー: {len(full)}人 / {len(data.advisor_load)}人")
    return "\n".join(lines)


def weekly_summary(session: Session, *, days: int = WEEK_DAYS, now: datetime | None = None) -> str:
    """The summary of the last ``days`` days (the chat admin's 週次サマリー)."""
    today = (now or utcnow()).date()
    return summary_text(collect(session, since=today - timedelta(days=days), now=now))
