"""Answers to group and event messages inside a turn: 参加したい / 今回は見送る, 参加 / 不参加, 共同導入.

A button press comes back as a choice token (bot/dialogue/choices.py: ``gj``, ``ev``, ``ad``).
Anyone can send any token, so each answer is checked here before the secretariat service
records it: the record still exists, and the person pressing is one of the body's engineers
— for a group invitation one of those invited, for an event one of those who accepted the
group. Then the service records it (audit entry), the person is thanked, and a ``Notice``
tells the others (the roster to everyone who accepted, a note to the secretariat).
"""

from __future__ import annotations

from datetime import date

from bot.dialogue import choices
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import ChatUser, Notice
from bot.secretariat import events
from bot.secretariat.event_schedule import local_date
from bot.secretariat.group_consent import answer_invitation
from bot.secretariat.group_people import Person, consenting, person_for_user
from knowledge.errors import ConflictError
from knowledge.models import EventParticipant, GroupMember, Technology


def _user(ctx: TurnContext) -> ChatUser:
    return ChatUser(ctx.key.platform[:16], ctx.key.user[:128])


def _actor(ctx: TurnContext) -> str:
    return _user(ctx).as_contact()


def _today(ctx: TurnContext) -> date:
    """Event dates are local (the scheduler's time zone, Asia/Tokyo by default), the clock is UTC."""
    return local_date(ctx.now, ctx.services.settings.scheduler_timezone)


def handle(ctx: TurnContext, token: choices.GroupToken) -> None:
    if isinstance(token, choices.GroupAnswer):
        group_answer(ctx, token)
    elif isinstance(token, choices.EventRsvp):
        rsvp(ctx, token)
    else:
        adoption(ctx, token)


def group_answer(ctx: TurnContext, token: choices.GroupAnswer) -> None:
    member = ctx.session.get(GroupMember, token.member_id)
    if member is None or member.state == "not_invited":
        ctx.say("group_answer_gone")
        return
    person = person_for_user(ctx.session, member, _user(ctx))
    if person is None:
        ctx.say("group_not_yours")
        return
    already = member.state == "accepted" and person.key in {int(k) for k in member.accepted_by or []}
    if already == token.accept and (already or member.state == "declined"):
        ctx.say("group_already", answer=ctx.text("group_join" if token.accept else "group_pass"))
        return
    answer_invitation(ctx.session, member.group_id, member.id, "accept" if token.accept else "decline",
                      actor=_actor(ctx), now=ctx.now, person=person.key)
    if token.accept:
        ctx.say("group_thanks_accept", group=member.group.name)
        ctx.replies.append(Notice("group_joined", member.id))
    else:
        ctx.say("group_thanks_decline")
        ctx.replies.append(Notice("group_declined", member.id))


def _event_person(ctx: TurnContext, participant_id: int) -> tuple[EventParticipant, GroupMember, Person] | None:
    """The participant and the engineer pressing, when they are one who accepted the group; else say why not."""
    participant = ctx.session.get(EventParticipant, participant_id)
    member = ctx.session.get(GroupMember, participant.member_id) if participant is not None else None
    if participant is None or member is None or participant.rsvp == "not_invited":
        ctx.say("event_gone")
        return None
    me = _user(ctx)
    person = next((p for p in consenting(ctx.session, member) if p.recipient == me), None)
    if person is None:
        ctx.say("event_not_yours")
        return None
    return participant, member, person


def rsvp(ctx: TurnContext, token: choices.EventRsvp) -> None:
    found = _event_person(ctx, token.participant_id)
    if found is None:
        return
    participant, member, _person = found
    held_on = participant.event.held_on
    if _today(ctx) > held_on:
        ctx.say("event_over", date=held_on.isoformat())
        return
    events.record_rsvp(ctx.session, participant.event_id, member.id, attending=token.attend, actor=_actor(ctx),
                       now=ctx.now)
    ctx.say("event_thanks_attend" if token.attend else "event_thanks_decline", date=held_on.isoformat())
    ctx.replies.append(Notice("event_rsvp", participant.id))


def adoption(ctx: TurnContext, token: choices.AdoptionReply) -> None:
    found = _event_person(ctx, token.participant_id)
    if found is None:
        return
    participant, member, _person = found
    event = participant.event
    tech = ctx.session.get(Technology, token.technology_id)
    if tech is None or all(item.technology_id != tech.id for item in event.technologies):
        ctx.say("event_gone")
        return
    if participant.rsvp != "attending":
        ctx.say("adoption_not_attended")
        return
    if _today(ctx) <= event.held_on:
        ctx.say("adoption_not_yet", tech=tech.name, date=event.held_on.isoformat())
        return
    try:
        row = events.record_adoption(ctx.session, event.id, member.id, tech.ext_id, token.answer, actor=_actor(ctx),
                                     today=_today(ctx), now=ctx.now)
    except ConflictError:   # the service's own checks (attended, after the date) said no in between
        ctx.say("adoption_not_attended")
        return
    ctx.say("adoption_thanks_consider" if token.answer == "consider" else "adoption_thanks_pass", tech=tech.name)
    ctx.replies.append(Notice("event_adoption_answer", row.id))
