"""The people behind a group member: the engineers of a body, each named by one of its consultations.

A member of a group is a body, but consent is a person's: two engineers of 宇陀市 who both
consulted are asked separately, and only the one who accepted is shown to the group. A
person is named by the ``Consultation.id`` of their first consultation among the member's
(``Person.key``) — an id, never a contact, so it may sit in ``GroupMember.accepted_by`` and
be given on the command line (``--who``) — and reached at:

- a chat consultation: its chat user (``slack``, ``teams``, ``lineworks``, ``terminal``);
- an imported one (mail, phone, meeting): its contact through ``parse_contact`` — a chat id
  such as ``slack:U…`` is that chat user (the same person as their chat consultations), an
  e-mail address or nothing is the outbox (the secretariat writes to them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.secretariat.consultations import imported_ids
from bot.secretariat.contacts import ChatUser, Outbox, parse_contact
from knowledge.errors import ValidationFailed
from knowledge.models import Consultation, ConsultationImport, GroupMember

IMPORT_PLATFORM = "import"


@dataclass(frozen=True)
class Person:
    key: int                          # Consultation.id naming this person within the member
    recipient: ChatUser | Outbox
    consultation_ids: tuple[int, ...]  # every consultation of the member that is theirs

    @property
    def contact(self) -> str | None:
        """What the person is reached at (shown only to members who both accepted)."""
        if isinstance(self.recipient, ChatUser):
            return self.recipient.as_contact()
        return self.recipient.contact


def _reached_at(session: Session, consultation: Consultation) -> ChatUser | Outbox:
    if consultation.platform != IMPORT_PLATFORM:
        return ChatUser(consultation.platform, consultation.user_id)
    imported = session.scalar(select(ConsultationImport).where(ConsultationImport.consultation_id == consultation.id))
    return parse_contact(imported.contact if imported is not None else None)


def people_of(session: Session, member: GroupMember) -> list[Person]:
    """The member's engineers, one per person (a chat user or a mail contact), in consultation order."""
    found: dict[object, tuple[int, ChatUser | Outbox, list[int]]] = {}
    for cid in member.consultation_ids:
        consultation = session.get(Consultation, int(cid))
        if consultation is None:      # erased meanwhile: nobody to ask, nobody to show
            continue
        recipient = _reached_at(session, consultation)
        # Two imported consultations without a contact may be two people: each is its own.
        same = recipient if isinstance(recipient, ChatUser) or recipient.contact else ("nobody", consultation.id)
        if same in found:
            found[same][2].append(consultation.id)
        else:
            found[same] = (consultation.id, recipient, [consultation.id])
    return [Person(key, recipient, tuple(ids)) for key, recipient, ids in found.values()]


def person_for_user(session: Session, member: GroupMember, user: ChatUser) -> Person | None:
    """The member's engineer who is this chat user, if any (the identity check of every button)."""
    return next((p for p in people_of(session, member) if p.recipient == user), None)


def consenting(session: Session, member: GroupMember) -> list[Person]:
    """The member's engineers who accepted the group (nobody unless the member is accepted)."""
    if member.state != "accepted":
        return []
    keys = {int(k) for k in member.accepted_by or []}
    return [p for p in people_of(session, member) if p.key in keys]


def person_named(session: Session, member: GroupMember, consultation_id: int | None) -> Person | None:
    """The person a consultation names (``--who``); None gives the only one, and is refused when there are several."""
    people = people_of(session, member)
    if consultation_id is None:
        if len(people) == 1:
            return people[0]
        if not people:
            return None
        refs = imported_ids(session, [p.key for p in people])
        raise ValidationFailed([
            f"--who: {member.municipality} has {len(people)} engineers in this group (consultations "
            f"{', '.join(refs.get(p.key, str(p.key)) for p in people)}); say which one answered, by one of their "
            "consultation ids, so that nobody else is shown to the group"])
    for person in people:
        if consultation_id in person.consultation_ids:
            return person
    raise ValidationFailed([f"--who: consultation {consultation_id} is not one of {member.municipality}'s in this "
                            "group; `gunmane groups show GROUP` lists them"])
