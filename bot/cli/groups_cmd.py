"""`gunmane groups …` and `gunmane events …`: groups of municipalities and new-technology events.

Thin: parse, call bot.secretariat.groups / group_consent / group_techs / events, print.
Every change is made under ``--by`` (default ``cli:<login>``), which the audit log records.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer

from bot.cli.common import database, handle_errors
from bot.cli.data_cmd import default_actor
from bot.cli.outbox import print_outbox
from bot.dialogue.replies import Notice
from bot.relay.dispatch import DeliveryReport
from knowledge.errors import ValidationFailed

groups_app = typer.Typer(
    help="群: 共通の課題を持つ近隣自治体のグループ (suggest, create, members, invitations, techs).",
    no_args_is_help=True,
)
events_app = typer.Typer(help="新技術の束: グループ向けの新技術説明会 (create, show, answers).", no_args_is_help=True)
By = typer.Option(None, "--by", help="Who makes the change (recorded in the audit log); default cli:<login>.")
CONSULTATIONS = typer.Option([], "--consultation", "-c", help="The body's consultation id; repeat.")
TECHS = typer.Option(..., "--tech", help="A technology id to present; repeat.")
AS_JSON = typer.Option(False, "--json")
GROUP = typer.Argument(..., metavar="GROUP")
MEMBER = typer.Argument(..., metavar="MEMBER")
EVENT = typer.Argument(..., metavar="ID")


def _actor(by: str | None) -> str:
    return by or default_actor()


def _date(value: str, option: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        problem = f"{option}: {value[:40]!r} is not a date; write YYYY-MM-DD (e.g. 2027-04-01)"
        raise ValidationFailed([problem]) from None


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


# ---------------------------------------------------------------- suggestions and groups


@groups_app.command("suggest")
@handle_errors
def suggest_cmd(
    since: str | None = typer.Option(None, "--since", help="Only consultations from this date (YYYY-MM-DD)."),
    max_km: float = typer.Option(60.0, "--max-km", help="Largest distance between any two members (km)."),
    min_size: int = typer.Option(3, "--min-size", help="Fewest bodies in a group."),
    max_size: int = typer.Option(8, "--max-size", help="Most bodies in a group."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line (data-format contract)."),
    method: str = typer.Option("cpsat", "--method", help="cpsat (default), louvain or greedy — for comparisons."),
    similarity: str = typer.Option("hybrid", "--similarity", help="hybrid (default), codes or embedding."),
) -> None:
    """Suggest groups of nearby bodies that share a need (field × process), best first."""
    from bot.secretariat.groups import suggest
    from matching.embedders import make_embedder
    from matching.groups import Params

    params = Params(max_km=max_km, min_size=min_size, max_size=max_size, method=method,  # type: ignore[arg-type]
                    similarity=similarity)  # type: ignore[arg-type]
    problems = params.problems()
    if problems:
        raise ValidationFailed(problems)
    since_date = _date(since, "--since") if since else None
    with database("groups suggest") as (cfg, db):
        embedder = make_embedder(cfg) if similarity != "codes" else None
        suggestions = suggest(db, embedder, params, since=since_date)
    if as_json:
        for suggestion in suggestions:
            _echo_json(suggestion.to_json())
        return
    if not suggestions:
        typer.echo("No groups to suggest: no bodies within reach share a need (see --max-km, --min-size).")
    for s in suggestions:
        typer.echo(f"{s.id}  {len(s.members)} bodies, ≤{s.max_distance_km:.0f} km  {s.why}")
        for member in s.members:
            typer.echo(f"    {member.body.prefecture}{member.body.municipality}: {', '.join(member.consultation_refs)}")
        for scheme in s.schemes:
            typer.echo(f"    [{scheme.code}] {scheme.why}")


@groups_app.command("create")
@handle_errors
def create_cmd(
    suggestion: str = typer.Option(..., "--from", help="A suggestion id (sg-…) from `gunmane groups suggest`."),
    name: str = typer.Option(..., "--name", help="The group's name, e.g. 宇陀エリア橋梁点検."),
    by: str | None = By,
) -> None:
    """Turn a suggestion into a group (its members start as not invited)."""
    from bot.secretariat.groups import create_group

    with database("groups create") as (_, db), db.session() as session:
        group = create_group(session, suggestion, name=name, actor=_actor(by))
        typer.echo(f"Created group {group.id} 「{group.name}」 with {len(group.members)} members.")


@groups_app.command("add-member")
@handle_errors
def add_member_cmd(
    group_id: str = GROUP,
    prefecture: str = typer.Option(..., "--prefecture", "-p"),
    municipality: str | None = typer.Option(None, "--municipality", "-m", help="Omit for prefectural staff."),
    consultations: list[str] = CONSULTATIONS,
    by: str | None = By,
) -> None:
    """Add a body to a group, with its consultations."""
    from bot.secretariat.groups import add_member

    with database("groups add-member") as (_, db), db.session() as session:
        member = add_member(session, group_id, prefecture=prefecture, municipality=municipality or prefecture,
                            consultations=consultations, actor=_actor(by))
        typer.echo(f"Added member {member.id} ({member.prefecture}{member.municipality}) to group {group_id}.")


@groups_app.command("remove-member")
@handle_errors
def remove_member_cmd(group_id: str = GROUP,
                      member: str = typer.Argument(..., metavar="MEMBER", help="Member id or body name."),
                      by: str | None = By) -> None:
    """Remove a body from a group."""
    from bot.secretariat.groups import remove_member

    with database("groups remove-member") as (_, db), db.session() as session:
        remove_member(session, group_id, member, actor=_actor(by))
    typer.echo(f"Removed {member} from group {group_id}.")


@groups_app.command("rename")
@handle_errors
def rename_cmd(group_id: str = GROUP, name: str = typer.Option(..., "--name"),
               by: str | None = By) -> None:
    """Rename a group."""
    from bot.secretariat.groups import rename_group

    with database("groups rename") as (_, db), db.session() as session:
        group = rename_group(session, group_id, name, actor=_actor(by))
        typer.echo(f"Group {group.id} is now 「{group.name}」.")


@groups_app.command("list")
@handle_errors
def list_cmd(as_json: bool = AS_JSON) -> None:
    """List the groups with their members' invitation states."""
    from bot.secretariat.groups import group_view, list_groups

    with database("groups list") as (_, db), db.session() as session:
        views = [group_view(session, g) for g in list_groups(session)]
    if as_json:
        for view in views:
            _echo_json(view)
        return
    if not views:
        typer.echo("No groups yet. `gunmane groups suggest`, then `gunmane groups create --from ID --name …`.")
    for view in views:
        states = ", ".join(f"{m['municipality']}:{m['state']}" for m in view["members"])
        typer.echo(f"{view['id']:>4}  {view['name']}  ({states})")


