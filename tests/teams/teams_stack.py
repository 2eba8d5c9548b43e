"""Talking to the real Teams endpoint over HTTP, as Teams would; reading what the bot posted."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from bot.dialogue.engine import DialogueEngine
from bot.teams.auth import TeamsAuth
from bot.teams.fake_connector import ConnectorCall, FakeConnector
from bot.teams.server import create_teams_server
from bot.teams.threaded import ThreadedSite
from knowledge.db import Database
from knowledge.settings import Settings

TENANT = "tenant-gunmane-test"
BOT = {"id": "28:gunmane-bot", "name": "gunmane"}


@dataclass
class TeamsUser:
    """A Teams user in their 1:1 chat with the bot, who sends activities to the endpoint."""

    endpoint: str
    service_url: str
    aad_id: str
    name: str
    conversation_id: str = ""
    _ids: Any = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self.conversation_id = self.conversation_id or f"a:personal-{self.aad_id}"

    def activity(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "id": f"{self.aad_id}-{next(self._ids)}",
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "from": {"id": f"29:{self.aad_id}", "aadObjectId": self.aad_id, "name": self.name},
            "recipient": BOT,
            "conversation": {"id": self.conversation_id, "conversationType": "personal", "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "locale": "ja-JP",
        }
        body.update(fields)
        return body

    def says(self, text: str) -> int:
        return post_json(self.endpoint, self.activity(text=text))[0]

    def clicks(self, value: str) -> int:
        """Action.Submit on a card: Teams sends the button's data as the activity's value."""
        return post_json(self.endpoint, self.activity(value={"gunmane": value}))[0]


def post_json(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@dataclass
class TeamsStack:
    endpoint: str
    connector: FakeConnector

    def user(self, aad_id: str, name: str = "利用者") -> TeamsUser:
        return TeamsUser(self.endpoint, self.connector.url, aad_id, name)

    def messages_to(self, user: TeamsUser) -> list[ConnectorCall]:
        return self.connector.log.messages(user.conversation_id)


def start_endpoint(db: Database, settings: Settings, auth: TeamsAuth) -> ThreadedSite:
    engine = DialogueEngine(db, settings)
    secretariat = settings.secretariat_users
    return ThreadedSite(
        lambda: create_teams_server(engine, db, auth, secretariat_users=secretariat, show_typing=False).web_app
    ).start()




def card_choices(call: ConnectorCall) -> dict[str, str]:
    """Button title → submitted choice value, for every Action.Submit in a message's cards."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit" and isinstance(node.get("data"), dict):
                found[node["title"]] = node["data"]["gunmane"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for card in call.adaptive_cards:
        walk(card)
    return found
