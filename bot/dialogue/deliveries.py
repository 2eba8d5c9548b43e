"""The engine's deliveries: a notice → who gets which replies, in which language.

    deliveries = compose(session, Notice("intro_accepted", intro_id))

A *notice* is something that happened that people outside the current
conversation must hear of (an introduction requested, accepted, declined,
expired; a reminder; a follow-up). Its composer decides everything that is
said: the recipients (chat users, the outbox, the secretariat), the replies
with their choice tokens, the language, and what follows when a recipient
cannot be reached. Adapters only render and send (bot/relay carries the
deliveries to each platform's sender).

Adding a notice kind is one composer function ``(session, notice) ->
list[Delivery]`` and one entry in a ``COMPOSERS`` table (a new module's
table joins ``COMPOSERS`` below); the adapters need nothing new. Groups
(``group_invitation``, ``group_joined``, …: bot/dialogue/group_deliveries.py)
and new-technology events (``event_invitation``, ``event_adoption``, …:
bot/dialogue/event_deliveries.py) are written the same way.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.dialogue import event_deliveries, group_deliveries, intro_deliveries
from bot.dialogue.replies import Composer, Delivery, Notice
from knowledge.models import Introduction

COMPOSERS: dict[str, Composer] = {**intro_deliveries.COMPOSERS, **group_deliveries.COMPOSERS,
                                   **event_deliveries.COMPOSERS}

# The notice an introduction raises when it arrives in a state (completion needs no one to be told).
_NOTICE_OF_STATE = {"requested": "intro_requested", "accepted": "intro_accepted", "declined": "intro_declined",
                    "expired": "intro_expired"}


class UnknownNotice(LookupError):
    """A notice event no composer handles (a bug: every event the engine raises has a composer)."""


def compose(session: Session, notice: Notice) -> list[Delivery]:
    """The deliveries of one notice, read from the database as it is now."""
    composer = COMPOSERS.get(notice.event)
    if composer is None:
        raise UnknownNotice(f"no composer for notice {notice.event!r}; add one to a COMPOSERS table")
    return composer(session, notice)


def notice_of(intro: Introduction) -> Notice | None:
    """The notice to deliver after the secretariat moved an introduction to its current state."""
    event = _NOTICE_OF_STATE.get(intro.state)
    return Notice(event, intro.id) if event is not None else None
