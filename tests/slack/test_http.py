"""The HTTP endpoint over real loopback HTTP: signatures, retries, malformed bodies, events."""

from __future__ import annotations

import json
import logging
import time
import urllib.request

import pytest

from tests.slack.conftest import SlackServer, texts_of


def test_health_check(slack_server: SlackServer) -> None:
    url = slack_server.server.url.replace("/slack/events", "/healthz")
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert answer.status == 200 and answer.read() == b"ok"


def test_url_verification_challenge(slack_server: SlackServer) -> None:
    answer = slack_server.send.post_json({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                                          "type": "url_verification"})
    assert answer.status == 200 and answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_bad_signature_is_401_and_nothing_happens(slack_server: SlackServer) -> None:
    send = slack_server.send
    answer = send.post_json(send.event_callback(send.dm_event("こんにちは")), secret="not-the-secret")
    assert answer.status == 401
    unsigned = send.post_json(send.event_callback(send.dm_event("こんにちは")), signed=False)
    assert unsigned.status == 401
    assert slack_server.api.calls_to("chat.postMessage") == []
    # A signed message in the same conversation afterwards is answered: one turn, the signed one, ran.
    assert send.dm("こんにちは").status == 200
    slack_server.api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0ENGINEER")
    assert _placeholders(slack_server, "D0ENGINEER") == 1


def test_stale_timestamp_is_401(slack_server: SlackServer) -> None:
    send = slack_server.send
    answer = send.post_json(send.event_callback(send.dm_event("こんにちは")), timestamp=int(time.time()) - 6 * 60)
    assert answer.status == 401
    form = send.post_form({"command": "/gunmane", "text": "help", "user_id": "U1", "channel_id": "C1",
                           "team_id": "T0GUNMANE"}, timestamp=int(time.time()) - 3600)
    assert form.status == 401


def _placeholders(server: SlackServer, channel: str) -> int:
    return sum(1 for c in server.api.calls_to("chat.postMessage")
               if c.params["channel"] == channel and "確認しています" in texts_of(c))


