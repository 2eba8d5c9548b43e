"""Named requests: 「三条市の担当者を紹介して」「奈良県の代行の事例の人と話したい」.

The bodies named (municipalities or prefectures, in kanji or romaji) and the
schemes named pick the precedent cases; each is shown with 紹介を依頼. The
body's engineers who agreed to be found are shown too; when the body has
neither, the secretariat can be asked to find someone (a brokered request).
Nothing of anyone's contact is shown. The request is stored as a consultation
(status ``named``) so the buttons are checked against their owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.dialogue import choices, messages, profiles, recommend, romaji
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import Choice, ResultItem, ResultList
from bot.dialogue.scheme_fit import named_schemes
from bot.dialogue.understand import _full_prefecture, _mentions, find_own
from knowledge.cards import IntakeCard, SubIssueCard
from knowledge.models import Case, Engineer, Municipality
from knowledge.municipalities import MunicipalityDirectory
from matching.intake import clean_text

MAX_CASES = 5


@dataclass
class Targets:
    municipalities: list[tuple[str, str]] = field(default_factory=list)  # (prefecture, name)
    prefectures: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        names = [n for _, n in self.municipalities] or self.prefectures
        return "・".join(names)


def targets(ctx: TurnContext, text: str) -> Targets:
    return targets_in(text, ctx.services.directory())


def targets_in(text: str, directory: MunicipalityDirectory) -> Targets:
    """The bodies and schemes a named request names (kanji or romaji)."""
    cleaned = clean_text(text)
    out = Targets(schemes=named_schemes(text))
    for m in _mentions(cleaned, directory):
        if m.is_prefecture:
            pref = _full_prefecture(m.name, directory)
            if pref not in out.prefectures:
                out.prefectures.append(pref)
        else:
            for place in directory.candidates(m.name):
                if (place.prefecture, place.name) not in out.municipalities:
                    out.municipalities.append((place.prefecture, place.name))
    for r in romaji.find(cleaned):
        for pref, name in r.candidates:
            if pref == name:
                out.prefectures.append(pref)
            elif (pref, name) not in out.municipalities:
                out.municipalities.append((pref, name))
    if len(out.municipalities) > 1 and out.prefectures:  # 伊達市 narrowed by 「福島の」
        narrowed = [m for m in out.municipalities if m[0] in out.prefectures]
        out.municipalities = narrowed or out.municipalities
    return out


def matching_cases(ctx: TurnContext, wanted: Targets) -> list[Case]:
    cases = list(ctx.session.scalars(select(Case).order_by(Case.is_reference.desc(), Case.id)))
    names = {n for _, n in wanted.municipalities}
    prefs = set(wanted.prefectures) | {p for p, _ in wanted.municipalities}
    out = []
    for case in cases:
        bodies = set(case.municipalities or [])
        if names:
            hit = bool(names & bodies)
        elif wanted.prefectures:
            hit = case.prefecture in prefs or bool(prefs & bodies)
        else:
            hit = bool(wanted.schemes)
        if hit and wanted.schemes and not set(wanted.schemes) & set(case.scheme or []):
            hit = not names and not wanted.prefectures  # a scheme alone never passes here
        if hit:
            out.append(case)
    return out[:MAX_CASES]


def body_engineers(ctx: TurnContext, wanted: Targets) -> list[Engineer]:
    found = []
    for pref, name in wanted.municipalities:
        found += list(
            ctx.session.scalars(
                select(Engineer).where(
                    Engineer.prefecture == pref,
                    Engineer.municipality == name,
                    Engineer.discoverable.is_(True),
                    Engineer.forgotten.is_(False),
                )
            )
        )
    return found[:3]


def handle(ctx: TurnContext, text: str) -> None:
    own = find_own(text, ctx.services.directory())
    if own.explicit and own.found is not None:  # 「燕市の建設課です。三条市の…」: the asker said who they are
        profiles.remember_place(ctx.session, ctx.key, own.found, ctx.lang)
    wanted = targets(ctx, text)
    if own.explicit and own.found is not None:
        wanted.municipalities = [m for m in wanted.municipalities if m != (own.found.prefecture, own.found.name)]
    if not (wanted.municipalities or wanted.prefectures or wanted.schemes):
        ctx.say("named_nothing")
        return
    cases = matching_cases(ctx, wanted)
    engineers = body_engineers(ctx, wanted)
    recs: dict[str, Any] = {
        "case": [_case_record(c) for c in cases],
        "engineer": [_engineer_record(e) for e in engineers],
    }
    if len(wanted.municipalities) == 1:
        pref, name = wanted.municipalities[0]
        row = ctx.session.scalar(select(Municipality).where(Municipality.prefecture == pref, Municipality.name == name))
        if row is not None:
            recs["body"] = {"prefecture": pref, "name": name, "db_id": row.id}
    sub = SubIssueCard(text=messages.shorten(text, 500), title=messages.shorten(text, 40))
    card = IntakeCard(text=text, municipality=profiles.place_of(ctx.session, ctx.key), sub_issues=[sub])
    consultation = recommend.store(ctx, card, {0: {k: v for k, v in recs.items() if k != "body"}}, status="named")
    row_sub = consultation.sub_issues[0]
    row_sub.recommendations = dict(row_sub.recommendations or {}) | ({"body": recs["body"]} if "body" in recs else {})
    label = wanted.label or messages.scheme_labels(wanted.schemes, ctx.lang)
    if cases:
        ctx.say("named_found_cases", target=label)
        items = tuple(
            ResultItem(
                kind="case",
                id=r["id"],
                title=r["title"],
                why=r["why"],
                detail=r["detail"],
                actions=(
                    Choice(
                        ctx.text("request_case_intro"),
                        choices.case_intro_request(row_sub.id, int(r["db_id"])),
                        "primary",
                    ),
                ),
            )
            for r in recs["case"]
        )
        ctx.replies.append(ResultList(messages.label("kind", "case", ctx.lang), items))
    if engineers:
        ctx.say("named_found_people", target=label)
        ctx.replies.append(
            recommend.result_list(
                ctx.lang, messages.label("kind", "engineer", ctx.lang), row_sub.id, "engineer", recs["engineer"]
            )
        )
    if not cases and not engineers:
        if "body" not in recs:
            ctx.say("named_nothing")
        else:
            ctx.say("named_body_only", target=label)
            item = ResultItem(
                kind="body",
                id=f"{recs['body']['prefecture']}{recs['body']['name']}",
                title=label,
                why="",
                actions=(
                    Choice(ctx.text("named_broker_button"), choices.case_intro_request(row_sub.id, 0), "primary"),
                ),
            )
            ctx.replies.append(ResultList(label, (item,)))
    ctx.state.step, ctx.state.ask = "named", {}


def _case_record(case: Case) -> dict[str, Any]:
    bodies = "・".join(case.municipalities or []) or (case.prefecture or "")
    return {
        "id": case.ext_id,
        "db_id": case.id,
        "score": 1.0,
        "title": case.title,
        "why": messages.scheme_labels(list(case.scheme or []), "ja"),
        "detail": f"{bodies} — {messages.shorten(case.summary, 80)}",
        "distance_km": None,
    }


def _engineer_record(engineer: Engineer) -> dict[str, Any]:
    return {
        "id": engineer.ext_id,
        "db_id": engineer.id,
        "score": 1.0,
        "title": engineer.name,
        "why": messages.shorten(engineer.expertise, 60),
        "detail": f"{engineer.prefecture}{engineer.municipality} {engineer.department or ''}".strip(),
        "distance_km": None,
    }
