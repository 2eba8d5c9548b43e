"""Who is told what about a group (群): the composers of its notices.

- ``group_invitation`` (a member): each of the body's engineers, separately, gets the
  invitation — the need and the nearby *bodies* sharing it, never people — with
  参加したい / 今回は見送る; the secretariat hears of whoever chat missed.
- ``group_joined`` (a member that just accepted): everyone who accepted, together (one Slack
  group conversation; each their own chat on Teams and LINE WORKS; the outbox for mail), gets
  the roster — bodies, and of each only the engineers who accepted, with names and contacts.
  The first to accept hears that the others will follow. The secretariat gets a note.
- ``group_declined`` / ``group_no_answer`` (a member): a note for the secretariat only.

What a member is shown of the group comes only from ``group_consent.roster`` (the one place
that decides it). The event notices are in bot/dialogue/event_deliveries.py.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue import choices, messages
from bot.dialogue.replies import Card, ChatUser, Choice, Composer, Delivery, Notice, Recipient, Reply, Secretariat, Text
from bot.secretariat.contacts import parse_contact
from bot.secretariat.group_consent import VisibleMember, body_name, other_bodies, roster
from bot.secretariat.group_people import consenting, people_of
from knowledge.errors import NotFound
from knowledge.models import GroupMember, MunicipalGroup, UserProfile, utcnow

NOTE_LANGUAGE = "ja"   # the secretariat works in Japanese


# ---------------------------------------------------------------- shared by the group and event composers


def language_of(session: Session, recipient: Recipient) -> str:
    """The language a chat user last talked to the bot in (Japanese when unknown, and for mail)."""
    if not isinstance(recipient, ChatUser):
        return "ja"
    language = session.scalar(select(UserProfile.language).where(
        UserProfile.platform == recipient.platform, UserProfile.user_id == recipient.user_id))
    return language or "ja"


def common_language(session: Session, recipients: Iterable[Recipient]) -> str:
    """English only when every recipient talks English: one message shown to several people together."""
    langs = [language_of(session, r) for r in recipients]
    return "en" if langs and all(lang == "en" for lang in langs) else "ja"


def need_of(group: MunicipalGroup, lang: str) -> str:
    codes = [messages.label("fields", c, lang) for c in group.fields]
    codes += [messages.label("processes", c, lang) for c in group.processes]
    return ("・" if lang != "en" else ", ").join(codes) or messages.say(lang, "group_need_none")


def note(notice: Notice, key: str, **values: object) -> Delivery:
    """A note for the secretariat: the group or event and the body, never a person or a contact."""
    return Delivery(notice, (Secretariat(),), (Text(messages.say(NOTE_LANGUAGE, key, **values)),), NOTE_LANGUAGE,
                    "secretariat")


def load_member(session: Session, member_id: int) -> GroupMember:
    member = session.get(GroupMember, member_id)
    if member is None:
        raise NotFound(f"Group member {member_id} does not exist (removed from its group?).")
    return member


# ---------------------------------------------------------------- the composers


def invitation(session: Session, notice: Notice) -> list[Delivery]:
    member = load_member(session, notice.subject_id)
    if member.state != "invited":      # answered (or removed and re-added) meanwhile: nothing to ask
        return []
    group = member.group
    out = []
    for person in people_of(session, member):
        lang = language_of(session, person.recipient)
        joiner = "、" if lang != "en" else ", "
        nearby = joiner.join(other_bodies(group, member)) or messages.say(lang, "group_nearby_none")
        need = need_of(group, lang)
        actions = (Choice(messages.say(lang, "group_join"), choices.group_answer(member.id, accept=True), "primary"),
                   Choice(messages.say(lang, "group_pass"), choices.group_answer(member.id, accept=False)))
        rows = ((messages.say(lang, "group_row_group"), group.name), (messages.say(lang, "group_row_need"), need),
                (messages.say(lang, "group_row_nearby"), nearby))
        replies: tuple[Reply, ...] = (
            Text(messages.say(lang, "group_invite_text", body=body_name(member), nearby=nearby, need=need,
                              group=group.name)),
            Card(messages.say(lang, "group_invite_title"), rows, actions),
        )
        missed = note(notice, "note_group_by_mail", id=group.id, group=group.name, body=body_name(member),
                      what=messages.say(NOTE_LANGUAGE, "note_what_invitation"))
        out.append(Delivery(notice, (person.recipient,), replies, lang, "member", unreached=(missed,)))
    return out


def _place(member: VisibleMember) -> str:
    if member.municipality == member.prefecture:
        return f"{member.prefecture}(県庁)"
    return member.municipality


def _contact(contact: str, lang: str) -> str:
    reached = parse_contact(contact)
    if isinstance(reached, ChatUser):
        return messages.say(lang, "contact_on", platform=messages.label("platform", reached.platform, lang),
                            user=reached.user_id)
    return contact


def roster_card(group: MunicipalGroup, members: list[VisibleMember], lang: str) -> Card:
    joiner = "、" if lang != "en" else ", "
    rows = []
    for member in members:
        names = joiner.join(member.names) or messages.say(lang, "group_roster_unnamed")
        contacts = joiner.join(_contact(c, lang) for c in member.contacts) or messages.say(lang, "group_contact_none")
        rows.append((_place(member), messages.say(lang, "group_roster_person", names=names, contacts=contacts)))
    return Card(messages.say(lang, "group_roster_title", group=group.name), tuple(rows))


def joined(session: Session, notice: Notice) -> list[Delivery]:
    member = load_member(session, notice.subject_id)
    group = member.group
    shown = roster(session, group.id)
    if member.id not in {m.member_id for m in shown}:   # consent withdrawn meanwhile: nobody is told anything
        return []
    told = note(notice, "note_group_joined", id=group.id, group=group.name, body=body_name(member), n=len(shown),
                total=len(group.members))
    if len(shown) < 2:
        people = [p.recipient for p in consenting(session, member)]
        lang = common_language(session, people)
        return [Delivery(notice, tuple(people), (Text(messages.say(lang, "group_waiting")),), lang, "member"), told]
    everyone: list[Recipient] = []
    for other in group.members:
        everyone += [p.recipient for p in consenting(session, other) if p.recipient not in everyone]
    lang = common_language(session, everyone)
    replies: tuple[Reply, ...] = (
        Text(messages.say(lang, "group_joined_news", group=group.name, body=body_name(member))),
        roster_card(group, shown, lang),
    )
    missed = note(notice, "note_group_by_mail", id=group.id, group=group.name, body=body_name(member),
                  what=messages.say(NOTE_LANGUAGE, "note_what_roster"))
    return [Delivery(notice, tuple(everyone), replies, lang, "participants", unreached=(missed,)), told]


def declined(session: Session, notice: Notice) -> list[Delivery]:
    member = load_member(session, notice.subject_id)
    if member.state != "declined":     # another engineer of the body still takes part: nothing to report
        return []
    return [note(notice, "note_group_declined", id=member.group_id, group=member.group.name, body=body_name(member))]


def no_answer(session: Session, notice: Notice) -> list[Delivery]:
    member = load_member(session, notice.subject_id)
    invited = member.invited_at
    if invited is not None and invited.tzinfo is None:   # SQLite hands back naive UTC
        invited = invited.replace(tzinfo=utcnow().tzinfo)
    days = (utcnow() - invited).days if invited is not None else 0
    return [note(notice, "note_group_no_answer", id=member.group_id, group=member.group.name, body=body_name(member),
                 days=days)]


COMPOSERS: dict[str, Composer] = {
    "group_invitation": invitation,
    "group_joined": joined,
    "group_declined": declined,
    "group_no_answer": no_answer,
}
