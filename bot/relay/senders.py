"""The one sender registry: which platform's sender delivers to whom.

A sender delivers a ``Delivery`` to users of its platform, and to the
secretariat's place there (a Slack channel, the Teams members of the
secretariat). Every adapter that can send on its own — outside a user's turn,
from the CLI or a cron job — exposes ``make_sender(settings, db)`` in a module
listed in ``SENDER_MODULES``; it returns ``None`` when the platform is not
configured. Adding a platform is one line here and that module.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from typing import Protocol

from bot.dialogue.replies import Delivery
from knowledge.db import Database
from knowledge.settings import Settings

log = logging.getLogger(__name__)

SENDER_MODULES: dict[str, str] = {
    "slack": "bot.slack.sender",
    "teams": "bot.teams.sender",
    "lineworks": "bot.lineworks.sender",
}


class Sender(Protocol):
    """Delivers on one platform; every method returns whether the people got it."""

    platform: str

    def send(self, delivery: Delivery, users: Sequence[str]) -> bool:
        """Show ``delivery.replies`` to ``users`` (ids on this platform) — together when there are several."""
        ...

    def send_to_secretariat(self, delivery: Delivery) -> bool:
        """Post to the secretariat's place on this platform; False when there is none."""
        ...


class SenderRegistry:
    """Senders by platform. ``replacing`` gives a copy with one sender swapped (e.g. one bound to a turn)."""

    def __init__(self, senders: Iterable[Sender] = ()) -> None:
        self._senders: dict[str, Sender] = {}
        for sender in senders:
            self.register(sender)

    def register(self, sender: Sender) -> None:
        self._senders[sender.platform] = sender

    def get(self, platform: str) -> Sender | None:
        return self._senders.get(platform)

    def all(self) -> list[Sender]:
        return list(self._senders.values())

    @property
    def platforms(self) -> list[str]:
        return sorted(self._senders)

    def replacing(self, sender: Sender) -> SenderRegistry:
        copy = SenderRegistry(self.all())
        copy.register(sender)
        return copy


class SenderModule(Protocol):
    def make_sender(self, settings: Settings, db: Database) -> Sender | None: ...


def configured_senders(settings: Settings, db: Database) -> SenderRegistry:
    """A sender for every platform the settings configure (none for the others)."""
    registry = SenderRegistry()
    for platform, module_name in SENDER_MODULES.items():
        module: SenderModule = importlib.import_module(module_name)
        sender = module.make_sender(settings, db)
        if sender is not None:
            registry.register(sender)
        else:
            log.debug("no %s sender: the platform is not configured", platform)
    return registry
