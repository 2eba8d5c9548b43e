"""Consent in groups: invitations, answers, and what a member may see of the others.

The rule (README, "Groups and new-technology events"): nobody is shown to a group without
consent. A member (a body) is ``not_invited`` → ``invited`` → ``accepted`` | ``declined``,
or ``no_answer`` when an invitation waits too long (``expire_invitations``). An invitation
tells the member's engineer which *bodies* nearby share the need — bodies, never people,
and never a body that declined. Only members who accepted see other members, and only
those who accepted too: their bodies, the names of their engineers and, because both sides
accepted, their contacts (as for introductions). ``members_visible_to`` is the one place
that decides this; every front end asks it.

Consent is each engineer's (``bot.secretariat.group_people``): a body with two engineers is
accepted when one of them accepts, and only the engineers who accepted are shown to the
group and invited to its events (``GroupMember.accepted_by``).

API (the chat answers, the CLI and the web console call the same functions):

    invitations = invite(session, group_id, actor="cli:tanaka")      # marks invited; what to send, to whom
    answer_invitation(session, group_id, member_id, "accept", actor="slack:U123", person=consultation_id)
    members_visible_to(session, group_id, member_id)                  # what that member may see
    roster(session, group_id)                                         # the members who accepted, as they are shown
    member_for_user(session, group_id, "slack", "U123")               # which member a chat user is

The chat messages themselves are composed in bot/dialogue/group_deliveries.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.contacts import ChatUser
from bot.secretariat.group_people import Person, consenting, people_of, person_for_user, person_named
from bot.secretariat.groups import KIND, find_member, get_group
from knowledge import audit
from knowledge.errors import ConflictError, ValidationFailed
from knowledge.models import GroupMember, MunicipalGroup, UserProfile, utcnow
from matching.documents import labels

Answer = Literal["accept", "decline"]
ANSWERS: tuple[Answer, ...] = ("accept", "decline")
CHOICES: tuple[tuple[Answer, str], ...] = (("accept", "紹介を希望する"), ("decline", "今回は見送る"))
ANSWERABLE = ("invited", "no_answer", "accepted", "declined")   # a member may change its mind


@dataclass(frozen=True)
class Invitee:
    """Who receives an invitation: a chat user (platform, user id) or, for a consultation that
    came by mail or phone, its contact (``platform`` None: the secretariat sends it by mail)."""

    platform: str | None
    address: str | None
    consultation_id: int


@dataclass(frozen=True)
class GroupInvitation:
    group_id: int
    group_name: str
    member_id: int
    body: str                              # the invited body (宇陀市, 奈良県(県庁))
    recipients: tuple[Invitee, ...]
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    other_bodies: tuple[str, ...]           # bodies sharing the need (never a body that declined)
    text: str                              # the invitation in Japanese
    choices: tuple[tuple[Answer, str], ...] = CHOICES


@dataclass(frozen=True)
class VisibleMember:
    member_id: int
    prefecture: str
    municipality: str
    names: tuple[str, ...]                 # display names of its engineers, where known
    contacts: tuple[str, ...]              # both sides accepted: chat ids (platform:id) or contacts


def body_name(member: GroupMember) -> str:
    return f"{member.prefecture}(県庁)" if member.municipality == member.prefecture else member.municipality


def invitees(people: list[Person]) -> tuple[Invitee, ...]:
    return tuple(Invitee(p.recipient.platform, p.recipient.user_id, p.key) if isinstance(p.recipient, ChatUser)
                 else Invitee(None, p.recipient.contact, p.key) for p in people)


def recipients(session: Session, member: GroupMember) -> tuple[Invitee, ...]:
    """The engineers behind the member's consultations (one per person, ``group_people``)."""
    return invitees(people_of(session, member))


def _text(group: MunicipalGroup, member: GroupMember, others: list[str]) -> str:
    need = "・".join(labels(group.fields) + labels(group.processes)) or "共通の課題"
    nearby = "・".join(others) if others else "近隣の団体"
    return (
        f"人の群マネ事務局です。{body_name(member)}からいただいたご相談と同じく、近隣の{nearby}も"
        f"{need}について相談を寄せています。共通の課題を持つ団体どうしのグループ「{group.name}」に"
        "紹介してよろしいでしょうか。\n希望された団体どうしにだけ、お互いの団体名と担当者名・連絡先をお知らせします。"
        "見送られても、貴団体が他の団体に知らされることはありません。"
    )


def other_bodies(group: MunicipalGroup, member: GroupMember) -> list[str]:
    """The bodies an invitation names: the group's other members, except those that declined."""
    return [body_name(m) for m in group.members if m.id != member.id and m.state != "declined"]


def invite(session: Session, group_id: int | str, *, actor: str, now: datetime | None = None) -> list[GroupInvitation]:
    """Mark every member not invited yet as invited and return what to send to each (idempotent)."""
    group = get_group(session, group_id, lock=True)
    now = now or utcnow()
    out: list[GroupInvitation] = []
    for member in group.members:
        if member.state != "not_invited":
            continue
        member.state, member.invited_at = "invited", now
        others = other_bodies(group, member)
        out.append(GroupInvitation(
            group_id=group.id, group_name=group.name, member_id=member.id, body=body_name(member),
            recipients=recipients(session, member), fields=tuple(group.fields), processes=tuple(group.processes),
            other_bodies=tuple(others), text=_text(group, member, others),
        ))
        audit.record(session, actor=actor, action="invite", kind=KIND, record_id=str(group.id),
                     after={"member": member.id, "state": "invited"})
    session.flush()
    return out