def test_retried_event_gets_200_and_no_second_reply(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    payload = send.event_callback(send.dm_event("こんにちは", channel="D0FIRST"))
    assert send.post_json(payload).status == 200
    api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0FIRST")
    for retry in (1, 2, 3):
        again = send.post_json(payload, headers={"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        assert again.status == 200
    send.dm("こんにちは", user="U0MARKER", channel="D0MARKER")
    api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0MARKER")
    assert _placeholders(slack_server, "D0FIRST") == 1
    assert len(api.calls_to("chat.update")) == 2


def test_the_same_event_id_is_handled_once_even_with_different_bodies(slack_server: SlackServer) -> None:
    """Another worker or a restarted process sees the id in the database, not in memory."""
    from bot.relay.events import claim_event

    send, api = slack_server.send, slack_server.api
    assert claim_event(slack_server.db, "slack", "Ev0SEENBYOTHER") is True  # as if another worker took it first
    payload = send.event_callback(send.dm_event("こんにちは", channel="D0FIRST"), event_id="Ev0SEENBYOTHER")
    assert send.post_json(payload).status == 200
    send.dm("こんにちは", user="U0MARKER", channel="D0MARKER")
    api.wait_for("chat.update", where=lambda c: c.params["channel"] == "D0MARKER")
    assert _placeholders(slack_server, "D0FIRST") == 0


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ('["a", "list"]', "application/json"),
    ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
    ("\xff\xfe", "application/json"),
    ('{"type": "event_callback", "team_id": "T0GUNMANE", "event_id": "Ev1"}', "application/json"),
    ('{"type": "event_callback", "team_id": "T0GUNMANE", "event": {"type": "message"}}', "application/json"),
    ('payload={"type": "block_actions", "team": {"id": "T0GUNMANE"}}', "application/x-www-form-urlencoded"),
    ('payload={"type": "view_submission", "user": {"id": "U1"}}', "application/x-www-form-urlencoded"),
    ("text=help&user_id=U1", "application/x-www-form-urlencoded"),
    ('{"hello": "world"}', "application/json"),
])
def test_malformed_payload_is_400_with_a_log_line(
    slack_server: SlackServer, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    raw = body.encode("latin-1") if body.startswith("\xff") else body.encode()
    with caplog.at_level(logging.WARNING):
        answer = slack_server.send.post(raw, content_type)
    assert 400 <= answer.status < 500
    assert any("malformed" in record.getMessage().lower() for record in caplog.records)
    # the server is still up and answers a good request
    assert slack_server.send.dm("こんにちは").status == 200
    slack_server.api.wait_for("chat.update")


def test_unsigned_garbage_is_401_not_400(slack_server: SlackServer) -> None:
    assert slack_server.send.post("{not json", "application/json", secret="wrong").status == 401


def test_messages_from_bots_and_the_bot_itself_are_ignored(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    bot = api.bot_user_id
    for event in (
        send.dm_event("他のボットです", bot_id="B0OTHER", subtype="bot_message"),
        send.dm_event("他のボットです", bot_id="B0OTHER"),
        send.dm_event("自分の投稿", user=bot, bot_id=api.bot_id),
        send.dm_event("チャンネル参加", subtype="channel_join"),
        {**send.dm_event(""), "subtype": "message_deleted", "deleted_ts": "1.2", "previous_message": {"text": "x"}},
    ):
        event.pop("user", None) if event.get("subtype") == "message_deleted" else None
        assert send.post_json(send.event_callback(event)).status == 200
    send.dm("こんにちは", user="U0MARKER", channel="D0MARKER")
    api.wait_for("chat.update")
    channels = {c.params["channel"] for c in api.calls if c.method in ("chat.postMessage", "chat.update")}
    assert channels == {"D0MARKER"}


def test_an_edit_gets_one_short_note_and_is_not_re_read(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    original = send.dm_event("橋の点検")
    edited = {"type": "message", "subtype": "message_changed", "hidden": True, "channel": original["channel"],
              "channel_type": "im", "ts": send.ts(), "event_ts": send.ts(),
              "message": {**original, "text": "橋梁の点検", "edited": {"user": original["user"], "ts": send.ts()}},
              "previous_message": original}
    assert send.post_json(send.event_callback(edited)).status == 200
    note = api.wait_for("chat.postMessage")[0]
    assert "編集" in texts_of(note) and note.params["channel"] == original["channel"]
    unfurl = {**edited, "message": {**original, "attachments": [{"title": "link"}]}}
    assert send.post_json(send.event_callback(unfurl)).status == 200
    send.dm("こんにちは", channel="D0MARKER")
    api.wait_for("chat.update")
    assert len([c for c in api.calls_to("chat.postMessage") if "編集" in texts_of(c)]) == 1


def test_mention_in_channel_is_answered_in_its_thread(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    answer, ts = send.mention("こんにちは", channel="C0GENERAL")
    assert answer.status == 200
    working = api.wait_for("chat.postMessage")[0]
    assert working.params["channel"] == "C0GENERAL" and working.params["thread_ts"] == ts
    update = api.wait_for("chat.update")[0]
    assert update.params["channel"] == "C0GENERAL" and update.params["ts"] == working.response["ts"]
    assert "UBOTGUNMANE" not in texts_of(update)


def test_escaping_of_user_text_in_replies(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    send.dm("<!channel> 宇陀市の橋の点検 <https://evil.example|ここ> & <@U0BOSS>")
    api.wait_for("chat.update")
    # The next turn of the same conversation starts (its working note) only after the first posted everything.
    send.dm("<!here> 点検です")
    api.wait_for("chat.postMessage", 2, where=lambda c: "確認しています" in texts_of(c))
    posted = [c for c in api.calls if c.method in ("chat.postMessage", "chat.update")]
    assert len(posted) >= 3, [texts_of(c) for c in posted]
    for call in api.calls:
        if call.method in ("chat.postMessage", "chat.update"):
            raw = json.dumps(call.params["blocks"], ensure_ascii=False)
            assert "<!channel>" not in raw and "<https://evil" not in raw and "<@U0BOSS>" not in raw
            assert "<!here>" not in raw
            assert call.response["ok"], call.response


def test_slash_command_help_and_unknown_subcommand(slack_server: SlackServer) -> None:
    help_answer = slack_server.send.command("help")
    assert help_answer.status == 200
    assert "/gunmane 事例" in help_answer.json()["text"]
    unknown = slack_server.send.command("ほげ")
    assert "ほげ" in unknown.json()["text"] and "/gunmane 研修" in unknown.json()["text"]


def test_admin_subcommand_without_a_secretariat_replies_politely(slack_server: SlackServer) -> None:
    """No GUNMANE_SECRETARIAT_USERS: the admin tools are not set up, and the command says so."""
    answer = slack_server.send.command("admin")
    assert answer.status == 200 and "設定されていません" in answer.json()["text"]


def test_english_messages_get_english_notes_and_replies(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    send.dm("Hello, our two engineers cannot keep up with bridge inspections in Uda, Nara.")
    working = api.wait_for("chat.postMessage")[0]
    assert "Working on it" in texts_of(working)
    reply = api.wait_for("chat.update")[0]
    text = texts_of(reply)
    assert text.isascii() or sum(ch.isascii() for ch in text) > len(text) * 0.8, text
