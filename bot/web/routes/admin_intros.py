"""Console: introductions — the queue by state, one introduction's page, approve / reassign /
expire / decline / complete on someone's behalf, follow-up answers, and the daily jobs
(expire overdue, reminders, follow-ups) whose mail goes to the outbox.

Thin: the secretariat service (bot/secretariat) and the relay (bot/relay) do the work. Requester ids (chat ids are
contacts) and contacts are shown to the ``secretariat`` role only.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from bot.relay import jobs
from bot.secretariat import curation, feedback, portal
from bot.secretariat import introductions as intros
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.routes.common import form_number, path_number
from knowledge.errors import ConflictError, GunmaneError, NotFound, ValidationFailed
from knowledge.models import INTRO_STATES, Consultation

ACTIONS = {"accept": intros.accept, "decline": intros.decline, "complete": intros.complete,
           "expire": portal.expire_introduction}


def _row(ctx: Ctx, session: Any, intro: Any) -> dict[str, Any]:
    target = intros.target_of(session, intro)
    consultation = session.get(Consultation, intro.consultation_id) if intro.consultation_id else None
    can_see = ctx.account is not None and ctx.account.can_change
    return {
        "intro": intro,
        "target": target,
        "target_name": (target.name if target is not None else "—"),
        "place": (f"{consultation.prefecture or ''}{consultation.municipality or ''}" if consultation else ""),
        "requester": f"{intro.requester_platform}:{intro.requester_id}" if can_see else ctx.t("common.masked"),
        "contact": (target.contact if can_see and target is not None and intro.state in ("accepted", "completed")
                    else None),
        "feedback": feedback.feedback_of(intro),
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


def _intro_page(ctx: Ctx, intro_id: int, *, status: int = 200, problems: list[str] | None = None) -> Response:
    with ctx.web.db.session() as session:
        row = _row(ctx, session, intros.get(session, intro_id))
        candidates = {kind: [(r.ext_id, r.name) for r in curation.list_records(session, kind, status=status_of)]
                      for kind, status_of in (("advisor", "active"), ("engineer", "discoverable"))}
    return ctx.render("admin/intro.html", status=status, row=row, problems=problems or [], candidates=candidates,
                      done=ctx.query("done"))


@page(role="viewer")
def intro_page(ctx: Ctx) -> Response:
    return _intro_page(ctx, path_number(ctx, "number"))


@page(role="secretariat")
def intro_action(ctx: Ctx) -> Response:
    intro_id, action = path_number(ctx, "number"), ctx.value("action")
    if action not in ACTIONS:
        return _intro_page(ctx, intro_id, status=400, problems=[ctx.t("intros.bad_action")])
    try:
        with ctx.web.db.session() as session:
            ACTIONS[action](session, intro_id, actor=ctx.actor)
    except ConflictError as exc:
        return _intro_page(ctx, intro_id, status=409, problems=[str(exc)])
    return ctx.redirect(f"/admin/intros/{intro_id}", done=action)


@page(role="secretariat")
def intro_reassign(ctx: Ctx) -> Response:
    intro_id = path_number(ctx, "number")
    kind, target = ctx.value("target_kind"), ctx.value("target")
    if kind not in ("advisor", "engineer") or not target:
        return _intro_page(ctx, intro_id, status=400, problems=[ctx.t("intros.choose_target")])
    try:
        with ctx.web.db.session() as session:
            row = curation.find(session, kind, target[:64])
            new = intros.reassign(session, intro_id, target_kind=kind, target_id=row.id, actor=ctx.actor)
            new_id = new.id
    except (ConflictError, NotFound) as exc:
        return _intro_page(ctx, intro_id, status=409, problems=[str(exc)])
    return ctx.redirect(f"/admin/intros/{new_id}", done="reassigned")


@page(role="secretariat")
def intro_feedback(ctx: Ctx) -> Response:
    intro_id, side = path_number(ctx, "number"), ctx.value("side")
    rating = form_number(ctx, "rating")
    if side not in ("requester", "target") or (ctx.value("rating") and rating is None):
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
