"""Console: a group's new-technology events (新技術の束) — create one (technologies, date, online URL or
venue), its page with the RSVPs and the vendors' answers, invitations (carried by the relay: members
in chat, vendors by mail through the outbox) and an RSVP received by mail or phone.

The same functions as `gunmane events …` (bot.secretariat.events), with the account as actor. Only
members who accepted the group are ever invited (the service's rule); a vendor's contact is shown once
the vendor accepted, and to the ``secretariat`` role only.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.responses import Response
from starlette.routing import Route

from bot.relay import group_jobs
from bot.secretariat import events as group_events
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.routes.admin_groups import _group_page, reached
from bot.web.routes.common import path_number
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed

MAX_TECH_REFS = group_events.MAX_TECHS


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        return None


@page(role="secretariat")
def event_create(ctx: Ctx) -> Response:
    """`gunmane events create --group G --tech T … --date D --online URL | --venue TEXT`."""
    group_id = path_number(ctx, "number")
    techs = ctx.values("tech") + [t for t in re.split(r"[\s,、，]+", ctx.value("other_techs")) if t]
    techs = list(dict.fromkeys(t.strip() for t in techs))[:MAX_TECH_REFS + 1]
    values = {"date": ctx.value("date"), "online": ctx.value("online"), "venue": ctx.value("venue"),
              "other_techs": ctx.value("other_techs")}
    day = _day(values["date"])
    problems = [] if day is not None else [ctx.t("events.bad_date")]
    if not techs:
        problems.append(ctx.t("events.choose_tech"))
    if problems or day is None:
        return _group_page(ctx, group_id, status=400, problems=problems, values={**values, "tech": techs})
    try:
        with ctx.web.db.session() as session:
            event = group_events.create_event(session, group_id, techs, day,
                                              online_url=values["online"].strip() or None,
                                              venue=values["venue"].strip() or None, actor=ctx.actor)
            event_id = event.id
    except (ValidationFailed, NotFound, ConflictError) as exc:
        found = exc.problems if isinstance(exc, ValidationFailed) else [str(exc)]
        return _group_page(ctx, group_id, status=400, problems=[p.removeprefix("--") for p in found],
                           values={**values, "tech": techs})
    return ctx.redirect(f"/admin/events/{event_id}", done="event_created")


def _event_page(ctx: Ctx, event_id: int, *, status: int = 200, problems: list[str] | None = None) -> Response:
    with ctx.web.db.session() as session:
        view = group_events.event_view(session, event_id)
        history = [(e, e.before, e.after) for e in audit.history(session, kind=group_events.KIND,
                                                                  record_id=str(event_id))]
    return ctx.render("admin/event.html", status=status, event=view, history=history, problems=problems or [],
                      done=ctx.query("done"), sent=ctx.query("sent"), queued=ctx.query("outbox"))


@page(role="viewer")
def event_page(ctx: Ctx) -> Response:
    return _event_page(ctx, path_number(ctx, "number"))


@page(role="secretariat")
def event_invite(ctx: Ctx) -> Response:
    """`gunmane events invite ID`: members who accepted the group (chat, else mail) and vendors (mail)."""
    event_id = path_number(ctx, "number")
    _, report = group_jobs.send_event_invitations(ctx.web.db, deliver.senders(ctx.web), event_id, actor=ctx.actor)
    deliver.queue_undelivered(ctx.web, report.outbox)
    done = "event_invited" if report.sent or report.outbox else "event_invited_none"
    return ctx.redirect(f"/admin/events/{event_id}", done=done, **reached(report))


@page(role="secretariat")
def event_rsvp(ctx: Ctx) -> Response:
    """`gunmane events rsvp ID MEMBER --attend|--decline`: an answer received by mail or phone."""
    event_id, answer = path_number(ctx, "number"), ctx.value("rsvp")
    member = ctx.value("member").strip()
    if answer not in ("attend", "decline") or not member.isdigit():
        return _event_page(ctx, event_id, status=400, problems=[ctx.t("events.bad_rsvp")])
    try:
        with ctx.web.db.session() as session:
            group_events.record_rsvp(session, event_id, member, attending=answer == "attend", actor=ctx.actor)
    except (ValidationFailed, ConflictError, NotFound) as exc:
        found = exc.problems if isinstance(exc, ValidationFailed) else [str(exc)]
        return _event_page(ctx, event_id, status=409, problems=found)
    return ctx.redirect(f"/admin/events/{event_id}", done="event_rsvp")


ROUTES = [
    Route("/admin/groups/{number}/events", event_create, methods=["POST"]),
    Route("/admin/events/{number}", event_page, methods=["GET"]),
    Route("/admin/events/{number}/invite", event_invite, methods=["POST"]),
    Route("/admin/events/{number}/rsvp", event_rsvp, methods=["POST"]),
]
