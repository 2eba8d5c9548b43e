"""The Teams turn handler under the Agents SDK's own test tools (TestAdapter, TestFlow)."""

from __future__ import annotations

import asyncio
from typing import Any

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount, ConversationReference
from microsoft_agents.hosting.core import AgentApplication, ClaimsIdentity, TurnState
from microsoft_agents.testing import TestAdapter, TestFlow

from bot.dialogue import messages
from bot.dialogue.engine import DialogueEngine
from bot.teams.app import TeamsBot, build_agent_application
from bot.teams.auth import teams_auth
from bot.teams.references import ReferenceStore
from knowledge.db import Database
from knowledge.settings import Settings


def make_app(db: Database, settings: Settings) -> AgentApplication[TurnState]:
    bot = TeamsBot(DialogueEngine(db, settings), db, teams_auth(settings, insecure_local=True))
    return build_agent_application(bot, show_typing=False)


def adapter_for(*, conversation_type: str, user: str = "29:tester", aad: str | None = "aad-tester") -> TestAdapter:
    reference = ConversationReference(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/jp/",
        user=ChannelAccount(id=user, name="試験 太郎", aad_object_id=aad),
        bot=ChannelAccount(id="28:gunmane", name="gunmane"),
        conversation=ConversationAccount(
            id=f"conv-{conversation_type}", conversation_type=conversation_type,
            is_group=conversation_type != "personal", tenant_id="tenant-1",
        ),
        locale="ja-JP",
    )
    return TestAdapter(conversation=reference)


def send(adapter: TestAdapter, app: AgentApplication[TurnState], **fields: Any) -> list[Activity]:
    """Process one user activity; the message activities the bot sent back."""
    adapter.activity_queue.clear()
    activity = Activity(type="message", **fields)
    asyncio.run(adapter.process_activity(ClaimsIdentity({}), activity, app.on_turn))
    return [reply for reply in adapter.activity_queue if reply.type == "message"]


def texts(replies: list[Activity]) -> list[str]:
    return [reply.text for reply in replies if reply.text]


def test_first_message_is_greeted_and_help_is_answered_in_test_flow(db: Database, settings: Settings) -> None:
    adapter = adapter_for(conversation_type="personal")
    app = make_app(db, settings)

    async def conversation() -> None:  # TestFlow schedules its steps on the running loop
        await (
            TestFlow(adapter, app.on_turn)
            .send("ヘルプ")
            .assert_reply(lambda reply: _starts(reply, messages.say("ja", "greeting")))
            .assert_reply(lambda reply: _starts(reply, messages.say("ja", "help")))
            .start_test()
        )

    asyncio.run(conversation())


def _starts(reply: Activity, expected: str) -> None:
    assert reply.type == "message"
    assert (reply.text or "").startswith(expected.split("\n")[0])


def test_channel_mention_is_stripped_and_the_channel_is_not_kept_for_proactive_messages(
    db: Database, settings: Settings
) -> None:
    adapter = adapter_for(conversation_type="channel")
    app = make_app(db, settings)
    replies = send(
        adapter, app, text="<at>gunmane</at> ヘルプ",
        entities=[{"type": "mention", "text": "<at>gunmane</at>", "mentioned": {"id": "28:gunmane", "name": "gunmane"}}],
    )
    assert any(text.startswith("使い方") for text in texts(replies))
    assert ReferenceStore(db).get("aad-tester") is None


def test_personal_chat_stores_the_reference_under_the_entra_id(db: Database, settings: Settings) -> None:
    adapter = adapter_for(conversation_type="personal")
    send(adapter, make_app(db, settings), text="こんにちは")
    reference = ReferenceStore(db).conversation_reference("aad-tester")
    assert reference is not None and reference.conversation.id == "conv-personal"


def test_a_stale_card_button_is_answered_politely(db: Database, settings: Settings) -> None:
    adapter = adapter_for(conversation_type="personal")
    app = make_app(db, settings)
    send(adapter, app, text="こんにちは")
    replies = send(adapter, app, value={"gunmane": "a:deadbeef:q9:yes"})
    polite = {messages.say("ja", key).split("。")[0] for key in
              ("stale_choice", "expired_choice", "foreign_choice", "unknown_choice")}
    assert any(text.split("。")[0] in polite for text in texts(replies)), texts(replies)


def test_a_card_submitted_without_a_choice_asks_to_pick_one(db: Database, settings: Settings) -> None:
    adapter = adapter_for(conversation_type="personal")
    replies = send(adapter, make_app(db, settings), value={"gunmane": ""})
    assert texts(replies) == ["選択肢を選んでから送信してください。"]


def test_installing_the_bot_in_a_personal_chat_greets_and_stores_the_reference(
    db: Database, settings: Settings
) -> None:
    adapter = adapter_for(conversation_type="personal")
    app = make_app(db, settings)
    adapter.activity_queue.clear()
    update = Activity(type="conversationUpdate", members_added=[ChannelAccount(id="28:gunmane")])
    asyncio.run(adapter.process_activity(ClaimsIdentity({}), update, app.on_turn))
    (welcome,) = [reply for reply in adapter.activity_queue if reply.type == "message"]
    assert (welcome.text or "").startswith(messages.say("ja", "greeting").split("、")[0])
    assert ReferenceStore(db).get("aad-tester") is not None
