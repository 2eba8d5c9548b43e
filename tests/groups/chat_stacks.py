"""The real Slack and Teams stacks on loopback for the groups tests, sharing one database and one clock.

- Slack: the bolt app (``build_app``) served by ``HttpServer`` against ``FakeSlackAPI``; buttons
  are pressed with signed ``block_actions`` payloads (tests/slack/conftest.py's ``SlackSender``).
- Teams: ``create_teams_server`` (the function `gunmane serve teams` uses) in a thread, against
  ``FakeConnector``; its turn dispatcher also holds the Slack sender, so news a Teams answer
  raises reaches Slack users too.
- ``senders``: the registry the CLI and the jobs would build (Slack and Teams).

Both engines read the same movable clock, so a test can let the days pass (RSVP before the
event, adoption answers after it) without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from microsoft_agents.hosting.aiohttp import CloudAdapter

from bot.dialogue.engine import DialogueEngine
from bot.relay.senders import SenderRegistry
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI, RecordedCall
from bot.slack.sender import make_sender
from bot.slack.server import HttpServer
from bot.teams.auth import teams_auth
from bot.teams.fake_connector import FakeConnector
from bot.teams.references import ReferenceStore
from bot.teams.sender import TeamsSender
from bot.teams.server import MESSAGES_PATH, create_teams_server
from bot.teams.threaded import ThreadedSite
from knowledge.db import Database
from knowledge.models import utcnow
from knowledge.settings import Settings
from tests.slack.conftest import SlackSender as SlackClicker
from tests.slack.conftest import texts_of
from tests.teams.teams_stack import TeamsStack, card_choices


POSTING = ("chat.postMessage", "chat.update")


@dataclass
class Clock:
    at: datetime = field(default_factory=utcnow)

    def now(self) -> datetime:
        return self.at

    def advance(self, days: int) -> None:
        self.at += timedelta(days=days)


@dataclass
class ChatStacks:
    db: Database
    clock: Clock
    slack_api: FakeSlackAPI
    slack: SlackClicker
    teams: TeamsStack
    senders: SenderRegistry

    def posted(self) -> list[RecordedCall]:
        """Every message the bot posted or updated (an answer replaces the 「確認しています…」 it posted first)."""
        return [c for c in self.slack_api.calls if c.method in POSTING]

    def slack_messages_to(self, user: str) -> list[RecordedCall]:
        """Messages posted in the DM the bot opened with one Slack user."""
        opened = [c for c in self.slack_api.calls_to("conversations.open") if c.params.get("users") == user]
        channels = {c.response["channel"]["id"] for c in opened} | {f"D{user}"}
        return [c for c in self.posted() if c.params.get("channel") in channels]

    def wait_posted(self, where: Callable[[RecordedCall], bool]) -> list[RecordedCall]:
        return self.slack_api.wait_for(POSTING, where=where)

    def slack_group_messages(self, users: set[str]) -> list[RecordedCall]:
        """Messages posted in the group DM of exactly these users."""
        opened = [c for c in self.slack_api.calls_to("conversations.open")
                  if set(str(c.params.get("users", "")).split(",")) == users]
        channels = {c.response["channel"]["id"] for c in opened if c.response.get("ok")}
        return [c for c in self.posted() if c.params.get("channel") in channels]


def has_button(call: RecordedCall, label: str) -> bool:
    return any(element.get("type") == "button" and element.get("text", {}).get("text") == label
               for block in call.params.get("blocks") or [] if isinstance(block, dict)
               for element in block.get("elements", []) if isinstance(element, dict))


def slack_text(calls: list[RecordedCall]) -> str:
    return "\n".join(texts_of(c) for c in calls)


def teams_text(calls: list[object]) -> str:
    return "\n".join(getattr(c, "text") + repr(getattr(c, "adaptive_cards")) for c in calls)


def teams_buttons(calls: list[object]) -> dict[str, str]:
    return {title: value for call in calls for title, value in card_choices(call).items()}  # type: ignore[arg-type]


@pytest.fixture
def chat_stacks(db: Database, slack_settings: Settings, fake_api: FakeSlackAPI) -> Iterator[ChatStacks]:
    clock = Clock()
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-groups-slack")
    slack_engine = DialogueEngine(db, slack_settings, clock=clock.now)
    app = build_app(slack_settings, db, mode="http", engine=slack_engine, working_notice_after=0,
                    listener_executor=executor)
    server = HttpServer(app, slack_settings, host="127.0.0.1", port=0, threads=4).start()
    slack_sender = make_sender(slack_settings, db)
    assert slack_sender is not None, "the Slack settings carry a bot token"
    connector = FakeConnector().start()
    auth = teams_auth(slack_settings, insecure_local=True)
    teams_engine = DialogueEngine(db, slack_settings, clock=clock.now)
    site = ThreadedSite(lambda: create_teams_server(teams_engine, db, auth, show_typing=False,
                                                    senders=SenderRegistry([slack_sender])).web_app).start()
    teams_sender = TeamsSender(CloudAdapter(connection_manager=auth.connection_manager), auth, ReferenceStore(db), [])
    try:
        yield ChatStacks(db, clock, fake_api, SlackClicker(server.url, fake_api),
                         TeamsStack(site.url + MESSAGES_PATH, connector), SenderRegistry([slack_sender, teams_sender]))
    finally:
        site.stop()
        connector.stop()
        server.stop()
        executor.shutdown(wait=True)
