"""Introductions inside a turn: requesting one, the target's answer, and a user's overview.

The lifecycle itself is the secretariat service's (bot/secretariat/introductions.py);
what the other people are told is composed from the ``Notice`` a turn raises
(bot/dialogue/intro_deliveries.py). Contacts appear in no reply before the
introduction is accepted.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.dialogue import choices, messages, recommend
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import ChatUser, ConsultationSummary, IntroductionSummary, Notice, Overview
from bot.secretariat import introductions
from bot.secretariat.contacts import contact_forms, parse_contact
from knowledge.errors import ConflictError
from knowledge.models import Advisor, Case, Consultation, Engineer, Introduction, SubIssue


def _user(ctx: TurnContext) -> ChatUser:
    return ChatUser(ctx.key.platform[:16], ctx.key.user[:128])


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
    requester = _user(ctx)
    existing = introductions.open_between(ctx.session, requester, token.kind, token.db_id)
    if existing is not None:
        ctx.say("intro_already", name=name, state=messages.label("state", existing.state, ctx.lang))
        return
    try:
        intro = introductions.request(
            ctx.session, requester_platform=requester.platform, requester_id=requester.user_id,
            target_kind=token.kind, target_id=token.db_id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
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
    target = introductions.target_of(ctx.session, intro)
    if target is None or parse_contact(target.contact) != ChatUser(ctx.key.platform, ctx.key.user):
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


# ---------------------------------------------------------------- a user's overview (Slack App Home)


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
    forms = contact_forms(ChatUser(platform, user_id))
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
        target = introductions.target_of(session, intro)
        if is_requester:
            counterpart = target.name if target is not None else introductions.target_label(session, intro)
        else:
            place = introductions.requester_place(session, intro) or "自治体"
            counterpart = messages.say("ja", "engineer_of", place=place)
        topic = session.get(SubIssue, intro.sub_issue_id) if intro.sub_issue_id else None
        out.introductions.append(IntroductionSummary(
            intro.id, "requester" if is_requester else "target", counterpart, intro.target_kind, intro.state,
            intro.requested_at, messages.shorten(topic.text, 40) if topic is not None else "",
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
    requester = _user(ctx)
    if token.case_id == 0:
        body = recs.get("body")
        if not body:
            ctx.say("intro_not_offered")
            return
        intro = introductions.request_brokered(
            ctx.session, requester_platform=requester.platform, requester_id=requester.user_id,
            target_kind="body", target_id=int(body["db_id"]), consultation_id=sub.consultation_id,
            sub_issue_id=sub.id, body={"prefecture": str(body["prefecture"]), "name": str(body["name"])},
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
            ctx.session, requester_platform=requester.platform, requester_id=requester.user_id,
            target_kind="engineer", target_id=engineer.id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
        )
        intro.case_id = case.id
        intro.extra = dict(intro.extra or {}) | {"language": ctx.lang}
        place = engineer.municipality if engineer.municipality == engineer.prefecture else \
            f"{engineer.prefecture}{engineer.municipality}"
        ctx.say("intro_case_engineer", case=case.title, place=place)
        ctx.replies.append(Notice("intro_requested", intro.id))
        return
    intro = introductions.request_brokered(
        ctx.session, requester_platform=requester.platform, requester_id=requester.user_id, target_kind="case",
        target_id=case.id, case_id=case.id, consultation_id=sub.consultation_id, sub_issue_id=sub.id,
    )
    _brokered_reply(ctx, intro, case.title)


def _brokered_reply(ctx: TurnContext, intro: Introduction, what: str) -> None:
    if (intro.extra or {}).get("language"):
        ctx.say("intro_brokered_already")
        return
    intro.extra = dict(intro.extra or {}) | {"language": ctx.lang}
    ctx.say("intro_brokered", case=what)
    ctx.replies.append(Notice("intro_brokered", intro.id))
