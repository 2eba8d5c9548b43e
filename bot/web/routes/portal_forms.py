"""Portal forms: an organiser submits a training or site visit; a 群マネサポーター applies."""

from __future__ import annotations

from dataclasses import replace

from starlette.responses import Response
from starlette.routing import Route

from bot.secretariat import submissions, supporters
from bot.web.context import Ctx, page
from bot.web.record_forms import Widget, data_from_form, posted_values, problems_by_field, widgets
from bot.web.routes.common import directory
from knowledge.errors import ValidationFailed

SUBMIT_SKIP = ("id",)
APPLY_SKIP = ("id", "status")


def _apply_widgets() -> list[Widget]:
    """The advisor's fields; the contact is required of an applicant (the outcome is told there)."""
    return [replace(w, required=True) if w.name == "contact" else w for w in widgets("advisor", skip=APPLY_SKIP)]


@page()
def submit_form(ctx: Ctx) -> Response:
    return ctx.render("submit.html", widgets=widgets("training", skip=SUBMIT_SKIP), values={}, problems={})


@page()
def submit_post(ctx: Ctx) -> Response:
    data = data_from_form("training", ctx, skip=SUBMIT_SKIP)
    try:
        with ctx.web.db.session() as session:
            submission = submissions.submit(session, data, submitter_name=ctx.value("submitter_name"),
                                            submitter_contact=ctx.value("submitter_contact"),
                                            directory=directory(ctx, session), actor=ctx.actor)
            number = submission.id
    except ValidationFailed as exc:
        values = {**posted_values("training", ctx, skip=SUBMIT_SKIP),
                  "submitter_name": ctx.value("submitter_name"), "submitter_contact": ctx.value("submitter_contact")}
        return ctx.render("submit.html", status=400, widgets=widgets("training", skip=SUBMIT_SKIP), values=values,
                          problems=problems_by_field(exc.problems))
    return ctx.render("done.html", heading=ctx.t("submit.done_heading"),
                      message=ctx.t("submit.done_text", number=number))


@page()
def apply_form(ctx: Ctx) -> Response:
    return ctx.render("apply.html", widgets=_apply_widgets(), values={}, problems={})


@page()
def apply_post(ctx: Ctx) -> Response:
    data = data_from_form("advisor", ctx, skip=APPLY_SKIP)
    consents = {"consent_recommend": ctx.value("consent_recommend") == "yes",
                "consent_contact": ctx.value("consent_contact") == "yes"}
    try:
        with ctx.web.db.session() as session:
            application = supporters.apply(session, data, directory=directory(ctx, session), actor=ctx.actor,
                                           **consents)
            number = application.id
    except ValidationFailed as exc:
        values = {**posted_values("advisor", ctx, skip=APPLY_SKIP), **{k: "yes" if v else "" for k, v in
                                                                        consents.items()}}
        return ctx.render("apply.html", status=400, widgets=_apply_widgets(), values=values,
                          problems=problems_by_field(exc.problems))
    return ctx.render("done.html", heading=ctx.t("apply.done_heading"), message=ctx.t("apply.done_text",
                                                                                       number=number))


ROUTES = [
    Route("/submit", submit_form, methods=["GET"]),
    Route("/submit", submit_post, methods=["POST"]),
    Route("/apply", apply_form, methods=["GET"]),
    Route("/apply", apply_post, methods=["POST"]),
]
