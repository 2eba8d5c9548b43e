"""Summaries for the secretariat: the figures of the last week (rendered as text by bot/report/summary.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.secretariat.report_data import ReportData, collect
from knowledge.models import utcnow

WEEK_DAYS = 7


def weekly(session: Session, *, days: int = WEEK_DAYS, now: datetime | None = None) -> ReportData:
    """The report's figures for the last ``days`` days (the chat admin's 週次サマリー)."""
    today = (now or utcnow()).date()
    return collect(session, since=today - timedelta(days=days), now=now)
