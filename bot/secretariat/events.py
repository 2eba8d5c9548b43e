"""New-technology matching events (新技術の束): vendors present to a group, the group may adopt together.

    create_event(session, group_id, ["KT-190018-A"], date(2027, 6, 1), online_url=…, actor=…)
    event_invitations(session, event_id, actor=…)      # what to send: members in chat, vendors by mail
    record_rsvp(session, event_id, member, attending=True, actor=…)           # 参加 / 不参加
    record_vendor_answer(session, event_id, "KT-190018-A", accept=True, actor=…)
    adoption_questions(session, event_id, today=…)     # after the date: ask each participant, per technology
    record_adoption(session, event_id, member, "KT-190018-A", "consider", actor=…)  # 共同導入を検討したい / 見送る

Only members who accepted the group are ever invited (consent first, see
``bot.secretariat.group_consent``). Vendors get their invitation by mail (the outbox: the
secretariat sends it); their contact is shown in ``event_view`` only once they accepted.
Every change writes an audit entry (kind ``event``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.group_consent import Invitee, body_name, invitees
from bot.secretariat.group_people import consenting
from bot.secretariat.groups import find_member, get_group
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import (
    ADOPTION_ANSWERS,
    AdoptionAnswer,
    EventParticipant,
    EventTechnology,
    MunicipalGroup,
    TechEvent,
    Technology,
    utcnow,
)
from matching.documents import labels

KIND = "event"
RSVP_CHOICES = (("attend", "参加"), ("decline", "不参加"))
ADOPTION_CHOICES: tuple[tuple[str, str], ...] = (("consider", "共同導入を検討したい"), ("pass", "見送る"))
MAX_TECHS = 20
_URL = re.compile(r"^https?://[^\s<>\"']{1,2000}$")
AdoptionChoice = Literal["consider", "pass"]


# ---------------------------------------------------------------- creating


def _place_problems(online_url: str | None, venue: str | None) -> list[str]:
    if (online_url is None) == (venue is None):
        return ["--online/--venue: give exactly one: --online URL for an online event or --venue TEXT for a place"]
    if online_url is not None and not _URL.match(online_url.strip()):
        return [f"--online: {online_url[:80]!r} is not a web address; write it as https://…"]
    if venue is not None:
        text = venue.strip()
        if not text:
            return ["--venue: is empty; write where the event is held (e.g. 宇陀市役所 3階会議室)"]
        if len(text) > 500 or "\x00" in text:
            return ["--venue: must be at most 500 characters without NUL characters"]
    return []


def _technologies(session: Session, ext_ids: list[str]) -> list[Technology]:
    problems = []
    if not ext_ids:
        problems.append("--tech: name at least one technology id (`gunmane technology list`)")
    if len(ext_ids) > MAX_TECHS:
        problems.append(f"--tech: {len(ext_ids)} technologies; at most {MAX_TECHS} per event")
    rows: list[Technology] = []
    for ext_id in dict.fromkeys(e.strip() for e in ext_ids):
        row = session.scalar(select(Technology).where(Technology.ext_id == ext_id))
        if row is None:
            problems.append(f"--tech: no technology {ext_id[:80]!r}; `gunmane technology list` shows the ids")
        elif row.status != "active":
            problems.append(f"--tech: {ext_id} is {row.status}; only active technologies can be presented")
        else:
            rows.append(row)
    if problems:
        raise ValidationFailed(problems)
    return rows


def create_event(session: Session, group_id: int | str, tech_ids: list[str], held_on: date, *,
                 online_url: str | None = None, venue: str | None = None, actor: str) -> TechEvent:
    problems = _place_problems(online_url, venue)
    if problems:
        raise ValidationFailed(problems)
    group = get_group(session, group_id)
    techs = _technologies(session, tech_ids)
    event = TechEvent(group_id=group.id, held_on=held_on, online_url=online_url.strip() if online_url else None,
                      venue=venue.strip() if venue else None)
    for position, tech in enumerate(techs):
        event.technologies.append(EventTechnology(technology_id=tech.id, position=position))
    session.add(event)
    session.flush()
    audit.record(session, actor=actor, action="create", kind=KIND, record_id=str(event.id),
                 after={"group": group.id, "date": held_on.isoformat(), "technologies": [t.ext_id for t in techs],
                        "online": event.online_url is not None})
    return event


def get_event(session: Session, event_id: int | str) -> TechEvent:
    text = str(event_id).strip()
    event = session.get(TechEvent, int(text)) if text.isdigit() and len(text) < 12 else None
    if event is None:
        raise NotFound(f"No event {text[:40]!r}. Event ids are numbers; `gunmane events create` prints them.")
    return event


# ---------------------------------------------------------------- invitations


@dataclass(frozen=True)
class MemberEventInvitation:
    event_id: int
    member_id: int
    body: str
    recipients: tuple[Invitee, ...]        # the member's engineers who accepted the group, only
    text: str
    choices: tuple[tuple[str, str], ...] = RSVP_CHOICES
    participant_id: int = 0                # the EventParticipant (the notice ``event_invitation`` is about)


@dataclass(frozen=True)
class VendorMail:
    """For the mail outbox: the secretariat sends it (vendors are not chat users)."""

    event_id: int
    technology: str
    vendor: str | None
    address: str | None        # the vendor's contact (None: none on record, the secretariat must find one)
    text: str
    item_id: int = 0           # the EventTechnology (the notice ``event_vendor_invitation`` is about)


@dataclass(frozen=True)
class EventInvitations:
    members: list[MemberEventInvitation]
    vendors: list[VendorMail]


def _where(event: TechEvent) -> str:
    return f"オンライン({event.online_url})" if event.online_url else f"会場: {event.venue}"


def _need(group: MunicipalGroup) -> str:
    return "・".join(labels(group.fields) + labels(group.processes)) or "共通の課題"


def event_invitations(session: Session, event_id: int | str, *, actor: str,
                      now: datetime | None = None) -> EventInvitations:
    """Invite every accepted member not invited yet, and every vendor not invited yet (idempotent)."""
    event = get_event(session, event_id)
    group = get_group(session, event.group_id)
    now = now or utcnow()
    titles = "・".join(session.get_one(Technology, t.technology_id).name for t in event.technologies)
    existing = {p.member_id: p for p in event.participants}
    members: list[MemberEventInvitation] = []
    for member in group.members:
        if not consenting(session, member):
            continue                       # consent first: only members who accepted the group
        participant = existing.get(member.id)
        if participant is None:
            participant = EventParticipant(member_id=member.id, rsvp="not_invited")
            event.participants.append(participant)
        if participant.rsvp != "not_invited":
            continue
        participant.rsvp, participant.invited_at = "invited", now
        session.flush()
        members.append(MemberEventInvitation(
            event.id, member.id, body_name(member), invitees(consenting(session, member)),
            f"グループ「{group.name}」({_need(group)})向けの新技術説明会のご案内です。{event.held_on.isoformat()} "
            f"{_where(event)}。紹介する技術: {titles}。ご参加いただけますか。", participant_id=participant.id))
    vendors: list[VendorMail] = []
    accepted = sum(m.state == "accepted" for m in group.members)
    prefectures = "・".join(dict.fromkeys(m.prefecture for m in group.members if m.state == "accepted"))
    for item in event.technologies:
        if item.vendor_state != "not_invited":
            continue
        tech = session.get_one(Technology, item.technology_id)
        item.vendor_state, item.invited_at = "invited", now
        vendors.append(VendorMail(
            event.id, tech.ext_id, tech.vendor, tech.contact,
            f"{tech.vendor or 'ご担当者'} 様\n人の群マネ事務局です。{prefectures or '近隣'}の{accepted}団体が"
            f"{_need(group)}について共通の課題を持っています。{event.held_on.isoformat()} {_where(event)} の説明会で"
            f"「{tech.name}」をご紹介いただけませんか。参加の可否をこのメールへの返信でお知らせください。",
            item_id=item.id))
    session.flush()
    audit.record(session, actor=actor, action="invite", kind=KIND, record_id=str(event.id),
                 after={"members": [m.member_id for m in members], "vendors": [v.technology for v in vendors]})
    return EventInvitations(members, vendors)


# ---------------------------------------------------------------- answers


def _participant(session: Session, event: TechEvent, member: int | str) -> EventParticipant:
    group = get_group(session, event.group_id)
    row = find_member(group, member)
    participant = next((p for p in event.participants if p.member_id == row.id), None)
    if participant is None or participant.rsvp == "not_invited":
        raise ConflictError(f"{body_name(row)} has not been invited to event {event.id}; only members who accepted "
                            "the group are invited.")
    return participant


def record_rsvp(session: Session, event_id: int | str, member: int | str, *, attending: bool, actor: str,
                now: datetime | None = None) -> EventParticipant:
    """参加 (attending) or 不参加 (not attending); a later answer replaces an earlier one."""
    event = get_event(session, event_id)
    participant = _participant(session, event, member)
    new = "attending" if attending else "not_attending"
    if participant.rsvp != new:
        before = participant.rsvp
        participant.rsvp, participant.answered_at = new, now or utcnow()
        session.flush()
        audit.record(session, actor=actor, action="rsvp", kind=KIND, record_id=str(event.id),
                     before={"member": participant.member_id, "rsvp": before},
                     after={"member": participant.member_id, "rsvp": new})
    return participant


def _event_technology(session: Session, event: TechEvent, tech_id: str) -> tuple[EventTechnology, Technology]:
    for item in event.technologies:
        tech = session.get_one(Technology, item.technology_id)
        if tech.ext_id == tech_id.strip():
            return item, tech
    shown = ", ".join(session.get_one(Technology, i.technology_id).ext_id for i in event.technologies)
    raise NotFound(f"Technology {tech_id[:80]!r} is not part of event {event.id}; its technologies are: {shown}.")


def record_vendor_answer(session: Session, event_id: int | str, tech_id: str, *, accept: bool, actor: str,
                         now: datetime | None = None) -> EventTechnology:
    event = get_event(session, event_id)
    item, tech = _event_technology(session, event, tech_id)
    if item.vendor_state == "not_invited":
        raise ConflictError(f"The vendor of {tech.ext_id} has not been invited yet.")
    new = "accepted" if accept else "declined"
    if item.vendor_state != new:
        before = item.vendor_state
        item.vendor_state, item.answered_at = new, now or utcnow()
        session.flush()
        audit.record(session, actor=actor, action="vendor_answer", kind=KIND, record_id=str(event.id),
                     before={"technology": tech.ext_id, "state": before},
                     after={"technology": tech.ext_id, "state": new})
    return item


@dataclass(frozen=True)
class AdoptionQuestion:
    event_id: int
    member_id: int
    body: str
    technology: str
    recipients: tuple[Invitee, ...]
    text: str
    choices: tuple[tuple[str, str], ...] = ADOPTION_CHOICES


def adoption_questions(session: Session, event_id: int | str, *, today: date) -> list[AdoptionQuestion]:
    """After the event, per participant who attended and technology not answered yet."""
    event = get_event(session, event_id)
    if today <= event.held_on:
        return []
    group = get_group(session, event.group_id)
    answered = {(a.member_id, a.technology_id) for a in
                session.scalars(select(AdoptionAnswer).where(AdoptionAnswer.event_id == event.id))}
    out = []
    for participant in event.participants:
        if participant.rsvp != "attending":
            continue
        member = find_member(group, participant.member_id)
        for item in event.technologies:
            if (member.id, item.technology_id) in answered:
                continue
            tech = session.get_one(Technology, item.technology_id)
            out.append(AdoptionQuestion(
                event.id, member.id, body_name(member), tech.ext_id, invitees(consenting(session, member)),
                f"{event.held_on.isoformat()}の説明会にご参加いただきありがとうございました。「{tech.name}」を"
                f"グループ「{group.name}」で共同導入することを検討されますか。"))
    return out


def record_adoption(session: Session, event_id: int | str, member: int | str, tech_id: str, answer: str, *,
                    actor: str, today: date | None = None, now: datetime | None = None) -> AdoptionAnswer:
    """共同導入を検討したい (``consider``) or 見送る (``pass``), by a participant who attended, after the date."""
    if answer not in ADOPTION_ANSWERS:
        raise ValidationFailed([f"answer: {answer!r} is not allowed; "
                                "use consider (共同導入を検討したい) or pass (見送る)"])
    event = get_event(session, event_id)
    participant = _participant(session, event, member)
    if participant.rsvp != "attending":
        raise ConflictError("Only members who attended the event are asked about adopting its technologies.")
    if (today or utcnow().date()) <= event.held_on:
        raise ConflictError(f"The event is on {event.held_on.isoformat()}; adoption answers are recorded after it.")
    item, tech = _event_technology(session, event, tech_id)
    row = session.scalar(select(AdoptionAnswer).where(
        AdoptionAnswer.event_id == event.id, AdoptionAnswer.member_id == participant.member_id,
        AdoptionAnswer.technology_id == item.technology_id))
    before = row.answer if row is not None else None
    if row is None:
        row = AdoptionAnswer(event_id=event.id, member_id=participant.member_id, technology_id=item.technology_id,
                             answer=answer)
        session.add(row)
    row.answer, row.answered_at = answer, now or utcnow()
    session.flush()
    if before != answer:
        audit.record(session, actor=actor, action="adoption", kind=KIND, record_id=str(event.id),
                     before=None if before is None else {"member": participant.member_id, "technology": tech.ext_id,
                                                         "answer": before},
                     after={"member": participant.member_id, "technology": tech.ext_id, "answer": answer})
    return row


# ---------------------------------------------------------------- viewing


def event_view(session: Session, event_id: int | str) -> dict[str, Any]:
    """The secretariat's view; a vendor's contact appears only once the vendor accepted."""
    event = get_event(session, event_id)
    group = get_group(session, event.group_id)
    bodies = {m.id: body_name(m) for m in group.members}
    answers = list(session.scalars(select(AdoptionAnswer).where(AdoptionAnswer.event_id == event.id)))
    techs = []
    for item in event.technologies:
        tech = session.get_one(Technology, item.technology_id)
        mine = [a for a in answers if a.technology_id == tech.id]
        techs.append({"id": tech.ext_id, "name": tech.name, "vendor": tech.vendor, "vendor_state": item.vendor_state,
                      "contact": tech.contact if item.vendor_state == "accepted" else None,
                      "consider": sum(a.answer == "consider" for a in mine),
                      "pass": sum(a.answer == "pass" for a in mine)})
    return {"id": event.id, "group": group.id, "group_name": group.name, "date": event.held_on.isoformat(),
            "online": event.online_url, "venue": event.venue, "technologies": techs,
            "participants": [{"member": p.member_id, "body": bodies.get(p.member_id, "?"), "rsvp": p.rsvp}
                             for p in event.participants]}
