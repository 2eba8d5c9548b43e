"""Who is told what about a new-technology event (新技術の束): the composers of its notices.

- ``event_invitation`` (a participant): each engineer of the body who accepted the group gets
  the event (date, place, technologies) with 参加 / 不参加.
- ``event_vendor_invitation`` (an event technology): the vendor's mail, always through the
  outbox (the secretariat sends it); it names counts and prefectures, never bodies or people.
- ``event_reminder`` (a participant, the day before): the event again, with the contacts of
  the vendors who accepted to present.
- ``event_adoption`` (a participant, after the date): one card per technology not answered
  yet, 共同導入を検討したい / 見送る.
- ``event_rsvp`` (a participant), ``event_adoption_answer`` (an answer): notes for the secretariat.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.dialogue import choices, messages
from bot.dialogue.group_deliveries import NOTE_LANGUAGE, language_of, load_member, need_of, note
from bot.dialogue.replies import Card, Choice, Composer, Delivery, Notice, Outbox, Reply, Text
from bot.secretariat.event_schedule import unanswered_technologies
from bot.secretariat.group_consent import body_name
from bot.secretariat.group_people import consenting
from knowledge.errors import NotFound
from knowledge.models import (
    AdoptionAnswer,
    EventParticipant,
    EventTechnology,
    GroupMember,
    MunicipalGroup,
    TechEvent,
    Technology,
)

RSVP_LABELS = {"attending": "event_attend", "not_attending": "event_decline"}
ADOPTION_LABELS = {"consider": "adoption_consider", "pass": "adoption_pass"}


def _participant(session: Session, participant_id: int) -> tuple[EventParticipant, TechEvent, GroupMember]:
    participant = session.get(EventParticipant, participant_id)
    if participant is None:
        raise NotFound(f"Event participant {participant_id} does not exist.")
    return participant, participant.event, load_member(session, participant.member_id)


def _place(event: TechEvent, lang: str) -> str:
    return messages.say(lang, "event_online", url=event.online_url) if event.online_url else str(event.venue)


def _techs(session: Session, event: TechEvent) -> list[tuple[EventTechnology, Technology]]:
    return [(item, session.get_one(Technology, item.technology_id)) for item in event.technologies]


def _event_card(session: Session, event: TechEvent, group: MunicipalGroup, lang: str, *, presenters: bool = False,
                actions: tuple[Choice, ...] = ()) -> Card:
    techs = _techs(session, event)
    presented = [(item, t) for item, t in techs if item.vendor_state != "declined"]
    rows = [(messages.say(lang, "group_row_group"), group.name),
            (messages.say(lang, "event_row_date"), event.held_on.isoformat()),
            (messages.say(lang, "event_row_place"), _place(event, lang)),
            (messages.say(lang, "event_row_techs"),
             "\n".join(f"{t.name}（{t.vendor}）" if t.vendor else t.name for _, t in presented))]
    if presenters:   # the vendors who accepted to present: their contact may be shown now
        shown = [f"{t.vendor or t.name}（{t.contact}）" if t.contact else (t.vendor or t.name)
                 for item, t in techs if item.vendor_state == "accepted"]
        if shown:
            rows.append((messages.say(lang, "event_row_presenters"), "\n".join(shown)))
    return Card(messages.say(lang, "event_invite_title"), tuple(rows), actions)


def _missed(notice: Notice, event: TechEvent, member: GroupMember, what: str) -> Delivery:
    return note(notice, "note_event_by_mail", id=event.id, date=event.held_on.isoformat(), body=body_name(member),
                what=messages.say(NOTE_LANGUAGE, what))


# ---------------------------------------------------------------- the composers


def invitation(session: Session, notice: Notice) -> list[Delivery]:
    participant, event, member = _participant(session, notice.subject_id)
    if participant.rsvp != "invited":
        return []
    out = []
    for person in consenting(session, member):
        lang = language_of(session, person.recipient)
        actions = (Choice(messages.say(lang, "event_attend"), choices.event_rsvp(participant.id, attend=True),
                          "primary"),
                   Choice(messages.say(lang, "event_decline"), choices.event_rsvp(participant.id, attend=False)))
        replies: tuple[Reply, ...] = (Text(messages.say(lang, "event_invite_text", group=member.group.name)),
                                      _event_card(session, event, member.group, lang, actions=actions))
        out.append(Delivery(notice, (person.recipient,), replies, lang, "member",
                            unreached=(_missed(notice, event, member, "note_what_event_invitation"),)))
    return out


def vendor_invitation(session: Session, notice: Notice) -> list[Delivery]:
    item = session.get(EventTechnology, notice.subject_id)
    if item is None:
        raise NotFound(f"Event technology {notice.subject_id} does not exist.")
    event, tech = item.event, session.get_one(Technology, item.technology_id)
    group = session.get_one(MunicipalGroup, event.group_id)
    accepted = [m for m in group.members if consenting(session, m)]
    prefectures = "・".join(dict.fromkeys(m.prefecture for m in accepted)) or messages.say("ja", "vendor_nearby")
    text = messages.say("ja", "vendor_mail", vendor=tech.vendor or messages.say("ja", "vendor_unnamed"),
                        prefectures=prefectures, n=len(accepted), need=need_of(group, "ja"),
                        date=event.held_on.isoformat(), place=_place(event, "ja"), tech=tech.name)
    # Vendors are not chat users: whatever their contact looks like, the secretariat writes to them.
    return [Delivery(notice, (Outbox(tech.contact),), (Text(text),), "ja", "vendor")]


def reminder(session: Session, notice: Notice) -> list[Delivery]:
    participant, event, member = _participant(session, notice.subject_id)
    if participant.rsvp != "attending":
        return []
    out = []
    for person in consenting(session, member):
        lang = language_of(session, person.recipient)
        replies: tuple[Reply, ...] = (
            Text(messages.say(lang, "event_reminder_text", date=event.held_on.isoformat(), group=member.group.name)),
            _event_card(session, event, member.group, lang, presenters=True),
        )
        out.append(Delivery(notice, (person.recipient,), replies, lang, "member",
                            unreached=(_missed(notice, event, member, "note_what_reminder"),)))
    return out


def adoption(session: Session, notice: Notice) -> list[Delivery]:
    participant, event, member = _participant(session, notice.subject_id)
    pending = unanswered_technologies(session, participant)
    if participant.rsvp != "attending" or not pending:
        return []
    out = []
    for person in consenting(session, member):
        lang = language_of(session, person.recipient)
        cards: list[Reply] = [Text(messages.say(lang, "adoption_ask", date=event.held_on.isoformat()))]
        for item in pending:
            tech = session.get_one(Technology, item.technology_id)
            rows = [(messages.say(lang, "adoption_row_vendor"), tech.vendor or "—")]
            if item.vendor_state == "accepted" and tech.contact:
                rows.append((messages.say(lang, "adoption_row_contact"), tech.contact))
            actions = (Choice(messages.say(lang, "adoption_consider"),
                              choices.adoption_answer(participant.id, tech.id, "consider"), "primary"),
                       Choice(messages.say(lang, "adoption_pass"),
                              choices.adoption_answer(participant.id, tech.id, "pass")))
            cards.append(Card(tech.name, tuple(rows), actions))
        out.append(Delivery(notice, (person.recipient,), tuple(cards), lang, "member",
                            unreached=(_missed(notice, event, member, "note_what_adoption"),)))
    return out


def rsvp(session: Session, notice: Notice) -> list[Delivery]:
    participant, event, member = _participant(session, notice.subject_id)
    if participant.rsvp not in RSVP_LABELS:
        return []
    attending = sum(p.rsvp == "attending" for p in event.participants)
    return [note(notice, "note_event_rsvp", id=event.id, date=event.held_on.isoformat(), body=body_name(member),
                 answer=messages.say(NOTE_LANGUAGE, RSVP_LABELS[participant.rsvp]), n=attending)]


def adoption_answer(session: Session, notice: Notice) -> list[Delivery]:
    answer = session.get(AdoptionAnswer, notice.subject_id)
    if answer is None:
        raise NotFound(f"Adoption answer {notice.subject_id} does not exist.")
    member = load_member(session, answer.member_id)
    tech = session.get_one(Technology, answer.technology_id)
    return [note(notice, "note_adoption", id=answer.event_id, body=body_name(member), tech=tech.name,
                 answer=messages.say(NOTE_LANGUAGE, ADOPTION_LABELS[answer.answer]))]


COMPOSERS: dict[str, Composer] = {
    "event_invitation": invitation,
    "event_vendor_invitation": vendor_invitation,
    "event_reminder": reminder,
    "event_adoption": adoption,
    "event_rsvp": rsvp,
    "event_adoption_answer": adoption_answer,
}
