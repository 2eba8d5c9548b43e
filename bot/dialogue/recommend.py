"""Recommendations: per sub-issue from the Matcher, the consultation window, quick lookups.

Every recommendation is stored for the secretariat: a ``Consultation`` with
the card, one ``SubIssue`` per problem with what was recommended (ids, scores,
reasons — never contacts) and its best score. The stored lists also serve
「もっと見る」 and the next candidate after a declined introduction.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue import choices, messages, profiles, relevance
from bot.dialogue.cleaning import Lookup
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import Choice, ConversationKey, ResultItem, ResultList
from knowledge.cards import IntakeCard, MunicipalityRef, SubIssueCard
from knowledge.models import Consultation, SubIssue
from matching.intake import extract
from matching.types import MatchQuery, MatchResult

SHOWN = 3        # results shown per kind at first
FETCHED = 6      # results kept per kind (the rest behind 「もっと見る」)
KINDS = ("advisor", "case", "engineer", "training")
ON_REQUEST = ("technology",)   # 新技術: offered only when asked for (its vendor's contact never; see docs/groups.md)
INTRODUCIBLE = ("advisor", "engineer")
NEIGHBOUR_KM = 150.0  # beyond this an engineer is not a neighbour (the Matcher only ranks them lower)


def kinds_for(wanted: list[str]) -> list[str]:
    """Every kind, the wanted ones first; technologies only when wanted."""
    first = [k for k in KINDS + ON_REQUEST if k in wanted]
    return first + [k for k in KINDS if k not in first]


def recommend(ctx: TurnContext) -> None:
    state = ctx.state
    card = state.intake_card()
    assert card is not None and card.municipality is not None
    place = card.municipality
    plan = [(i, kind) for i, sub in enumerate(card.sub_issues) for kind in kinds_for(sub.wanted)]
    queries = [_query(card.sub_issues[i], kind, place) for i, kind in plan]
    matcher = ctx.services.matcher()
    found = matcher.match_many(queries)
    by_sub: dict[int, dict[str, list[dict[str, Any]]]] = {}
    below: dict[int, set[str]] = {}
    for (i, kind), results in zip(plan, found, strict=True):
        kept = [r for r in results if r.score >= relevance.floor(matcher.embedder.model_id, kind)
                and _fits(r, card.sub_issues[i])]
        if results and not kept:
            below.setdefault(i, set()).add(kind)
        by_sub.setdefault(i, {})[kind] = _records(kept, ctx.lang)
    consultation = store(ctx, card, by_sub, status="recommended")
    ctx.say("searching_done")
    for i, sub in enumerate(card.sub_issues):
        row = consultation.sub_issues[i]
        if not any(by_sub[i].values()):
            # Nothing cleared the floor: say so, point to the window and an advisor, record the unmet need.
            row.unmet = True
            ctx.say("unmet_all")
            continue
        for kind in kinds_for(sub.wanted):
            recs = by_sub[i][kind]
            if not recs:
                ctx.say("below_floor" if kind in below.get(i, set()) else "no_results",
                        kind=messages.label("kind", kind, ctx.lang))
                continue
            title = ctx.text("results_title", n=i + 1, text=messages.shorten(sub.title or sub.text, 24),
                             kind=messages.label("kind", kind, ctx.lang))
            ctx.replies.append(result_list(ctx.lang, title, row.id, kind, recs[:SHOWN], more=len(recs) > SHOWN))
            if kind in ON_REQUEST:
                ctx.say("technology_note")
    window = window_list(ctx, place)
    if window is not None:
        ctx.replies.append(window)
    ctx.say("results_next")
    state.step, state.ask = "results", {}
    state.consultation_id = consultation.id


def _fits(result: MatchResult, sub: SubIssueCard) -> bool:
    """A technology is offered for the facility the engineer asked about: it shares one of the sub-issue's
    fields (no relevance floor is calibrated for technologies; a sub-issue without a field takes any)."""
    if result.kind != "technology" or not sub.fields:
        return True
    return bool(set(result.details.get("fields") or ()) & set(sub.fields))


def _query(sub: SubIssueCard, kind: str, place: MunicipalityRef | None) -> MatchQuery:
    return MatchQuery(
        text=sub.text, kind=kind,  # type: ignore[arg-type]
        prefecture=place.prefecture if place else None, municipality=place.name if place else None,
        top=FETCHED, fields=tuple(sub.fields), processes=tuple(sub.processes),
    )


def _records(results: list[MatchResult], lang: str) -> list[dict[str, Any]]:
    """What is kept of a result list: engineers only within reach, at most ``FETCHED``."""
    kept = [r for r in results
            if not (r.kind == "engineer" and r.distance_km is not None and r.distance_km > NEIGHBOUR_KM)]
    return [_record(r, lang) for r in kept[:FETCHED]]


def _record(result: MatchResult, lang: str) -> dict[str, Any]:
    return {
        "id": result.id, "db_id": result.db_id, "score": round(float(result.score), 4),
        "title": result.title, "why": result.why, "detail": _detail(result, lang),
        "distance_km": None if result.distance_km is None else round(result.distance_km, 1),
    }


def _detail(result: MatchResult, lang: str) -> str:
    d = result.details
    summary = messages.shorten(result.summary or "", 80)
    if result.kind == "advisor":
        head = d.get("affiliation") or ""
    elif result.kind == "engineer":
        place = d.get("municipality") or ""
        if place and place != d.get("prefecture"):
            place = f"{d.get('prefecture') or ''}{place}"
        head = " ".join(x for x in (place, d.get("department") or "") if x)
    elif result.kind == "training":
        dates = d.get("start_date") or ""
        if d.get("end_date") and d.get("end_date") != dates:
            dates = f"{dates}〜{d['end_date']}"
        where = ("オンライン" if lang != "en" else "online") if d.get("online") else (d.get("prefecture") or "")
        head = " ".join(x for x in (dates, where, d.get("organizer") or "") if x)
    elif result.kind == "technology":
        catalogue = d.get("catalogue")
        listed = messages.say(lang, f"catalogue_{catalogue}") if catalogue in ("netis", "inspection_catalogue") else ""
        head = " ".join(x for x in (d.get("vendor") or "", listed) if x)
    else:
        head = "・".join(d.get("municipalities") or []) or (d.get("prefecture") or "")
    return f"{head} — {summary}" if head else summary


def result_list(lang: str, title: str, sub_issue_id: int, kind: str, recs: list[dict[str, Any]],
                *, more: bool = False) -> ResultList:
    items = tuple(result_item(lang, sub_issue_id, kind, rec) for rec in recs)
    more_choice = Choice(messages.say(lang, "more"), choices.more_results(sub_issue_id, kind)) if more else None
    return ResultList(title, items, more_choice)


def result_item(lang: str, sub_issue_id: int, kind: str, rec: dict[str, Any]) -> ResultItem:
    actions: tuple[Choice, ...] = ()
    if kind in INTRODUCIBLE:
        actions = (Choice(messages.say(lang, "request_intro"),
                          choices.intro_request(sub_issue_id, kind, int(rec["db_id"])), "primary"),)
    return ResultItem(kind=kind, id=str(rec["id"]), title=str(rec["title"]), why=str(rec["why"]),
                      detail=str(rec.get("detail") or ""), distance_km=rec.get("distance_km"), actions=actions)


def window_list(ctx: TurnContext, place: MunicipalityRef) -> ResultList | None:
    window = ctx.services.directory().window_for(place.prefecture)
    if window is None:
        return None
    item = ResultItem(
        kind="window", id=window.bureau, title=f"{window.bureau} {window.department}",
        why=ctx.text("window_why", prefecture=place.prefecture),
        detail=ctx.text("window_detail", phone=window.phone, email=window.email),
    )
    return ResultList(ctx.text("window_title", prefecture=place.prefecture), (item,))


def store(ctx: TurnContext, card: IntakeCard, by_sub: dict[int, dict[str, list[dict[str, Any]]]],
           *, status: str) -> Consultation:
    key: ConversationKey = ctx.key
    place = card.municipality
    consultation = Consultation(
        platform=key.platform[:16], user_id=key.user[:128], conversation_key=key.as_string()[:512],
        prefecture=place.prefecture if place else None, municipality=place.name if place else None,
        text=card.text, card=card.to_json(), language=ctx.lang, status=status,
    )
    for i, sub in enumerate(card.sub_issues):
        recs = by_sub.get(i, {})
        scores = [r["score"] for kind_recs in recs.values() for r in kind_recs]
        consultation.sub_issues.append(SubIssue(
            position=i, text=sub.text, fields=list(sub.fields), processes=list(sub.processes),
            pains=list(sub.pains), wanted=list(sub.wanted), recommendations=recs,
            best_score=max(scores) if scores else None, title=sub.title or None,
            schemes=[s.model_dump() for s in sub.schemes],
        ))
    ctx.session.add(consultation)
    ctx.session.flush()
    return consultation


# ---------------------------------------------------------------- quick lookup and more


def lookup(ctx: TurnContext, wanted: Lookup, original: str) -> None:
    """`事例 橋梁 代行`, `研修 点検`, `近隣 除雪`: results straight away, no intake."""
    if not wanted.words:
        ctx.say("lookup_needs_words")
        return
    place = profiles.place_of(ctx.session, ctx.key)
    topics = extract(wanted.words)   # so the secretariat's demand figures count lookups too
    sub = SubIssueCard(text=wanted.words, fields=topics.fields, processes=topics.processes, wanted=[wanted.kind])
    matcher = ctx.services.matcher()
    results = matcher.match(_query(sub, wanted.kind, place))
    recs = _records([r for r in results if r.score >= relevance.floor(matcher.embedder.model_id, wanted.kind)],
                    ctx.lang)
    card = IntakeCard(text=original, municipality=place, sub_issues=[sub])
    consultation = store(ctx, card, {0: {wanted.kind: recs}}, status="lookup")
    kind_label = messages.label("kind", wanted.kind, ctx.lang)
    if not recs:
        ctx.say("no_results", kind=kind_label)
    else:
        title = ctx.text("lookup_title", words=messages.shorten(wanted.words, 30), kind=kind_label)
        ctx.replies.append(result_list(ctx.lang, title, consultation.sub_issues[0].id, wanted.kind,
                                       recs[:SHOWN], more=len(recs) > SHOWN))
    if place is None:
        ctx.say("lookup_place_hint")


def more(ctx: TurnContext, sub_issue_id: int, kind: str) -> None:
    sub = owned_sub_issue(ctx, sub_issue_id)
    if sub is None:
        return
    recs = list((sub.recommendations or {}).get(kind, []))[SHOWN:]
    if not recs:
        ctx.say("more_none")
        return
    title = f"{messages.label('kind', kind, ctx.lang)}（{messages.shorten(sub.text, 20)}）"
    ctx.replies.append(result_list(ctx.lang, title, sub.id, kind, recs))


def owned_sub_issue(ctx: TurnContext, sub_issue_id: int) -> SubIssue | None:
    """The sub-issue when it belongs to the person pressing the button; otherwise say why not."""
    sub = ctx.session.get(SubIssue, sub_issue_id)
    if sub is None:
        ctx.say("unknown_choice")
        return None
    owner = sub.consultation
    if (owner.platform, owner.user_id) != (ctx.key.platform[:16], ctx.key.user[:128]):
        ctx.say("foreign_choice")
        return None
    return sub
