"""Console: groups (群) — the suggestions, a group made from one, its members and their consent
state, invitations, the technologies ranked for the group and its new-technology events.

Thin, and the same as `gunmane groups …`: each action is the service function the CLI calls
(bot.secretariat.groups, group_consent, group_techs), with the account as actor (the audit log
records it). The secretariat's view shows bodies and their states, never a person: who is behind a
body is shown to nobody here (members who accepted see each other in chat, not in the console).
Invitations are carried by the relay as the other notices are (chat, else the mail outbox).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from bot.relay import group_jobs
from bot.relay.dispatch import DeliveryReport
from bot.secretariat import events as group_events
from bot.secretariat import group_techs, groups
from bot.web import deliver
from bot.web.context import Ctx, page
from bot.web.routes.common import path_number, prefectures
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import GROUP_MEMBER_STATES, GroupSuggestion, TechEvent
from matching.groups import Params

SUGGESTION_ID = re.compile(r"^sg-[0-9a-f]{1,13}$")
TECHS_SHOWN = 5
MAX_CONSULTATION_REFS = 50


def _suggestions(session: Any) -> list[dict[str, Any]]:
    rows = session.scalars(select(GroupSuggestion).order_by(GroupSuggestion.computed_at.desc(), GroupSuggestion.id))
    return [{**row.data, "computed_at": row.computed_at} for row in rows]


def _list_page(ctx: Ctx, *, status: int = 200, problems: list[str] | None = None, name: str = "",
               chosen: str = "") -> Response:
    with ctx.web.db.session() as session:
        views = [groups.group_view(session, g) for g in groups.list_groups(session)]
        suggestions = _suggestions(session)
    return ctx.render("admin/groups.html", status=status, groups=views, suggestions=suggestions,
                      problems=problems or [], name=name, chosen=chosen, done=ctx.query("done"))


@page(role="viewer")
def groups_page(ctx: Ctx) -> Response:
    return _list_page(ctx)


@page(role="secretariat")
def groups_suggest(ctx: Ctx) -> Response:
    """`gunmane groups suggest` with its defaults: the suggestions are computed and kept by id."""
    found = groups.suggest(ctx.web.db, ctx.web.matcher.embedder, Params())
    return ctx.redirect("/admin/groups", done="groups_suggested" if found else "groups_none")


@page(role="secretariat")
def groups_create(ctx: Ctx) -> Response:
    """`gunmane groups create --from SUGGESTION --name NAME`."""
    suggestion, name = ctx.value("suggestion").strip(), ctx.value("name")
    if not SUGGESTION_ID.match(suggestion):
        return _list_page(ctx, status=400, problems=[ctx.t("groups.choose_suggestion")], name=name)
    try:
        with ctx.web.db.session() as session:
            group = groups.create_group(session, suggestion, name=name, actor=ctx.actor)
            group_id = group.id
    except ValidationFailed as exc:
        return _list_page(ctx, status=400, problems=[p.removeprefix("--") for p in exc.problems], name=name,
                          chosen=suggestion)
    except NotFound as exc:
        return _list_page(ctx, status=404, problems=[str(exc)], name=name)
    return ctx.redirect(f"/admin/groups/{group_id}", done="group_created")


def _techs(ctx: Ctx, group_id: int) -> list[Any]:
    """The technologies ranked for the group's combined need (`gunmane groups techs GROUP`)."""
    try:
        need = group_techs.group_need(ctx.web.db, str(group_id))
    except NotFound:
        return []    # no consultation left to rank for: the page says so
    return group_techs.rank_for_group(ctx.web.matcher, need, top=TECHS_SHOWN)


def _group_page(ctx: Ctx, group_id: int, *, status: int = 200, problems: list[str] | None = None,
                values: dict[str, Any] | None = None) -> Response:
    with ctx.web.db.session() as session:
        view = groups.group_view(session, groups.get_group(session, group_id))
        event_rows = list(session.scalars(select(TechEvent).where(TechEvent.group_id == group_id)
                                          .order_by(TechEvent.held_on, TechEvent.id)))
        event_views = [group_events.event_view(session, e.id) for e in event_rows]
        history = [(e, e.before, e.after) for e in audit.history(session, kind=groups.KIND, record_id=str(group_id))]
    counts = {state: sum(m["state"] == state for m in view["members"]) for state in GROUP_MEMBER_STATES}
    return ctx.render("admin/group.html", status=status, group=view, counts=counts, techs=_techs(ctx, group_id),
                      events=event_views, history=history, problems=problems or [], values=values or {},
                      prefectures=prefectures(), done=ctx.query("done"), sent=ctx.query("sent"),
                      queued=ctx.query("outbox"))


@page(role="viewer")
def group_page(ctx: Ctx) -> Response:
    return _group_page(ctx, path_number(ctx, "number"))


def _refused(ctx: Ctx, group_id: int, exc: Exception, values: dict[str, Any] | None = None) -> Response:
    if isinstance(exc, ValidationFailed):
        return _group_page(ctx, group_id, status=400, problems=[p.removeprefix("--") for p in exc.problems],
                           values=values)
    return _group_page(ctx, group_id, status=409, problems=[str(exc)], values=values)


