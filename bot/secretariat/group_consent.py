"""Consent in groups: invitations, answers, and what a member may see of the others.

The rule (README, "Groups and new-technology events"): nobody is shown to a group without
consent. A member (a body) is ``not_invited`` → ``invited`` → ``accepted`` | ``declined``,
or ``no_answer`` when an invitation waits too long (``expire_invitations``). An invitation
tells the member's engineer which *bodies* nearby share the need — bodies, never people,
and never a body that declined. Only members who accepted see other members, and only
those who accepted too: their bodies, the names of their engineers and, because both sides
accepted, their contacts (as for introductions). ``members_visible_to`` is the one place
that decides this; every front end asks it.

API for the chat side (the platforms' delivery is built on top of this):

    invitations = invite(session, group_id, actor="cli:tanaka")      # what to send, to whom
    answer_invitation(session, group_id, member_id, "accept", actor="slack:U123")
    members_visible_to(session, group_id, member_id)                  # what that member may see
    member_for_user(session, group_id, "slack", "U123")               # which member a chat user is
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.groups import KIND, find_member, get_group
from knowledge import audit
from knowledge.errors import ConflictError, ValidationFailed
from knowledge.models import Consultation, ConsultationImport, GroupMember, MunicipalGroup, UserProfile, utcnow
from matching.documents import labels

Answer = Literal["accept", "decline"]
ANSWERS: tuple[Answer, ...] = ("accept", "decline")
CHOICES: tuple[tuple[Answer, str], ...] = (("accept", "紹介を希望する"), ("decline", "今回は見送る"))
ANSWERABLE = ("invited", "no_answer", "accepted", "declined")   # a member may change its mind
IMPORT_PLATFORM = "import"


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


def recipients(session: Session, member: GroupMember) -> tuple[Invitee, ...]:
    """The engineers behind the member's consultations (one per asker)."""
    out: list[Invitee] = []
    seen: set[tuple[str | None, str | None]] = set()
    for cid in member.consultation_ids:
        consultation = session.get(Consultation, cid)
        if consultation is None:
            continue
        if consultation.platform == IMPORT_PLATFORM:
            imported = session.scalar(select(ConsultationImport).where(ConsultationImport.consultation_id == cid))
            key: tuple[str | None, str | None] = (None, imported.contact if imported else None)
        else:
            key = (consultation.platform, consultation.user_id)
        if key not in seen:
            seen.add(key)
            out.append(Invitee(key[0], key[1], cid))
    return tuple(out)


def _text(group: MunicipalGroup, member: GroupMember, others: list[str]) -> str:
    need = "・".join(labels(group.fields) + labels(group.processes)) or "共通の課題"
    nearby = "・".join(others) if others else "近隣の団体"
    return (
        f"人の群マネ事務局です。{body_name(member)}からいただいたご相談と同じく、近隣の{nearby}も"
        f"{need}について相談を寄せています。共通の課題を持つ団体どうしのグループ「{group.name}」に"
        "紹介してよろしいでしょうか。\n希望された団体どうしにだけ、お互いの団体名と担当者名・連絡先をお知らせします。"
        "見送られても、貴団体が他の団体に知らされることはありません。"
    )


def _others(group: MunicipalGroup, member: GroupMember) -> list[str]:
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
        others = _others(group, member)
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
                      now: datetime | None = None) -> GroupMember:
    """Record an invited member's answer (``accept`` / ``decline``); a member may change its mind later."""
    if answer not in ANSWERS:
        raise ValidationFailed([f"answer: {answer!r} is not allowed; use accept or decline"])
    group = get_group(session, group_id, lock=True)
    row = find_member(group, member)
    if row.state not in ANSWERABLE:
        raise ConflictError(f"{body_name(row)} has not been invited to group {group.id} yet; "
                            f"run `gunmane groups invite {group.id}` first.")
    new_state = "accepted" if answer == "accept" else "declined"
    if row.state != new_state:
        before = row.state
        row.state, row.answered_at = new_state, now or utcnow()
        session.flush()
        audit.record(session, actor=actor, action="answer", kind=KIND, record_id=str(group.id),
                     before={"member": row.id, "state": before}, after={"member": row.id, "state": new_state})
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
    """The member whose consultations include one asked by this chat user, if any."""
    group = get_group(session, group_id)
    for member in group.members:
        for cid in member.consultation_ids:
            consultation = session.get(Consultation, cid)
            if consultation is not None and (consultation.platform, consultation.user_id) == (platform, user_id):
                return member
    return None


def _names_and_contacts(session: Session, member: GroupMember) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names: list[str] = []
    contacts: list[str] = []
    for invitee in recipients(session, member):
        if invitee.platform is None:
            if invitee.address:
                contacts.append(invitee.address)
            continue
        profile = session.scalar(select(UserProfile).where(UserProfile.platform == invitee.platform,
                                                           UserProfile.user_id == invitee.address))
        if profile is not None and profile.display_name:
            names.append(profile.display_name)
        contacts.append(f"{invitee.platform}:{invitee.address}")
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(contacts))


def members_visible_to(session: Session, group_id: int | str, member: int | str) -> list[VisibleMember]:
    """What ``member`` may see of the group's other members: nothing unless it accepted; then the
    members who accepted too (bodies, names and — both sides having accepted — contacts)."""
    group = get_group(session, group_id)
    viewer = find_member(group, member)
    if viewer.state != "accepted":
        return []
    out = []
    for other in group.members:
        if other.id == viewer.id or other.state != "accepted":
            continue
        names, contacts = _names_and_contacts(session, other)
        out.append(VisibleMember(other.id, other.prefecture, other.municipality, names, contacts))
    return out
