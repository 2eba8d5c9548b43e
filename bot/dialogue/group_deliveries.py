"""Deliveries of the groups' invitations: a group invitation (群への紹介の可否) and an event invitation
(新技術説明会), each to the engineers behind one member body, carried by the relay like any notice.

The secretariat service decides who is invited and writes the text (``group_consent.invite``,
``events.event_invitations``; bodies, never people); this module only turns its invitations into
``Delivery`` objects: one per engineer (a chat user on their platform, or the outbox — by mail —
for a consultation that came by mail or phone), so that no engineer sees who else was asked.
Vendors' invitation mails go to the outbox (they are not chat users).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.dialogue import messages
from bot.dialogue.replies import ChatUser, Delivery, Notice, Outbox, Text
from bot.secretariat.events import MemberEventInvitation, VendorMail
from bot.secretariat.group_consent import GroupInvitation, Invitee

LANGUAGE = "ja"   # the invitations are written in Japanese by the secretariat service


def _recipient(invitee: Invitee) -> ChatUser | Outbox:
    if invitee.platform and invitee.address:
        return ChatUser(invitee.platform, invitee.address)
    return Outbox(invitee.address)


def _per_engineer(notice: Notice, invitees: tuple[Invitee, ...], text: str, role: str) -> list[Delivery]:
    reply = (Text(text), Text(messages.say(LANGUAGE, "group_reply_how")))
    return [Delivery(notice, (_recipient(invitee),), reply, LANGUAGE, role) for invitee in invitees] or [
        Delivery(notice, (Outbox(None),), reply, LANGUAGE, role)]   # nobody on record: the secretariat finds them


def group_invitation_deliveries(invitations: Iterable[GroupInvitation]) -> list[Delivery]:
    """What ``group_consent.invite`` returned, as deliveries (notice ``group_invitation``, subject: the group)."""
    return [delivery for inv in invitations
            for delivery in _per_engineer(Notice("group_invitation", inv.group_id), inv.recipients, inv.text,
                                          "member")]


def event_invitation_deliveries(members: Iterable[MemberEventInvitation],
                                vendors: Iterable[VendorMail] = ()) -> list[Delivery]:
    """What ``events.event_invitations`` returned, as deliveries (notice ``event_invitation``, subject: the event)."""
    out = [delivery for inv in members
           for delivery in _per_engineer(Notice("event_invitation", inv.event_id), inv.recipients, inv.text,
                                         "member")]
    out += [Delivery(Notice("event_invitation", mail.event_id), (Outbox(mail.address),), (Text(mail.text),),
                     LANGUAGE, "vendor") for mail in vendors]
    return out
