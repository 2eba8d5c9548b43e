"""Whole conversations through the real HTTP server, the real engine (fake embedder) and sample data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.slack.fake_api import RecordedCall
from knowledge.db import Database
from knowledge.models import Advisor, Introduction, UserProfile
from tests.slack.conftest import SECRETARIAT, SlackServer, texts_of

ENGINEER, ADVISOR = "U0ENGINEER", "U0ADVISOR"
PROBLEM = "奈良県宇陀市です。村道の橋の点検が、技術職2人しかいなくて回りません。点検を外注したいです。"


MESSAGES = ("chat.postMessage", "chat.update")


def posted(api: Any, channel: str | None = None) -> list[RecordedCall]:
    return [c for c in api.calls if c.method in ("chat.postMessage", "chat.update")
            and (channel is None or c.params["channel"] == channel)]


def labels(call: RecordedCall) -> list[str]:
    found = []
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button":
                found.append(element["text"]["text"])
            elif element.get("type") == "static_select":
                found += [o["text"]["text"] for o in element["options"]]
    return found


def last_with(api: Any, label: str, channel: str | None = None) -> RecordedCall:
    for call in reversed(posted(api, channel)):
        if label in labels(call):
            return call
    raise AssertionError(f"no message with {label!r}; messages: {[texts_of(c)[:80] for c in posted(api, channel)]}")


def wait_message(api: Any, where: Any) -> RecordedCall:
    """The newest posted or updated message matching ``where`` (waits up to 15 s)."""
    return api.wait_for(MESSAGES, where=where)[-1]


def answer_until_card(api: Any, send: Any) -> RecordedCall:
    """Press the offered choice (アドバイザー when asked what help) until the 課題カード asks for confirmation."""
    answered: list[int] = []
    for _ in range(8):
        call = wait_message(api, lambda c: bool(labels(c)) and id(c) not in answered)
        if "この内容で探す" in labels(call):
            return call
        answered.append(id(call))
        options = labels(call)
        send.click(call, "アドバイザー" if "アドバイザー" in options else options[0])
    raise AssertionError("the card never came")


def _contact_free(calls: list[RecordedCall], *secrets: str) -> bool:
    return not any(secret in json.dumps(c.params, ensure_ascii=False) for c in calls for secret in secrets)


def test_full_consultation_to_group_dm(slack_server: SlackServer) -> None:
    send, api, db = slack_server.send, slack_server.api, slack_server.db
    # 1. intake in a DM
    assert send.dm(PROBLEM, user=ENGINEER, channel="D0ENGINEER").status == 200
    card = answer_until_card(api, send)
    assert "課題カード" in texts_of(card) and "奈良県宇陀市" in texts_of(card)
    # 2. confirm the card → results with reasons, paged per kind, the consultation window
    assert send.click(card, "この内容で探す").status == 200
    results = wait_message(api, lambda c: "紹介を依頼" in labels(c))
    assert "アドバイザー" in texts_of(results)
    wait_message(api, lambda c: "相談窓口" in texts_of(c))
    # 3. request an introduction to the first advisor; make their contact a Slack user first
    first = next(b["accessory"] for b in results.params["blocks"] if b.get("accessory", {}).get("text", {}).get("text") == "紹介を依頼")
    advisor_id = int(first["value"].rsplit("|", 1)[-1])
    with db.session() as session:
        advisor = session.get(Advisor, advisor_id)
        advisor_name, old_contact = advisor.name, advisor.contact
        advisor.contact = ADVISOR
    assert send.click(results, "紹介を依頼").status == 200
    opened = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ADVISOR)[0]
    advisor_dm = opened.response["channel"]["id"]
    request = wait_message(api, lambda c: c.params["channel"] == advisor_dm and "お受けする" in labels(c))
    assert "今回は見送る" in labels(request) and "ご相談の内容" in texts_of(request)
    note = wait_message(api, lambda c: c.params["channel"] == SECRETARIAT and "紹介依頼" in texts_of(c))
    assert advisor_name in texts_of(note)
    # the requester is told what happens next; the pressed button shows what was chosen
    assert any("紹介を依頼しました" in texts_of(c) for c in posted(api, "D0ENGINEER"))
    assert any(c.method == "chat.update" and c.params["ts"] == results.response["ts"] for c in api.calls)
    # nobody sees a contact before acceptance: not the requester, not the advisor, not the secretariat's channel
    people = [c for c in posted(api) if c.params["channel"] != SECRETARIAT]
    assert _contact_free(people, ADVISOR, ENGINEER, old_contact or "@@none@@"), [texts_of(c) for c in people]
    assert _contact_free([note], ADVISOR, old_contact or "@@none@@")
    # 4. the advisor accepts in their DM → group DM with both, card and both contacts
    assert send.click(request, "お受けする", user=ADVISOR).status == 200
    group = api.wait_for("conversations.open", where=lambda c: "," in str(c.params.get("users")))[0]
    assert set(group.params["users"].split(",")) == {ENGINEER, ADVISOR}
    group_channel = group.response["channel"]["id"]
    introduced = wait_message(api, lambda c: c.params["channel"] == group_channel and "ご紹介" in texts_of(c))
    assert ADVISOR in texts_of(introduced) and ENGINEER in texts_of(introduced)
    wait_message(api, lambda c: c.params["channel"] == SECRETARIAT and "承諾" in texts_of(c))
    with db.session() as session:
        intro = session.scalar(select(Introduction).where(Introduction.target_id == advisor_id))
        assert intro is not None and intro.state == "accepted" and intro.requester_id == ENGINEER
    assert all(c.response.get("ok") for c in api.calls), [c.response for c in api.calls if not c.response.get("ok")]


def _to_results(server: SlackServer, channel: str = "D0ENGINEER", user: str = ENGINEER) -> RecordedCall:
    server.send.dm(PROBLEM, user=user, channel=channel)
    card = answer_until_card(server.api, server.send)
    server.send.click(card, "この内容で探す", user=user)
    return wait_message(server.api, lambda c: "紹介を依頼" in labels(c))


def _point_first_advisor_at(db: Database, results: RecordedCall, contact: str) -> int:
    first = next(b["accessory"] for b in results.params["blocks"] if b.get("accessory", {}).get("value", "").startswith("ir|"))
    advisor_id = int(first["value"].rsplit("|", 1)[-1])
    with db.session() as session:
        session.get(Advisor, advisor_id).contact = contact
    return advisor_id


def test_decline_tells_the_requester_and_offers_the_next_candidate(slack_server: SlackServer) -> None:
    send, api, db = slack_server.send, slack_server.api, slack_server.db
    results = _to_results(slack_server)
    _point_first_advisor_at(db, results, ADVISOR)
    send.click(results, "紹介を依頼")
    advisor_dm = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ADVISOR)[0].response["channel"]["id"]
    request = wait_message(api, lambda c: c.params["channel"] == advisor_dm and "今回は見送る" in labels(c))
    send.click(request, "今回は見送る", user=ADVISOR)
    news = wait_message(api, lambda c: c.params["channel"] != advisor_dm and "お受けできない" in texts_of(c))
    requester_dm = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ENGINEER)[0]
    assert news.params["channel"] == requester_dm.response["channel"]["id"]
    # (the secretariat's note also says 次の候補; the offer is the requester's message)
    offer = wait_message(api, lambda c: c.params["channel"] != SECRETARIAT and "次の候補" in texts_of(c))
    assert "紹介を依頼" in labels(offer)
    wait_message(api, lambda c: c.params["channel"] == SECRETARIAT and "辞退" in texts_of(c))
    assert not any("," in str(c.params.get("users")) for c in api.calls_to("conversations.open"))  # no group DM
    # the requester can ask the next candidate straight from that message
    send.click(offer, "紹介を依頼")
    wait_message(api, lambda c: "紹介を依頼しました" in texts_of(c) and c.params["channel"] == news.params["channel"])


def test_engine_more_button_shows_further_results(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    results = _to_results(slack_server)
    shown = len(posted(api))
    send.click(results, "もっと見る")
    more = wait_message(api, lambda c: posted(api).index(c) >= shown and c.method == "chat.update"
                        and "確認しています" not in texts_of(c) and c.params["ts"] != results.response["ts"])
    assert "アドバイザー" in texts_of(more)


def test_app_home_shows_consultations_and_introductions(slack_server: SlackServer) -> None:
    send, api, db = slack_server.send, slack_server.api, slack_server.db
    results = _to_results(slack_server)
    _point_first_advisor_at(db, results, ADVISOR)
    send.click(results, "紹介を依頼")
    api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ADVISOR)
    opened = send.event_callback({"type": "app_home_opened", "user": ENGINEER, "channel": "D0ENGINEER", "tab": "home",
                                  "event_ts": send.ts()})
    assert send.post_json(opened).status == 200
    home = api.wait_for("views.publish")[0]
    assert home.params["user_id"] == ENGINEER and home.response["ok"]
    text = texts_of(home)
    assert "これまでの相談" in text and "奈良県宇陀市" in text and "返事待ち" in text
    assert ADVISOR not in text
    advisor_home = send.event_callback({"type": "app_home_opened", "user": ADVISOR, "channel": "D0ADVISOR",
                                        "tab": "home", "event_ts": send.ts()})
    send.post_json(advisor_home)
    theirs = api.wait_for("views.publish", 2)[1]
    assert theirs.params["user_id"] == ADVISOR and "依頼を受けた" in texts_of(theirs)
    assert ENGINEER not in texts_of(theirs)


@pytest.mark.parametrize("text, shown", [("事例 橋梁 代行", "事例｜"), ("研修 橋梁 点検", "研修・視察｜"),
                                         ("近隣 橋梁 点検", "近隣の技術者｜")])
def test_slash_lookup_acks_at_once_and_answers_in_the_dm(slack_server: SlackServer, text: str, shown: str) -> None:
    send, api = slack_server.send, slack_server.api
    with slack_server.db.session() as session:  # 近隣 needs to know where the user works
        session.add(UserProfile(platform="slack", user_id=ENGINEER, prefecture="奈良県", municipality="宇陀市"))
    answer = send.command(text, channel="C0GENERAL")
    assert answer.status == 200 and answer.json()["response_type"] == "ephemeral" and "DM" in answer.json()["text"]
    users = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ENGINEER)[0]
    dm = users.response["channel"]["id"]
    found = wait_message(api, lambda c: c.params["channel"] == dm and shown in texts_of(c))
    assert found.response["ok"]


def test_consultation_modal_opens_validates_and_starts_in_the_dm(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    assert send.command("相談").status == 200
    opened = api.wait_for("views.open")[0]
    view = opened.params["view"]
    assert opened.response["ok"] and view["callback_id"] == "gm:consult"
    empty = send.view_submission(view, {"problem": {"text": {"type": "plain_text_input", "value": "  "}}})
    assert empty.status == 200 and empty.json()["response_action"] == "errors" and "problem" in empty.json()["errors"]
    ok = send.view_submission(view, {"problem": {"text": {"type": "plain_text_input", "value": PROBLEM}}})
    assert ok.status == 200 and ok.body in (b"", b"{}")
    dm = api.wait_for("conversations.open", where=lambda c: c.params.get("users") == ENGINEER)[0].response["channel"]["id"]
    quoted = wait_message(api, lambda c: c.params["channel"] == dm and "村道の橋の点検" in texts_of(c))
    assert quoted.params["blocks"][0]["text"]["text"].startswith("> ")
    wait_message(api, lambda c: c.params["channel"] == dm and "奈良県宇陀市" in texts_of(c) and "確認" not in texts_of(c)
                 and c is not quoted)


def test_home_start_button_opens_the_modal(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    payload = {"type": "block_actions", "user": {"id": ENGINEER, "username": "e", "name": "e", "team_id": "T0GUNMANE"},
               "api_app_id": "A0GUNMANE", "token": "t", "container": {"type": "view", "view_id": "V0HOME"},
               "trigger_id": "1.2.home", "team": {"id": "T0GUNMANE", "domain": "gunmane-test"},
               "view": {"id": "V0HOME", "type": "home", "callback_id": "", "blocks": []},
               "actions": [{"action_id": "gm:home:start", "block_id": "b", "type": "button", "value": "start",
                            "text": {"type": "plain_text", "text": "相談を始める"}, "action_ts": "1.3"}]}
    assert send.post_payload(payload).status == 200
    assert api.wait_for("views.open")[0].params["trigger_id"] == "1.2.home"


def test_a_conversation_started_by_a_mention_continues_in_its_thread(slack_server: SlackServer) -> None:
    send, api = slack_server.send, slack_server.api
    _, ts = send.mention(PROBLEM, channel="C0GENERAL")
    question = wait_message(api, lambda c: bool(labels(c)))
    assert question.params["channel"] == "C0GENERAL"
    assert api.calls_to("chat.postMessage")[0].params["thread_ts"] == ts  # the reply went into the mention's thread
    options = labels(question)
    send.click(question, "アドバイザー" if "アドバイザー" in options else options[0])
    follow_up = wait_message(api, lambda c: c.method == "chat.postMessage" and "確認しています" in texts_of(c)
                             and c is not api.calls_to("chat.postMessage")[0])
    assert follow_up.params["channel"] == "C0GENERAL" and follow_up.params["thread_ts"] == ts
    answer = wait_message(api, lambda c: c.method == "chat.update" and c.params["ts"] == follow_up.response["ts"])
    assert answer.params["channel"] == "C0GENERAL"
    assert "こんにちは" not in texts_of(answer)  # the same conversation went on; no fresh greeting


def test_someone_else_pressing_a_button_in_a_channel_thread_changes_nothing_for_the_owner(
    slack_server: SlackServer,
) -> None:
    send, api = slack_server.send, slack_server.api
    _, ts = send.mention(PROBLEM, channel="C0GENERAL")
    question = wait_message(api, lambda c: bool(labels(c)))
    question_ts = question.params.get("ts") or question.response["ts"]
    send.click(question, labels(question)[0], user="U0STRANGER")
    reply = wait_message(api, lambda c: c.method == "chat.update" and c.params["ts"] != question_ts)
    assert reply.params["channel"] == "C0GENERAL"  # the stranger is answered in the thread …
    # … and the owner's buttons were not taken away
    assert not any(c.method == "chat.update" and c.params["ts"] == question_ts and c is not question for c in api.calls)
