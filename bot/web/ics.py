"""iCalendar (RFC 5545) files of trainings: one event, or a feed of a search.

Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character; text
values escape backslash, semicolon, comma and newlines; every event has a UID (stable per
training) and a DTSTAMP; dates are all-day (``VALUE=DATE``, DTEND the day after the last
day, as the standard has it). Trainings without a date cannot be put in a calendar and are
left out of a feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.web.training_search import Event

PRODID = "-//gunmane//研修・視察ポータル//JA"


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with one space)."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(event: Event, *, url: str, uid_domain: str, now: datetime, online_label: str) -> list[str]:
    start = event.start_date or event.end_date
    if start is None:
        return []
    last = event.last_day or start
    description = event.description
    details = [part for part in (event.organizer, event.url) if part]
    if details:
        description += "\n\n" + "\n".join(details)
    lines = [
        "BEGIN:VEVENT",
        f"UID:training-{event.ext_id}@{uid_domain}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{last + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(event.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"LOCATION:{escape_text(online_label if event.online else (event.prefecture or ''))}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def calendar(events: Iterable[tuple[Event, str]], *, name: str, uid_domain: str, online_label: str,
             now: datetime | None = None) -> str:
    """A VCALENDAR of (event, its portal URL) pairs."""
    now = now or datetime.now(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}"]
    for event, url in events:
        lines.extend(event_lines(event, url=url, uid_domain=uid_domain, now=now, online_label=online_label))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
