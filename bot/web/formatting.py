"""How values read on a page: dates in Japanese style, taxonomy codes as labels, kinds as words."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.web.i18n import term_label, translate

_WEEKDAYS_JA = "月火水木金土日"


def day(lang: str, value: date | None) -> str:
    if value is None:
        return translate(lang, "common.undated")
    if lang == "en":
        return value.strftime("%a %d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日({_WEEKDAYS_JA[value.weekday()]})"


def period(lang: str, start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return translate(lang, "common.undated")
    if start is None or end is None or start == end:
        return day(lang, start or end)
    return f"{day(lang, start)} – {day(lang, end)}"


def moment(lang: str, value: datetime | None) -> str:
    """A timestamp in Japan time (the secretariat's clock)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    from zoneinfo import ZoneInfo

    local = value.astimezone(ZoneInfo("Asia/Tokyo"))
    return local.strftime("%Y-%m-%d %H:%M")


def labels(lang: str, codes: list[str] | None) -> str:
    return "、".join(term_label(lang, c) for c in codes or []) if lang == "ja" else ", ".join(
        term_label(lang, c) for c in codes or [])


def training_kind(lang: str, kind: str | None) -> str:
    return translate(lang, f"training_kind.{kind or 'none'}")