@page(role="secretariat")
def group_rename(ctx: Ctx) -> Response:
    group_id = path_number(ctx, "number")
    try:
        with ctx.web.db.session() as session:
            groups.rename_group(session, group_id, ctx.value("name"), actor=ctx.actor)
    except (ValidationFailed, ConflictError) as exc:
        return _refused(ctx, group_id, exc)
    return ctx.redirect(f"/admin/groups/{group_id}", done="group_renamed")


@page(role="secretariat")
def member_add(ctx: Ctx) -> Response:
    """`gunmane groups add-member GROUP -p PREF -m MUNI -c ID …` (ids separated by spaces or commas)."""
    group_id = path_number(ctx, "number")
    values = {name: ctx.value(name) for name in ("prefecture", "municipality", "consultations")}
    refs = [r for r in re.split(r"[\s,、，]+", values["consultations"]) if r][:MAX_CONSULTATION_REFS]
    try:
        with ctx.web.db.session() as session:
            groups.add_member(session, group_id, prefecture=values["prefecture"],
                              municipality=values["municipality"].strip() or values["prefecture"],
                              consultations=refs, actor=ctx.actor)
    except (ValidationFailed, ConflictError, NotFound) as exc:
        return _refused(ctx, group_id, exc, values)
    return ctx.redirect(f"/admin/groups/{group_id}", done="member_added")


@page(role="secretariat")
def member_remove(ctx: Ctx) -> Response:
    group_id, member_id = path_number(ctx, "number"), path_number(ctx, "member")
    try:
        with ctx.web.db.session() as session:
            groups.remove_member(session, group_id, str(member_id), actor=ctx.actor)
    except NotFound as exc:
        return _group_page(ctx, group_id, status=404, problems=[str(exc)])
    return ctx.redirect(f"/admin/groups/{group_id}", done="member_removed")


def send_group_invitations(ctx: Ctx, group_id: int) -> DeliveryReport:
    """`gunmane groups invite GROUP`: the relay's own function (each engineer in chat, else by mail); what chat
    missed is queued in the mail outbox. The one place the console sends group invitations."""
    _, report = group_jobs.send_group_invitations(ctx.web.db, deliver.senders(ctx.web), group_id, actor=ctx.actor)
    deliver.queue_undelivered(ctx.web, report.outbox)
    return report


def reached(report: DeliveryReport) -> dict[str, int | None]:
    """The redirect's counts: deliveries in chat to people (not the secretariat's notes), people left to mail."""
    return {"sent": sum(d.role != "secretariat" for d in report.sent) or None,
            "outbox": sum(len(e.recipients) for e in report.outbox) or None}


@page(role="secretariat")
def group_invite(ctx: Ctx) -> Response:
    group_id = path_number(ctx, "number")
    report = send_group_invitations(ctx, group_id)
    done = "group_invited" if report.sent or report.outbox else "group_invited_none"
    return ctx.redirect(f"/admin/groups/{group_id}", done=done, **reached(report))


@page(role="secretariat")
def member_answer(ctx: Ctx) -> Response:
    """`gunmane groups answer GROUP MEMBER --accept|--decline [--who CONSULTATION]`: an answer received by mail or
    phone, then told as a chat answer would be (the members who accepted hear of each other)."""
    group_id, member_id = path_number(ctx, "number"), path_number(ctx, "member")
    answer, who = ctx.value("answer"), ctx.value("who").strip()[:64]
    try:
        person = None
        if who:
            with ctx.web.db.session() as session:
                found = groups.find_consultation(session, who)
                if found is None:
                    raise ValidationFailed([f"who: no consultation {who[:40]!r}; choose one of the body's"])
                person = found.id
        _, report = group_jobs.answer_group_invitation(ctx.web.db, deliver.senders(ctx.web), group_id,
                                                       str(member_id), answer, actor=ctx.actor, person=person)
    except (ValidationFailed, ConflictError, NotFound) as exc:
        return _refused(ctx, group_id, exc)
    deliver.queue_undelivered(ctx.web, report.outbox)
    return ctx.redirect(f"/admin/groups/{group_id}", done="member_answered", **reached(report))


ROUTES = [
    Route("/admin/groups", groups_page, methods=["GET"]),
    Route("/admin/groups/suggest", groups_suggest, methods=["POST"]),
    Route("/admin/groups/create", groups_create, methods=["POST"]),
    Route("/admin/groups/{number}", group_page, methods=["GET"]),
    Route("/admin/groups/{number}/rename", group_rename, methods=["POST"]),
    Route("/admin/groups/{number}/members", member_add, methods=["POST"]),
    Route("/admin/groups/{number}/members/{member}/remove", member_remove, methods=["POST"]),
    Route("/admin/groups/{number}/members/{member}/answer", member_answer, methods=["POST"]),
    Route("/admin/groups/{number}/invite", group_invite, methods=["POST"]),
]
