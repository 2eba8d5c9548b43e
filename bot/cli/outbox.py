"""What no chat platform delivered, printed for the secretariat: the outbox (to send by mail) and its notes.

Every command that sends (``intros accept``, ``groups invite``, ``events invite``, the jobs) prints
its delivery report this way; the addresses are the secretariat's to use, and are printed only here.
"""

from __future__ import annotations

import typer

from bot.dialogue.replies import ChatUser, Outbox, Recipient
from bot.relay.dispatch import DeliveryReport
from bot.terminal import printable


def address(recipient: Recipient) -> str:
    if isinstance(recipient, ChatUser):
        return recipient.as_contact()
    if isinstance(recipient, Outbox):
        return recipient.contact or "(no contact on record)"
    return "(the secretariat)"


def print_outbox(report: DeliveryReport) -> None:
    """What no chat platform delivered: for the secretariat to send by mail, and its own notes."""
    for entry in report.outbox:
        delivery = entry.delivery
        addresses = ", ".join(address(r) for r in entry.recipients)
        typer.echo(printable(f"  #{delivery.notice.subject_id} → {delivery.role} {addresses}"))
        for line in delivery.text.split("\n"):
            typer.echo(printable(f"      {line}"))
    for note in report.notes:
        typer.echo(printable(f"  {note.text}"))
