"""Console: introductions — the queue by state, one introduction's page, approve / decline / expire /
complete on someone's behalf, reassign, assign a person to a brokered request, follow-up answers, and
the scheduled jobs (expire overdue, reminders, follow-ups) run now.

Thin, and the same as the CLI: each action is the service function `gunmane intros …` calls
(bot.secretariat.introductions, feedback), with the account as actor, and then the people involved
are told exactly as the CLI tells them (``notice_of`` → the relay's dispatcher; what chat misses goes
to the mail outbox). Requester ids (chat ids are contacts) and contacts are shown to the
``secretariat`` role only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from bot.dialogue.deliveries import notice_of
from bot.relay import jobs
from bot.relay.dispatch import DeliveryReport
from bot.secretariat import curation, feedback
from bot.secretariat import introductions as intros
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.routes.common import form_number, path_number
from knowledge.errors import ConflictError, GunmaneError, NotFound, ValidationFailed
from knowledge.models import INTRO_STATES, Advisor, Consultation, Engineer, Introduction

ACTIONS: dict[str, Callable[..., Introduction]] = {
    "accept": intros.accept, "decline": intros.decline, "complete": intros.complete, "expire": intros.expire}
CANDIDATES_MAX = 500


def _row(ctx: Ctx, session: Any, intro: Introduction) -> dict[str, Any]:
    target = intros.target_of(session, intro)
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    can_see = ctx.account is not None and ctx.account.can_change
    return {
        "intro": intro,
        "target": target,
        "target_name": target.name if target is not None else intros.target_label(session, intro),
        "place": (f"{consultation.prefecture or ''}{consultation.municipality or ''}" if consultation else ""),
        "requester": f"{intro.requester_platform}:{intro.requester_id}" if can_see else ctx.t("common.masked"),
        "contact": (target.contact if can_see and target is not None and intro.state in ("accepted", "completed")
                    else None),
        "feedback": feedback.feedback_of(intro),
        "brokered_as": (intro.extra or {}).get("brokered_as"),
    }


@page(role="viewer")
def intro_list(ctx: Ctx) -> Response:
    state = ctx.query("state") or "requested"
    if state not in INTRO_STATES:
        return ctx.error(400, "error.bad_state")
    with ctx.web.db.session() as session:
        counts = {s: len(intros.list_introductions(session, state=s)) for s in INTRO_STATES}
        rows = [_row(ctx, session, i) for i in intros.list_introductions(session, state=state)]
    return ctx.render("admin/intros.html", state=state, states=INTRO_STATES, counts=counts, rows=rows,
                      done=ctx.query("done"), report=None)


def _candidates(session: Any, intro: Introduction) -> dict[str, list[tuple[str, str]]]:
    """Whom the request can go to: active advisors, and engineers — consenting ones for a normal request;
    for a brokered one any engineer on record (the secretariat asks them), those of the body first."""
    advisors = session.scalars(select(Advisor).where(Advisor.status == "active", Advisor.forgotten.is_(False))
                               .order_by(Advisor.ext_id).limit(CANDIDATES_MAX))
    engineers_query = select(Engineer).where(Engineer.forgotten.is_(False))
    if intro.state != "brokered":
        engineers_query = engineers_query.where(Engineer.discoverable.is_(True))
    engineers = list(session.scalars(engineers_query.order_by(Engineer.ext_id).limit(CANDIDATES_MAX)))
    body = (intro.extra or {}).get("body") or {}
    if intro.state == "brokered" and body.get("name"):
        engineers.sort(key=lambda e: (e.municipality != body.get("name"), e.prefecture != body.get("prefecture")))
    current = (intro.target_kind, intro.target_id)
    return {"advisor": [(a.ext_id, a.name) for a in advisors if ("advisor", a.id) != current],
            "engineer": [(e.ext_id, f"{e.name}（{e.prefecture}{e.municipality or ''}）") for e in engineers
                         if ("engineer", e.id) != current]}


def _intro_page(ctx: Ctx, intro_id: int, *, status: int = 200, problems: list[str] | None = None) -> Response:
    with ctx.web.db.session() as session:
        intro = intros.get(session, intro_id)
        row = _row(ctx, session, intro)
        candidates = _candidates(session, intro)
    return ctx.render("admin/intro.html", status=status, row=row, problems=problems or [], candidates=candidates,
                      done=ctx.query("done"), sent=ctx.query("sent"), queued=ctx.query("outbox"))


@page(role="viewer")
def intro_page(ctx: Ctx) -> Response:
    return _intro_page(ctx, path_number(ctx, "number"))


def _told(ctx: Ctx, intro: Introduction) -> DeliveryReport:
    """Tell the people involved of the introduction's new state, as `gunmane intros …` does."""
    notice = notice_of(intro)
    return deliver.notify(ctx.web, [notice] if notice is not None else [])


