"""Console: review queues — submitted trainings and visits, supporter applications, new hosts —
and the mail outbox. A supporter applicant hears the decision through the engine's notice (in chat when
their contact is a chat user, else the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session
from starlette.responses import Response
from starlette.routing import Route

from bot.dialogue.replies import Notice
from bot.secretariat import outbox, submissions, supporters, visits
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.routes.common import directory, path_number
from knowledge.errors import ConflictError, ValidationFailed


class PageFor(Protocol):
    def __call__(self, ctx: Ctx, number: int, *, status: int = 200, problems: list[str] | None = None) -> Response: ...


@page(role="viewer")
def queues(ctx: Ctx) -> Response:
    with ctx.web.db.session() as session:
        pending_submissions = submissions.list_submissions(session)
        pending_applications = supporters.list_applications(session)
        pending_hosts = visits.list_hosts(session, status="pending")
        for host in pending_hosts:
            list(host.dates)
    return ctx.render("admin/queues.html", submissions=pending_submissions, applications=pending_applications,
                      hosts=pending_hosts)


def _submission_page(ctx: Ctx, number: int, *, status: int = 200, problems: list[str] | None = None) -> Response:
    with ctx.web.db.session() as session:
        submission = submissions.get(session, number)
    return ctx.render("admin/submission.html", status=status, s=submission, problems=problems or [])


@page(role="viewer")
def submission(ctx: Ctx) -> Response:
    return _submission_page(ctx, path_number(ctx, "number"))


def _decide(ctx: Ctx, number: int, decide: Callable[[Session], Any], *, again: PageFor, notice: str,
            then: Callable[[Any], str]) -> Response:
    """One review decision: ``decide`` in a session (returns what ``then`` needs for the redirect); a refused
    decision shows the item again with its problems (400) or the conflict (409); a taken one is told to the
    person it concerns through the engine's notice."""
    try:
        with ctx.web.db.session() as session:
            result = decide(session)
    except ValidationFailed as exc:
        return again(ctx, number, status=400, problems=exc.problems)
    except ConflictError as exc:
        return again(ctx, number, status=409, problems=[str(exc)])
    deliver.notify(ctx.web, [Notice(notice, number)])
    return ctx.redirect(then(result), done=notice.rsplit("_", 1)[1])


@page(role="secretariat")
def submission_approve(ctx: Ctx) -> Response:
    number = path_number(ctx, "number")
    return _decide(ctx, number, lambda session: submissions.approve(
        session, number, actor=ctx.actor, directory=directory(ctx, session)).ext_id,
        again=_submission_page, notice="submission_approved", then=lambda ext_id: f"/admin/records/training/{ext_id}")


@page(role="secretariat")
def submission_reject(ctx: Ctx) -> Response:
    number = path_number(ctx, "number")
    return _decide(ctx, number, lambda session: submissions.reject(
        session, number, reason=ctx.value("reason"), actor=ctx.actor),
        again=_submission_page, notice="submission_rejected", then=lambda _: "/admin/queues")


def _application_page(ctx: Ctx, number: int, *, status: int = 200, problems: list[str] | None = None) -> Response:
    with ctx.web.db.session() as session:
        application = supporters.get(session, number)
    return ctx.render("admin/application.html", status=status, a=application, problems=problems or [])


@page(role="viewer")
def application(ctx: Ctx) -> Response:
    return _application_page(ctx, path_number(ctx, "number"))


@page(role="secretariat")
def application_certify(ctx: Ctx) -> Response:
    number = path_number(ctx, "number")
    return _decide(ctx, number, lambda session: supporters.certify(
        session, number, actor=ctx.actor, directory=directory(ctx, session), advisor_id=ctx.value("advisor_id")).ext_id,
        again=_application_page, notice="supporter_certified", then=lambda ext_id: f"/admin/records/advisor/{ext_id}")


@page(role="secretariat")
def application_reject(ctx: Ctx) -> Response:
    number = path_number(ctx, "number")
    return _decide(ctx, number, lambda session: supporters.reject(
        session, number, reason=ctx.value("reason"), actor=ctx.actor),
        again=_application_page, notice="supporter_rejected", then=lambda _: "/admin/queues")


@page(role="viewer")
def outbox_page(ctx: Ctx) -> Response:
    with ctx.web.db.session() as session:
        waiting, sent = outbox.pending(session), outbox.recent_sent(session)
    return ctx.render("admin/outbox.html", waiting=waiting, sent=sent, done=ctx.query("done"))


@page(role="secretariat")
def outbox_sent(ctx: Ctx) -> Response:
    number = path_number(ctx, "number")
    try:
        with ctx.web.db.session() as session:
            outbox.mark_sent(session, number, actor=ctx.actor)
    except ConflictError:
        pass   # marked by someone else meanwhile: the list shows it as sent
    return ctx.redirect("/admin/outbox", done="sent")


ROUTES = [
    Route("/admin/queues", queues, methods=["GET"]),
    Route("/admin/submissions/{number}", submission, methods=["GET"]),
    Route("/admin/submissions/{number}/approve", submission_approve, methods=["POST"]),
    Route("/admin/submissions/{number}/reject", submission_reject, methods=["POST"]),
    Route("/admin/applications/{number}", application, methods=["GET"]),
    Route("/admin/applications/{number}/certify", application_certify, methods=["POST"]),
    Route("/admin/applications/{number}/reject", application_reject, methods=["POST"]),
    Route("/admin/outbox", outbox_page, methods=["GET"]),
    Route("/admin/outbox/{number}/sent", outbox_sent, methods=["POST"]),
]