@groups_app.command("show")
@handle_errors
def show_cmd(group_id: str = GROUP, as_json: bool = AS_JSON) -> None:
    """Show one group: need, reason, schemes, members and their invitation states (no contacts)."""
    from bot.secretariat.groups import get_group, group_view

    with database("groups show") as (_, db), db.session() as session:
        view = group_view(session, get_group(session, group_id))
    if as_json:
        _echo_json(view)
        return
    typer.echo(f"group {view['id']}: {view['name']} (from {view['suggestion'] or '—'})")
    typer.echo(f"  need: {', '.join(view['fields'])} × {', '.join(view['processes'])}")
    typer.echo(f"  why: {view['why']}")
    for scheme in view["schemes"]:
        typer.echo(f"  [{scheme['code']}] {scheme['why']}")
    for m in view["members"]:
        typer.echo(f"  member {m['id']}: {m['prefecture']}{m['municipality']}  {m['state']}  "
                   f"consultations: {', '.join(m['consultations'])}")


@groups_app.command("techs")
@handle_errors
def techs_cmd(
    target: str = typer.Argument(..., metavar="GROUP_OR_SUGGESTION_ID"),
    top: int = typer.Option(5, "--top", "-n", min=1, max=100),
    as_json: bool = typer.Option(False, "--json", help="The match --json shape with kind technology."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid (default), dense or lexical — for comparisons."),
) -> None:
    """Technologies ranked for the group's combined need, each with its reason."""
    from bot.secretariat.group_techs import group_need, output_object, rank_for_group
    from matching.embedders import make_embedder
    from matching.engine import MODES, Matcher

    if mode not in MODES:
        raise ValidationFailed([f"--mode: {mode!r} is not known; use one of {', '.join(MODES)}"])
    with database("groups techs") as (cfg, db):
        need = group_need(db, target)
        results = rank_for_group(Matcher(db, make_embedder(cfg), cfg), need, top=top, mode=mode)
    if as_json:
        _echo_json(output_object(need, results))
        return
    if not results:
        typer.echo("新技術: 該当なし (no active technology matched).")
    for rank, r in enumerate(results, start=1):
        typer.echo(f"{rank}. {r.id}  {r.title}  {r.score:.3f}  {r.why}")


def _reach(report: DeliveryReport, subject_id: int, event: str) -> tuple[int, int]:
    """How many of one notice's deliveries reached chat, and how many wait in the outbox."""
    sent = sum(1 for d in report.sent if d.notice == Notice(event, subject_id) and d.role != "secretariat")
    mail = sum(1 for e in report.outbox if e.delivery.notice == Notice(event, subject_id))
    return sent, mail


def _summary(report: DeliveryReport) -> None:
    typer.echo(f"{sum(d.role != 'secretariat' for d in report.sent)} delivered in chat, {len(report.outbox)} for the "
               "secretariat to send by mail" + (":" if report.outbox or report.notes else "."))
    print_outbox(report)


@groups_app.command("invite")
@handle_errors
def invite_cmd(group_id: str = GROUP, by: str | None = By,
               as_json: bool = AS_JSON) -> None:
    """Invite the members not invited yet: each engineer gets the invitation in chat (Slack, Teams, LINE WORKS) or
    by mail (the outbox, printed here); it names the nearby bodies sharing the need, never people."""
    from bot.relay.group_jobs import send_group_invitations
    from bot.relay.senders import configured_senders

    with database("groups invite") as (cfg, db):
        invitations, report = send_group_invitations(db, configured_senders(cfg, db), group_id, actor=_actor(by))
    for inv in invitations:
        chat, mail = _reach(report, inv.member_id, "group_invitation")
        if as_json:
            _echo_json({"member": inv.member_id, "body": inv.body, "other_bodies": list(inv.other_bodies),
                        "engineers": len(inv.recipients), "in_chat": chat, "by_mail": mail, "text": inv.text,
                        "choices": [c for c, _ in inv.choices]})
        else:
            typer.echo(f"member {inv.member_id} {inv.body}: {chat} in chat, {mail} by mail")
    if as_json:
        return
    if not invitations:
        typer.echo("Every member was already invited.")
        return
    _summary(report)


@groups_app.command("answer")
@handle_errors
def answer_cmd(group_id: str = GROUP, member: str = MEMBER,
               accept: bool = typer.Option(..., "--accept/--decline", help="The member's answer."),
               who: str | None = typer.Option(None, "--who", help="Which engineer answered: one of the body's "
                                              "consultation ids (`groups show`); needed when it has several."),
               by: str | None = By) -> None:
    """Record an answer received by mail or phone; the members who accepted then hear, as after a chat answer."""
    from bot.relay.group_jobs import answer_group_invitation
    from bot.relay.senders import configured_senders
    from bot.secretariat.groups import find_consultation

    with database("groups answer") as (cfg, db):
        person = None
        if who is not None:
            with db.session() as session:
                found = find_consultation(session, who)
                if found is None:
                    raise ValidationFailed([f"--who: no consultation {who[:40]!r}; give an imported id or a stored "
                                            "number from `gunmane groups show`"])
                person = found.id
        state, report = answer_group_invitation(db, configured_senders(cfg, db), group_id, member,
                                                "accept" if accept else "decline", actor=_actor(by), person=person)
    typer.echo(f"{member} of group {group_id} is now {state}.")
    _summary(report)


@groups_app.command("expire")
@handle_errors
def expire_cmd(days: int | None = typer.Option(None, "--days", min=1, max=365,
                                               help="Default: GUNMANE_GROUP_INVITATION_DAYS (14)."),
               by: str | None = typer.Option("system", "--by")) -> None:
    """Invitations nobody answered become no_answer: nobody is shown to the group (cron or job group-expire)."""
    from bot.relay.group_jobs import expire_group_invitations
    from bot.relay.senders import configured_senders

    with database("groups expire") as (cfg, db):
        report = expire_group_invitations(db, cfg, configured_senders(cfg, db), actor=by or "system", days=days)
    typer.echo(f"{len(report.subject_ids)} invitation(s) marked no_answer.")
    print_outbox(report.delivered)


# ---------------------------------------------------------------- events


@events_app.command("create")
@handle_errors
def event_create_cmd(
    group_id: str = typer.Option(..., "--group", help="The group's id."),
    techs: list[str] = TECHS,
    held_on: str = typer.Option(..., "--date", help="YYYY-MM-DD"),
    online: str | None = typer.Option(None, "--online", help="URL of an online event."),
    venue: str | None = typer.Option(None, "--venue", help="Where an in-person event is held."),
    by: str | None = By,
) -> None:
    """Create a new-technology event for a group (online or at a venue)."""
    from bot.secretariat.events import create_event

    day = _date(held_on, "--date")
    with database("events create") as (_, db), db.session() as session:
        event = create_event(session, group_id, techs, day, online_url=online, venue=venue, actor=_actor(by))
        typer.echo(f"Created event {event.id} for group {event.group_id} on {event.held_on.isoformat()} "
                   f"with {len(event.technologies)} technolog{'y' if len(event.technologies) == 1 else 'ies'}.")


@events_app.command("invite")
@handle_errors
def event_invite_cmd(event_id: str = EVENT, by: str | None = By, as_json: bool = AS_JSON) -> None:
    """Invite the members who accepted the group (参加 / 不参加 in chat, or mail) and the vendors (always mail)."""
    from bot.relay.group_jobs import send_event_invitations
    from bot.relay.senders import configured_senders

    with database("events invite") as (cfg, db):
        sent, report = send_event_invitations(db, configured_senders(cfg, db), event_id, actor=_actor(by))
    for inv in sent.members:
        chat, mail = _reach(report, inv.participant_id, "event_invitation")
        if as_json:
            _echo_json({"member": inv.member_id, "body": inv.body, "engineers": len(inv.recipients),
                        "in_chat": chat, "by_mail": mail, "text": inv.text, "choices": [c for c, _ in inv.choices]})
        else:
            typer.echo(f"member {inv.member_id} {inv.body}: {chat} in chat, {mail} by mail")
    for mail_to in sent.vendors:
        if as_json:
            _echo_json({"technology": mail_to.technology, "vendor": mail_to.vendor, "mail": mail_to.address,
                        "text": mail_to.text})
        else:
            typer.echo(f"vendor of {mail_to.technology}: by mail")
    if as_json:
        return
    if not (sent.members or sent.vendors):
        typer.echo("Everyone was already invited (only members who accepted the group are invited).")
        return
    _summary(report)


@events_app.command("show")
@handle_errors
def event_show_cmd(event_id: str = EVENT, as_json: bool = AS_JSON) -> None:
    """Show an event: technologies (vendor contact once the vendor accepted), RSVPs, adoption answers."""
    from bot.secretariat.events import event_view

    with database("events show") as (_, db), db.session() as session:
        view = event_view(session, event_id)
    if as_json:
        _echo_json(view)
        return
    where = view["online"] or view["venue"]
    typer.echo(f"event {view['id']}: group {view['group']} 「{view['group_name']}」 {view['date']} {where}")
    for t in view["technologies"]:
        typer.echo(f"  {t['id']} {t['name']} ({t['vendor'] or '—'}) vendor: {t['vendor_state']}"
                   f"{' ' + t['contact'] if t['contact'] else ''}  "
                   f"共同導入を検討したい {t['consider']} / 見送る {t['pass']}")
    for p in view["participants"]:
        typer.echo(f"  member {p['member']} {p['body']}: {p['rsvp']}")


@events_app.command("rsvp")
@handle_errors
def event_rsvp_cmd(event_id: str = EVENT, member: str = MEMBER,
                   attend: bool = typer.Option(..., "--attend/--decline", help="参加 / 不参加"),
                   by: str | None = By) -> None:
    """Record a member's RSVP received by mail or phone."""
    from bot.secretariat.events import record_rsvp

    with database("events rsvp") as (_, db), db.session() as session:
        row = record_rsvp(session, event_id, member, attending=attend, actor=_actor(by))
        typer.echo(f"Member {row.member_id}: {row.rsvp}.")


@events_app.command("vendor")
@handle_errors
def event_vendor_cmd(event_id: str = EVENT, tech: str = typer.Argument(..., metavar="TECH"),
                     accept: bool = typer.Option(..., "--accept/--decline"), by: str | None = By) -> None:
    """Record a vendor's answer to the invitation mail."""
    from bot.secretariat.events import record_vendor_answer

    with database("events vendor") as (_, db), db.session() as session:
        row = record_vendor_answer(session, event_id, tech, accept=accept, actor=_actor(by))
        typer.echo(f"Vendor of {tech}: {row.vendor_state}.")


@events_app.command("adoption")
@handle_errors
def event_adoption_cmd(event_id: str = EVENT,
                       member: str = MEMBER,
                       tech: str = typer.Argument(..., metavar="TECH"),
                       consider: bool = typer.Option(..., "--consider/--pass", help="共同導入を検討したい / 見送る"),
                       by: str | None = By) -> None:
    """Record a participant's answer after the event: consider adopting together, or pass."""
    from bot.secretariat.events import record_adoption

    with database("events adoption") as (_, db), db.session() as session:
        row = record_adoption(session, event_id, member, tech, "consider" if consider else "pass", actor=_actor(by))
        typer.echo(f"Member {row.member_id}, {tech}: {row.answer}.")


def register(app: typer.Typer) -> None:
    """Add `gunmane groups …` and `gunmane events …`."""
    app.add_typer(groups_app, name="groups")
    app.add_typer(events_app, name="events")
