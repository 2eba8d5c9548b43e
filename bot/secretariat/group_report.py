"""The groups' numbers for the 見える化 report: where the members sit, and the funnel
groups → events → participants → interest in joint adoption.

Bodies only (prefecture, municipality, the group they belong to); no person, no contact.
The funnel counts, for the groups created in the period:

- ``groups``: groups created; ``bodies_invited`` / ``bodies_accepted``: their members invited to the
  group / who said yes (同意);
- ``groups_with_event``: those that held (or scheduled) at least one new-technology event;
- ``events``: the events of those groups;
- ``invited``: event invitations sent to members (one per member and event);
- ``participants``: members who answered 参加 (one per member and event);
- ``interested``: participants who answered 共同導入を検討したい for at least one technology of the event;
- ``consider`` / ``passed``: the adoption answers themselves (one per participant and technology).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import AdoptionAnswer, EventParticipant, MunicipalGroup, TechEvent
from knowledge.municipalities import MunicipalityDirectory
from matching.geo import locate


@dataclass(frozen=True)
class MapMember:
    group_id: int
    group_name: str
    prefecture: str
    municipality: str
    state: str             # the member's consent state (not_invited, invited, accepted, declined, expired)
    lat: float
    lng: float


@dataclass(frozen=True)
class GroupFunnel:
    groups: int = 0
    bodies_invited: int = 0
    bodies_accepted: int = 0
    groups_with_event: int = 0
    events: int = 0
    invited: int = 0
    participants: int = 0
    interested: int = 0
    consider: int = 0
    passed: int = 0


@dataclass(frozen=True)
class GroupReport:
    members: tuple[MapMember, ...] = ()
    unplaced: int = 0                 # members whose body is not in the municipality directory
    funnel: GroupFunnel = GroupFunnel()


def collect_groups(session: Session, start: datetime | None) -> GroupReport:
    query = select(MunicipalGroup).order_by(MunicipalGroup.id)
    if start:
        query = query.where(MunicipalGroup.created_at >= start)
    groups = list(session.scalars(query))
    directory = MunicipalityDirectory(session)
    members: list[MapMember] = []
    unplaced = 0
    for group in groups:
        for member in sorted(group.members, key=lambda m: m.id):
            place = locate(directory, member.prefecture, member.municipality)
            if place is None:
                unplaced += 1
                continue
            members.append(MapMember(group.id, group.name, member.prefecture, member.municipality, member.state,
                                     place.lat, place.lng))
    return GroupReport(tuple(members), unplaced, _funnel(session, groups))


def _funnel(session: Session, groups: list[MunicipalGroup]) -> GroupFunnel:
    if not groups:
        return GroupFunnel()
    group_ids = [g.id for g in groups]
    bodies = [m for g in groups for m in g.members]
    events = list(session.scalars(select(TechEvent).where(TechEvent.group_id.in_(group_ids))))
    event_ids = [e.id for e in events]
    participants = list(session.scalars(select(EventParticipant).where(EventParticipant.event_id.in_(event_ids))))
    answers = list(session.scalars(select(AdoptionAnswer).where(AdoptionAnswer.event_id.in_(event_ids))))
    attending = {(p.event_id, p.member_id) for p in participants if p.rsvp == "attending"}
    interested = {(a.event_id, a.member_id) for a in answers if a.answer == "consider"} & attending
    return GroupFunnel(
        groups=len(group_ids),
        bodies_invited=sum(1 for m in bodies if m.invited_at is not None),
        bodies_accepted=sum(1 for m in bodies if m.state == "accepted"),
        groups_with_event=len({e.group_id for e in events}),
        events=len(events),
        invited=sum(1 for p in participants if p.invited_at is not None),
        participants=len(attending),
        interested=len(interested),
        consider=sum(1 for a in answers if a.answer == "consider"),
        passed=sum(1 for a in answers if a.answer == "pass"),
    )