def _done(ctx: Ctx, intro_id: int, done: str, report: DeliveryReport) -> Response:
    return ctx.redirect(f"/admin/intros/{intro_id}", done=done, sent=len(report.sent) or None,
                        outbox=sum(len(e.recipients) for e in report.outbox) or None)


@page(role="secretariat")
def intro_action(ctx: Ctx) -> Response:
    intro_id, action = path_number(ctx, "number"), ctx.value("action")
    if action not in ACTIONS:
        return _intro_page(ctx, intro_id, status=400, problems=[ctx.t("intros.bad_action")])
    try:
        with ctx.web.db.session() as session:
            intro = ACTIONS[action](session, intro_id, actor=ctx.actor)
    except ConflictError as exc:
        return _intro_page(ctx, intro_id, status=409, problems=[str(exc)])
    return _done(ctx, intro_id, action, _told(ctx, intro))


@page(role="secretariat")
def intro_reassign(ctx: Ctx) -> Response:
    """`gunmane intros reassign ID --to EXT --kind K`: another person, or the first person of a brokered request."""
    intro_id = path_number(ctx, "number")
    kind, target = ctx.value("target_kind"), ctx.value("target").strip()
    if kind not in intros.TARGET_MODELS or not target:
        return _intro_page(ctx, intro_id, status=400, problems=[ctx.t("intros.choose_target")])
    try:
        with ctx.web.db.session() as session:
            was_brokered = intros.get(session, intro_id).state == "brokered"
            row = curation.find(session, kind, target[:64])
            new = intros.reassign(session, intro_id, target_kind=kind, target_id=row.id, actor=ctx.actor)
    except (ConflictError, NotFound) as exc:
        return _intro_page(ctx, intro_id, status=409, problems=[str(exc)])
    return _done(ctx, new.id, "assigned" if was_brokered else "reassigned", _told(ctx, new))


@page(role="secretariat")
def intro_feedback(ctx: Ctx) -> Response:
    intro_id, side = path_number(ctx, "number"), ctx.value("side")
    rating = form_number(ctx, "rating")
    if side not in feedback.SIDES or (ctx.value("rating") and rating is None):
        return _intro_page(ctx, intro_id, status=400, problems=[ctx.t("intros.bad_feedback")])
    try:
        with ctx.web.db.session() as session:
            feedback.record_feedback(session, intro_id, side=feedback.side_of(side), rating=rating,
                                     comment=ctx.value("comment"), actor=ctx.actor)
    except ConflictError as exc:
        return _intro_page(ctx, intro_id, status=409, problems=[str(exc)])
    return ctx.redirect(f"/admin/intros/{intro_id}", done="feedback")


@page(role="secretariat")
def run_job(ctx: Ctx) -> Response:
    """The scheduled jobs, now: the same ``bot.relay.jobs`` functions as `gunmane intros expire|remind|followup`."""
    job = ctx.value("job")
    web, settings = ctx.web, ctx.web.settings
    try:
        if job == "expire":
            report = jobs.expire(web.db, settings, deliver.senders(web), actor=ctx.actor)
        elif job == "remind":
            report = jobs.send_reminders(web.db, settings, deliver.senders(web), actor=ctx.actor)
        elif job == "followup":
            report = jobs.send_followups(web.db, settings, deliver.senders(web), actor=ctx.actor)
        else:
            raise ValidationFailed([f"job: {job!r} is not a job; use expire, remind or followup"])
    except GunmaneError as exc:
        return ctx.error(400, "error.job_failed", reason=str(exc))
    queued = deliver.queue_undelivered(web, report.outbox)
    return ctx.redirect("/admin/intros", done=f"job_{job}", count=len(report.intro_ids),
                        sent=len(report.delivered.sent), outbox=queued)


ROUTES = [
    Route("/admin/intros", intro_list, methods=["GET"]),
    Route("/admin/intros/run", run_job, methods=["POST"]),
    Route("/admin/intros/{number}", intro_page, methods=["GET"]),
    Route("/admin/intros/{number}/action", intro_action, methods=["POST"]),
    Route("/admin/intros/{number}/reassign", intro_reassign, methods=["POST"]),
    Route("/admin/intros/{number}/feedback", intro_feedback, methods=["POST"]),
]
