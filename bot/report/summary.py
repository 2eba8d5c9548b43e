"""The report as a few lines of text (the weekly summary the secretariat gets in chat), from the catalogue."""

from __future__ import annotations

from bot.dialogue.messages import label, say
from bot.secretariat.report_data import UNSPECIFIED, ReportData

LANGUAGE = "ja"   # the secretariat reads Japanese


def _pair(field: str, process: str, lang: str) -> str:
    return " × ".join(say(lang, "unspecified") if code == UNSPECIFIED else label(kind, code, lang)
                      for kind, code in (("fields", field), ("processes", process)))


def summary_text(data: ReportData, lang: str = LANGUAGE) -> str:
    period = say(lang, "summary_since", since=data.since.isoformat()) if data.since else say(lang, "summary_all")
    joiner = "、" if lang != "en" else ", "
    funnel = data.funnel
    lines = [say(lang, "summary_title", period=period, today=data.until.date().isoformat()),
             say(lang, "summary_consultations", n=data.consultations, subs=data.sub_issues)]
    prefectures = [(p, n) for p, n in data.by_prefecture.most_common(3) if p != UNSPECIFIED]
    if prefectures:
        items = joiner.join(say(lang, "summary_item", name=p, n=n) for p, n in prefectures)
        lines.append(say(lang, "summary_prefectures", items=items))
    if data.demand:
        items = joiner.join(say(lang, "summary_item", name=_pair(*k, lang), n=n) for k, n in data.demand.most_common(3))
        lines.append(say(lang, "summary_demand", items=items))
    rating = ("" if funnel.average_rating is None
              else say(lang, "summary_rating", rating=f"{funnel.average_rating:.1f}"))
    lines.append(say(lang, "summary_funnel", requested=funnel.requested, accepted=funnel.accepted,
                     completed=funnel.completed, rating=rating, declined=funnel.declined, expired=funnel.expired,
                     open=funnel.open_requests))
    if data.unmet:
        items = joiner.join(say(lang, "summary_item", name=_pair(*k, lang), n=n) for k, n in data.unmet.most_common(3))
        lines.append(say(lang, "summary_unmet", n=data.unmet_total, items=items))
    groups = data.groups.funnel
    if groups.groups:
        lines.append(say(lang, "summary_groups", groups=groups.groups, accepted=groups.bodies_accepted,
                         invited=groups.bodies_invited, events=groups.events, attending=groups.participants,
                         interested=groups.interested))
    full = [a for a in data.advisor_load if a.full]
    lines.append(say(lang, "summary_full", full=len(full), all=len(data.advisor_load)))
    return "\n".join(lines)
