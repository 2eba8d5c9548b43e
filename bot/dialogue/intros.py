"""Introductions from the dialogue's side: requesting one, the target's answer, and the views.

Who is the target on a chat platform: an advisor's or engineer's ``contact``
that is a chat user id — a Slack id (``U…``/``W…``, or ``slack:U…``), a Teams
id written ``teams:<id>``, or ``terminal:<user>``. Anything else (an email)
means the secretariat reaches the person by mail. Contacts appear in no reply
before the introduction is accepted.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.dialogue import choices, messages, recommend
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import (
    Card,
    Choice,
    ConsultationSummary,
    IntroductionSummary,
    IntroView,
    Notice,
    Overview,
    PlatformUser,
    ResultList,
    Text,
)
from knowledge import introductions
from knowledge.errors import ConflictError, NotFound
from knowledge.models import Advisor, Case, Consultation, Engineer, Introduction, SubIssue

PLATFORM_PREFIXES = ("slack", "teams", "terminal")
_SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def contact_recipient(contact: str | None) -> PlatformUser | None:
    """The (platform, user id) a contact names, or ``None`` when it is not a chat user (an email)."""
    if not contact:
        return None
    value = contact.strip()
    prefix, sep, rest = value.partition(":")
    if sep and prefix.lower() in PLATFORM_PREFIXES and rest.strip():
        return prefix.lower(), rest.strip()
    if _SLACK_ID.fullmatch(value):
        return "slack", value
    return None


def contact_forms(platform: str, user_id: str) -> list[str]:
    """Every way a contact field may name this chat user."""
    forms = [f"{platform}:{user_id}"]
    if platform == "slack":
        forms.append(user_id)
    return forms


def _target(session: Session, intro: Introduction) -> Advisor | Engineer | None:
    if intro.target_kind not in ("advisor", "engineer"):   # brokered: a case or a body, nobody yet
        return None
    model = Advisor if intro.target_kind == "advisor" else Engineer
    return session.get(model, intro.target_id)


# ---------------------------------------------------------------- inside a turn


def request(ctx: TurnContext, token: choices.IntroRequest) -> None:
    sub = recommend.owned_sub_issue(ctx, token.sub_issue_id)
    if sub is None:
        return
    offered = {int(r["db_id"]): r for r in (sub.recommendations or {}).get(token.kind, [])}
    rec = offered.get(token.db_id)
    if rec is None:
        ctx.say("intro_not_offered")
        return
    name = str(rec["title"])
    platform, user = ctx.key.platform[:16], ctx.key.user[:128]
    existing = ctx.session.scalar(select(Introduction).where(
        Introduction.requester_platform == platform, Introduction.requester_id == user,
        Introduction.target_kind == token.kind, Introduction.target_id == token.db_id,
        Introduction.state.in_(introductions.OPEN_STATES + introductions.ACTIVE_STATES),
    ))
    if existing is not None:
        ctx.say("intro_already", name=name, state=messages.label("state", existing.state, ctx.lang))
        return
    try:
        intro = introductions.request(
            ctx.session, requester_platform=platform, requester_id=user, target_kind=token.kind,
            target_id=token.db_id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
        )
    except ConflictError:
        ctx.say("intro_unavailable", name=name)
        return
    intro.extra = {"language": ctx.lang}
    ctx.say("intro_requested", name=name)
    ctx.replies.append(Notice("intro_requested", intro.id))


def answer(ctx: TurnContext, token: choices.IntroReply) -> None:
    intro = ctx.session.get(Introduction, token.introduction_id)
    if intro is None:
        ctx.say("intro_missing")
        return
    target = _target(ctx.session, intro)
    if target is None or contact_recipient(target.contact) != (ctx.key.platform, ctx.key.user):
        ctx.say("intro_not_target")
        return
    actor = f"{ctx.key.platform}:{ctx.key.user}"
    try:
        if token.accept:
            introductions.accept(ctx.session, intro.id, actor=actor)
        else:
            introductions.decline(ctx.session, intro.id, actor=actor)
    except ConflictError:
        if intro.state == "requested":
            ctx.say("intro_capacity")
        else:
            ctx.say("intro_conflict", state=messages.label("state", intro.state, ctx.lang))
        return
    ctx.say("intro_thanks_accept" if token.accept else "intro_thanks_decline")
    ctx.replies.append(Notice("intro_accepted" if token.accept else "intro_declined", intro.id))


# ---------------------------------------------------------------- views for the adapters


def _load(session: Session, intro_id: int) -> tuple[Introduction, Advisor | Engineer, SubIssue | None]:
    intro = session.get(Introduction, intro_id)
    if intro is None:
        raise NotFound(f"Introduction {intro_id} does not exist. `gunmane intros list` shows the existing ones.")
    target = _target(session, intro)
    if target is None:
        raise NotFound(f"The {intro.target_kind} of introduction {intro_id} no longer exists.")
    sub = session.get(SubIssue, intro.sub_issue_id) if intro.sub_issue_id else None
    return intro, target, sub


def _requester_place(session: Session, intro: Introduction, lang: str) -> str:
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    if consultation is None or not consultation.prefecture:
        return "自治体" if lang != "en" else "a municipality"
    name = consultation.municipality or consultation.prefecture
    return name if name == consultation.prefecture else f"{consultation.prefecture}{name}"


def _issue_rows(session: Session, intro: Introduction, sub: SubIssue | None, lang: str) -> list[tuple[str, str]]:
    rows = [(messages.say(lang, "card_municipality"), _requester_place(session, intro, lang))]
    if sub is not None:
        rows.append((messages.say(lang, "card_issue", n="").strip(), messages.shorten(sub.text, 300)))
        for item in ("fields", "processes", "pains", "wanted"):
            rows.append((messages.say(lang, f"card_{item}"), messages.labels(item, list(getattr(sub, item)), lang)))
    return rows


def _lang(intro: Introduction) -> str:
    return str((intro.extra or {}).get("language") or "ja")


def _requester_contact(intro: Introduction, lang: str) -> str:
    platform = messages.PLATFORM_LABELS.get(intro.requester_platform, intro.requester_platform)
    return messages.say(lang, "contact_on", platform=platform, user=intro.requester_id)


def request_view(session: Session, intro_id: int) -> IntroView:
    intro, target, sub = _load(session, intro_id)
    lang = "ja"
    place = _requester_place(session, intro, lang)
    actions = (
        Choice(messages.say(lang, "intro_accept"), choices.intro_reply(intro.id, accept=True), "primary"),
        Choice(messages.say(lang, "intro_decline"), choices.intro_reply(intro.id, accept=False), "danger"),
    )
    replies: list[Any] = [
        Text(messages.say(lang, "intro_ask_target", name=target.name, place=place)),
        Card(messages.say(lang, "intro_request_card"), tuple(_issue_rows(session, intro, sub, lang)), actions),
    ]
    return IntroView(intro.id, recipient=contact_recipient(target.contact), replies=replies, language=lang)


def accepted_view(session: Session, intro_id: int) -> IntroView:
    intro, target, sub = _load(session, intro_id)
    if intro.state not in ("accepted", "completed"):
        raise ConflictError(f"Introduction {intro_id} is {intro.state}; contacts are shared only once it is accepted.")
    lang = _lang(intro)
    requester: PlatformUser = (intro.requester_platform, intro.requester_id)
    target_user = contact_recipient(target.contact)
    participants = (requester,) + ((target_user,) if target_user and target_user != requester else ())
    affiliation = getattr(target, "affiliation", None) or getattr(target, "municipality", None) or ""
    rows = _issue_rows(session, intro, sub, lang) + [
        (messages.say(lang, "intro_requester"), _requester_place(session, intro, lang)),
        (messages.say(lang, "intro_requester_contact"), _requester_contact(intro, lang)),
        (messages.say(lang, "intro_target"), f"{target.name}" + (f"（{affiliation}）" if affiliation else "")),
        (messages.say(lang, "intro_target_contact"), target.contact or "—"),
    ]
    replies: list[Any] = [
        Text(messages.say(lang, "intro_accepted_news", target=target.name)),
        Card(messages.say(lang, "intro_card_title"), tuple(rows)),
    ]
    return IntroView(intro.id, participants=participants, replies=replies, language=lang)


def declined_view(session: Session, intro_id: int) -> IntroView:
    intro, target, sub = _load(session, intro_id)
    lang = _lang(intro)
    replies: list[Any] = [Text(messages.say(lang, "intro_declined_news", target=target.name))]
    candidate = _next_candidate(session, intro, sub)
    if candidate is not None and sub is not None:
        item = recommend.result_item(lang, sub.id, intro.target_kind, candidate)
        replies.append(ResultList(messages.say(lang, "intro_next_candidate"), (item,)))
    else:
        replies.append(Text(messages.say(lang, "intro_no_next")))
    return IntroView(intro.id, recipient=(intro.requester_platform, intro.requester_id), replies=replies,
                     language=lang)


def _next_candidate(session: Session, intro: Introduction, sub: SubIssue | None) -> dict[str, Any] | None:
    if sub is None:
        return None
    asked = set(session.scalars(select(Introduction.target_id).where(
        Introduction.requester_platform == intro.requester_platform,
        Introduction.requester_id == intro.requester_id,
        Introduction.target_kind == intro.target_kind,
    )))
    model = Advisor if intro.target_kind == "advisor" else Engineer
    for rec in (sub.recommendations or {}).get(intro.target_kind, []):
        db_id = int(rec["db_id"])
        if db_id in asked:
            continue
        row = session.get(model, db_id)
        if row is None or getattr(row, "forgotten", False):
            continue
        if model is Advisor and row.status != "active":
            continue
        if model is Engineer and not row.discoverable:
            continue
        return rec
    return None


def overview(session: Session, platform: str, user_id: str, *, limit: int = 20) -> Overview:
    out = Overview(platform, user_id)
    consultations = session.scalars(
        select(Consultation).where(Consultation.platform == platform, Consultation.user_id == user_id)
        .order_by(Consultation.created_at.desc(), Consultation.id.desc()).limit(limit)
    ).all()
    for c in consultations:
        lang = c.language or "ja"
        place = "" if not c.prefecture else (c.prefecture if c.municipality in (None, c.prefecture)
                                             else f"{c.prefecture}{c.municipality}")
        parts = []
        for sub in c.sub_issues:
            codes = [messages.label("fields", x, lang) for x in sub.fields] + \
                    [messages.label("processes", x, lang) for x in sub.processes]
            parts.append(("・".join(codes) + " " if codes else "") + messages.shorten(sub.text, 30))
        out.consultations.append(ConsultationSummary(c.id, c.created_at, place, " / ".join(parts) or c.text[:60],
                                                     c.status))
    forms = contact_forms(platform, user_id)
    advisor_ids = list(session.scalars(select(Advisor.id).where(Advisor.contact.in_(forms))))
    engineer_ids = list(session.scalars(select(Engineer.id).where(Engineer.contact.in_(forms))))
    conditions = [(Introduction.requester_platform == platform) & (Introduction.requester_id == user_id)]
    if advisor_ids:
        conditions.append((Introduction.target_kind == "advisor") & Introduction.target_id.in_(advisor_ids))
    if engineer_ids:
        conditions.append((Introduction.target_kind == "engineer") & Introduction.target_id.in_(engineer_ids))
    intros = session.scalars(select(Introduction).where(or_(*conditions))
                             .order_by(Introduction.requested_at.desc(), Introduction.id.desc()).limit(limit)).all()
    for intro in intros:
        is_requester = (intro.requester_platform, intro.requester_id) == (platform, user_id)
        target = _target(session, intro)
        if is_requester:
            counterpart = target.name if target is not None else target_label(session, intro)
        else:
            counterpart = messages.say("ja", "engineer_of", place=_requester_place(session, intro, "ja"))
        sub = session.get(SubIssue, intro.sub_issue_id) if intro.sub_issue_id else None
        out.introductions.append(IntroductionSummary(
            intro.id, "requester" if is_requester else "target", counterpart, intro.target_kind, intro.state,
            intro.requested_at, messages.shorten(sub.text, 40) if sub is not None else "",
        ))
    return out


# ---------------------------------------------------------------- introductions about a case (named requests)


def case_engineer(session: Session, case: Case) -> Engineer | None:
    """A consenting engineer of a body that took part in ``case`` (its municipalities, or its prefecture's staff)."""
    bodies = list(case.municipalities or [])
    rows = session.scalars(select(Engineer).where(
        Engineer.discoverable.is_(True), Engineer.forgotten.is_(False), Engineer.municipality.in_(bodies),
    ).order_by(Engineer.id))
    for engineer in rows:
        same_prefecture = engineer.prefecture == case.prefecture or not case.prefecture
        if same_prefecture or engineer.municipality == engineer.prefecture:
            return engineer
    return None


def request_case(ctx: TurnContext, token: choices.CaseIntroRequest) -> None:
    """紹介を依頼 on a case of a named request: to a consenting engineer of its body, else brokered
    to the secretariat."""
    sub = recommend.owned_sub_issue(ctx, token.sub_issue_id)
    if sub is None:
        return
    recs = sub.recommendations or {}
    platform, user = ctx.key.platform[:16], ctx.key.user[:128]
    if token.case_id == 0:
        body = recs.get("body")
        if not body:
            ctx.say("intro_not_offered")
            return
        intro = introductions.request_brokered(
            ctx.session, requester_platform=platform, requester_id=user, target_kind="body",
            target_id=int(body["db_id"]), consultation_id=sub.consultation_id, sub_issue_id=sub.id,
            body={"prefecture": str(body["prefecture"]), "name": str(body["name"])},
        )
        _brokered_reply(ctx, intro, f"{body['prefecture']}{body['name']}" if body["name"] != body["prefecture"]
                        else str(body["name"]))
        return
    if token.case_id not in {int(r["db_id"]) for r in recs.get("case", [])}:
        ctx.say("intro_not_offered")
        return
    case = ctx.session.get(Case, token.case_id)
    if case is None:
        ctx.say("intro_not_offered")
        return
    engineer = case_engineer(ctx.session, case)
    if engineer is not None:
        intro = introductions.request(
            ctx.session, requester_platform=platform, requester_id=user, target_kind="engineer",
            target_id=engineer.id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
        )
        intro.case_id = case.id
        intro.extra = dict(intro.extra or {}) | {"language": ctx.lang}
        place = engineer.municipality if engineer.municipality == engineer.prefecture else \
            f"{engineer.prefecture}{engineer.municipality}"
        ctx.say("intro_case_engineer", case=case.title, place=place)
        ctx.replies.append(Notice("intro_requested", intro.id))
        return
    intro = introductions.request_brokered(
        ctx.session, requester_platform=platform, requester_id=user, target_kind="case", target_id=case.id,
        case_id=case.id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
    )
    _brokered_reply(ctx, intro, case.title)


def _brokered_reply(ctx: TurnContext, intro: Introduction, what: str) -> None:
    if (intro.extra or {}).get("language"):
        ctx.say("intro_brokered_already")
        return
    intro.extra = dict(intro.extra or {}) | {"language": ctx.lang}
    ctx.say("intro_brokered", case=what)
    ctx.replies.append(Notice("intro_brokered", intro.id))


def target_label(session: Session, intro: Introduction) -> str:
    """What a secretariat note names as the target: the person, the case, or the body (never a contact)."""
    if intro.target_kind in ("advisor", "engineer"):
        person = _target(session, intro)
        return f"{person.name}（{person.ext_id}）" if person is not None else f"#{intro.target_id}"
    if intro.target_kind == "case":
        case = session.get(Case, intro.target_id)
        return f"事例「{case.title}」（{case.ext_id}）" if case is not None else f"事例 #{intro.target_id}"
    body = (intro.extra or {}).get("body") or {}
    return f"{body.get('prefecture', '')}{body.get('name', '')}" or f"#{intro.target_id}"