def answer_invitation(session: Session, group_id: int | str, member: int | str, answer: str, *, actor: str,
                      now: datetime | None = None, person: int | None = None) -> GroupMember:
    """Record an invited engineer's answer (``accept`` / ``decline``); anyone may change their mind later.

    ``person`` is the Consultation.id naming the engineer who answered (``group_people``). Without it an
    acceptance is the member's only engineer's (refused when it has several: nobody is shown without their own
    consent) and a decline is the whole body's.
    """
    if answer not in ANSWERS:
        raise ValidationFailed([f"answer: {answer!r} is not allowed; use accept or decline"])
    group = get_group(session, group_id, lock=True)
    row = find_member(group, member)
    if row.state not in ANSWERABLE:
        raise ConflictError(f"{body_name(row)} has not been invited to group {group.id} yet; "
                            f"run `gunmane groups invite {group.id}` first.")
    who = person_named(session, row, person) if answer == "accept" or person is not None else None
    keys = [int(k) for k in row.accepted_by or []] if row.state == "accepted" else []
    if answer == "accept":
        if who is None:
            raise ConflictError(f"{body_name(row)} has no engineer on record to accept for (its consultations "
                                "were erased); remove it with `gunmane groups remove-member`.")
        keys = [*keys, who.key] if who.key not in keys else keys
    else:
        keys = [k for k in keys if who is not None and k != who.key]
    new_state = "accepted" if keys else "declined"
    current = [int(k) for k in row.accepted_by or []] if row.state == "accepted" else []
    if new_state != row.state or keys != current:
        before = {"member": row.id, "state": row.state, "engineers_accepted": len(current)}
        row.state, row.accepted_by, row.answered_at = new_state, keys, now or utcnow()
        session.flush()
        audit.record(session, actor=actor, action="answer", kind=KIND, record_id=str(group.id), before=before,
                     after={"member": row.id, "state": new_state, "engineers_accepted": len(keys)})
    return row


def expire_invitations(session: Session, *, days: int, now: datetime | None = None, actor: str = "system") -> list[int]:
    """Invitations unanswered for ``days`` become ``no_answer`` (silence is respected: nobody is shown)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    expired = []
    for row in session.scalars(select(GroupMember).where(GroupMember.state == "invited")):
        invited_at = row.invited_at
        if invited_at is not None and invited_at.tzinfo is None:
            invited_at = invited_at.replace(tzinfo=now.tzinfo)
        if invited_at is not None and invited_at <= cutoff:
            row.state = "no_answer"
            expired.append(row.id)
            audit.record(session, actor=actor, action="no_answer", kind=KIND, record_id=str(row.group_id),
                         before={"member": row.id, "state": "invited"}, after={"member": row.id, "state": "no_answer"})
    session.flush()
    return expired


def member_for_user(session: Session, group_id: int | str, platform: str, user_id: str) -> GroupMember | None:
    """The member one of whose engineers is this chat user (a chat consultation, or an imported one whose contact
    is this chat id), if any."""
    group = get_group(session, group_id)
    user = ChatUser(platform, user_id)
    return next((m for m in group.members if person_for_user(session, m, user) is not None), None)


def _names_and_contacts(session: Session, member: GroupMember) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of the engineers who accepted only: their display names (chat users) and contacts."""
    names: list[str] = []
    contacts: list[str] = []
    for person in consenting(session, member):
        if isinstance(person.recipient, ChatUser):
            profile = session.scalar(select(UserProfile).where(UserProfile.platform == person.recipient.platform,
                                                               UserProfile.user_id == person.recipient.user_id))
            if profile is not None and profile.display_name:
                names.append(profile.display_name)
        if person.contact:
            contacts.append(person.contact)
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(contacts))


def roster(session: Session, group_id: int | str) -> list[VisibleMember]:
    """The members who accepted, as each other sees them: bodies, and of each body only the engineers who accepted
    (names and contacts — every one of them accepted). What any member is ever shown of the group is part of this."""
    group = get_group(session, group_id)
    out = []
    for member in group.members:
        if member.state != "accepted" or not consenting(session, member):
            continue
        names, contacts = _names_and_contacts(session, member)
        out.append(VisibleMember(member.id, member.prefecture, member.municipality, names, contacts))
    return out


def members_visible_to(session: Session, group_id: int | str, member: int | str) -> list[VisibleMember]:
    """What ``member`` may see of the group's other members: nothing unless it accepted; then the
    members who accepted too (bodies, names and — both sides having accepted — contacts)."""
    group = get_group(session, group_id)
    viewer = find_member(group, member)
    if viewer.state != "accepted":
        return []
    return [m for m in roster(session, group.id) if m.member_id != viewer.id]
