"""Reading Teams activities: mentions, card submits, conversation keys, 1:1 references."""

from __future__ import annotations

from typing import Any

import pytest
from microsoft_agents.activity import Activity

from bot.dialogue.replies import ConversationKey, IncomingChoice, IncomingMessage
from bot.teams import activities
from bot.teams.references import ReferenceStore
from knowledge.db import Database


def teams_activity(**overrides: Any) -> Activity:
    body: dict[str, Any] = {
        "type": "message",
        "id": "1700000000001",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/jp/",
        "from": {"id": "29:user-a", "aadObjectId": "aad-a", "name": "宇陀 花子"},
        "recipient": {"id": "28:bot", "name": "gunmane"},
        "conversation": {"id": "a:personal-a", "conversationType": "personal", "tenantId": "tenant-1"},
        "locale": "ja-JP",
    }
    body.update(overrides)
    return Activity.model_validate(body)


def channel_mention(text: str, **overrides: Any) -> Activity:
    return teams_activity(
        text=text,
        conversation={"id": "19:abc@thread.tacv2;messageid=1", "conversationType": "channel", "isGroup": True},
        channelData={"tenant": {"id": "tenant-1"}, "team": {"id": "19:team"}},
        entities=[{"type": "mention", "text": "<at>gunmane</at>", "mentioned": {"id": "28:bot", "name": "gunmane"}}],
        **overrides,
    )


def test_a_channel_mention_of_the_bot_is_stripped_before_the_engine_hears_it() -> None:
    activity = channel_mention("<at>gunmane</at> 橋の点検をする人がいません")
    assert activities.incoming(activity) == IncomingMessage("橋の点検をする人がいません")


def test_a_leading_mention_without_an_entity_is_still_stripped_and_other_mentions_keep_the_name() -> None:
    activity = teams_activity(text="<at>gunmane bot</at> <at>佐藤</at>さんと同じ悩みです")
    assert activities.message_text(activity) == "佐藤さんと同じ悩みです"


def test_a_card_submit_becomes_the_opaque_choice() -> None:
    activity = teams_activity(value={"gunmane": "intro:advisor:A-1"})
    assert activities.incoming(activity) == IncomingChoice("intro:advisor:A-1")


@pytest.mark.parametrize("value", [{"gunmane": ""}, {"other": "x"}, {"gunmane": 5}])
def test_a_submit_without_a_choice_is_nothing_to_answer_but_is_noticed(value: dict[str, Any]) -> None:
    activity = teams_activity(value=value)
    assert activities.incoming(activity) is None
    assert activities.is_empty_card_submit(activity)


def test_an_empty_message_is_nothing_to_answer() -> None:
    assert activities.incoming(teams_activity(text="  <at>gunmane</at> ")) is None


def test_conversation_key_uses_the_tenant_and_the_stable_entra_user_id() -> None:
    assert activities.conversation_key(teams_activity(text="x")) == ConversationKey(
        platform="teams", workspace="tenant-1", channel="a:personal-a", user="aad-a"
    )


def test_tenant_falls_back_to_channel_data_and_user_to_the_bot_scoped_id() -> None:
    activity = teams_activity(
        text="x", conversation={"id": "a:c", "conversationType": "personal"},
        channelData={"tenant": {"id": "tenant-2"}}, **{"from": {"id": "29:user-b"}},
    )
    key = activities.conversation_key(activity)
    assert (key.workspace, key.user) == ("tenant-2", "29:user-b")


def test_only_personal_chats_are_remembered_for_proactive_messages(db: Database) -> None:
    store = ReferenceStore(db)
    assert store.remember(channel_mention("<at>gunmane</at> hi")) is False
    assert store.get("aad-a") is None
    assert store.remember(teams_activity(text="hi")) is True
    reference = store.conversation_reference("aad-a")
    assert reference is not None
    assert reference.conversation.id == "a:personal-a"
    assert reference.service_url == "https://smba.trafficmanager.net/jp/"
    assert reference.user is not None and reference.user.id == "29:user-a"
    assert reference.activity_id is None


def test_a_new_personal_chat_replaces_the_stored_reference(db: Database) -> None:
    store = ReferenceStore(db)
    store.remember(teams_activity(text="hi"))
    store.remember(teams_activity(text="hi", serviceUrl="https://smba.trafficmanager.net/amer/"))
    reference = store.conversation_reference("aad-a")
    assert reference is not None and reference.service_url == "https://smba.trafficmanager.net/amer/"
