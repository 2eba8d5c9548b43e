"""`/gunmane admin` over real HTTP with the fake Slack Web API: secretariat only, every entry point."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bot.slack.admin import (
    ADD_ACTION,
    ADVISOR_VIEW,
    APPROVE_ACTION,
    POST_ACTION,
    REASSIGN_ACTION,
    REASSIGN_VIEW,
    SUMMARY_ACTION,
    advisor_view,
)
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI
from bot.relay.jobs import send_followups
from bot.relay.senders import SenderRegistry
from bot.slack.sender import make_sender
from bot.slack.server import HttpServer
from bot.secretariat import curation
from bot.secretariat import introductions as intros
from knowledge import audit
from knowledge.models import utcnow
from knowledge.settings import Settings

SECRET = "test-signing-secret"
SEC, OUTSIDER = "U0SECRET1", "U0OUTSIDE"


class Slack:
    def __init__(self, url: str, api: FakeSlackAPI, cfg: Settings) -> None:
        self.url, self.api, self.cfg = url, api, cfg

    def post(self, body: str, content_type: str) -> tuple[int, str]:
        ts = str(int(time.time()))
        signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def command(self, user: str, text: str) -> tuple[int, str]:
        form = {"command": "/gunmane", "text": text, "user_id": user, "team_id": "T0GUNMANE", "channel_id": "D0DM",
                "trigger_id": "trig-1", "response_url": self.api.response_url("cmd"), "token": "x"}
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def _payload(self, payload: dict[str, Any]) -> tuple[int, str]:
        return self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    def button(self, user: str, action_id: str, value: str, channel: str = "D0DM") -> tuple[int, str]:
        return self._payload({
            "type": "block_actions", "user": {"id": user}, "team": {"id": "T0GUNMANE"}, "trigger_id": "trig-2",
            "api_app_id": "A1", "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
            "channel": {"id": channel}, "response_url": self.api.response_url("act"),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": "1.2"}]})

    def dm(self, user: str, channel: str, text: str) -> tuple[int, str]:
        event = {"type": "message", "user": user, "text": text, "ts": f"{time.time():.6f}", "channel": channel,
                 "channel_type": "im"}
        return self.post(json.dumps({"type": "event_callback", "team_id": "T0GUNMANE", "event": event,
                                     "event_id": f"Ev{time.time_ns()}"}), "application/json")

    def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> tuple[int, str]:
        return self._payload({"type": "view_submission", "user": {"id": user}, "team": {"id": "T0GUNMANE"},
                              "api_app_id": "A1", "trigger_id": "trig-3",
                              "view": {**view, "id": "V1", "state": {"values": values}}})


@pytest.fixture
def slack(people, settings) -> Iterator[Slack]:
    with FakeSlackAPI() as api:
        cfg = Settings(**{**settings.model_dump(), "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
                          "slack_api_url": api.url, "secretariat_users": [SEC],
                          "slack_secretariat_channel": "C0SECRETARIAT"})
        server = HttpServer(build_app(cfg, people), cfg, host="127.0.0.1", port=0).start()
        try:
            yield Slack(server.url, api, cfg)
        finally:
            server.stop()


def _advisor_values(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name in ("fields", "processes", "regions"):
            element = {"type": "multi_static_select", "selected_options": [{"value": v} for v in value]}
        elif name in ("kind", "prefecture", "status"):
            element = {"type": "static_select", "selected_option": {"value": value}}
        else:
            element = {"type": "plain_text_input", "value": value}
        values[f"f_{name}"] = {f"v_{name}": element}
    return values


def _request(db, ext_id="adv-t1"):
    with db.session() as session:
        target = curation.find(session, "advisor", ext_id).id
        return intros.request(session, requester_platform="slack", requester_id="U0REQUEST", target_kind="advisor",
                              target_id=target).id


def test_admin_menu_for_secretariat_and_refusal_for_others(slack):
    status, body = slack.command(SEC, "admin")
    assert status == 200 and ADD_ACTION in body
    status, body = slack.command(OUTSIDER, "admin")
    assert status == 200 and "事務局のメンバーだけ" in body and ADD_ACTION not in body
    for sub in ("add", "edit adv-t1", "intros", "summary", "post"):
        status, body = slack.command(OUTSIDER, f"admin {sub}")
        assert "事務局のメンバーだけ" in body, sub
    assert slack.api.calls_to("views.open") == []
    assert slack.api.calls_to("files.completeUploadExternal") == []


def test_add_advisor_through_the_modal(slack, people):
    status, _ = slack.command(SEC, "admin add")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == ADVISOR_VIEW
    values = _advisor_values(id="adv-new", name="架空 新人", expertise="舗装の維持管理", fields=["pavement"],
                             prefecture="奈良県", municipality="宇陀市", capacity="2")
    status, body = slack.submit(SEC, advisor_view(), values)
    assert status == 200 and "errors" not in body
    with people.session() as session:
        row = curation.find(session, "advisor", "adv-new")
        assert row.capacity == 2 and row.fields == ["pavement"]
        assert audit.history(session, kind="advisor", record_id="adv-new")[-1].actor == f"slack:{SEC}"


def test_invalid_modal_shows_errors_in_the_modal(slack, people):
    values = _advisor_values(id="bad id!", name="x", expertise="y", prefecture="奈良県", municipality="存在しない町")
    status, body = slack.submit(SEC, advisor_view(), values)
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert {"f_id", "f_municipality"} <= set(answer["errors"])
    with people.session() as session:
        assert curation.list_records(session, "advisor", prefecture="奈良県")[0].ext_id == "adv-t1"


def test_edit_modal_prefilled_and_saved(slack, people):
    slack.command(SEC, "admin edit adv-t1")
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert view["private_metadata"] == "adv-t1"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["f_name"]["element"]["initial_value"] == "架空 橋太郎"
    values = _advisor_values(name="架空 橋太郎", expertise="橋梁の点検", capacity="5", fields=["bridge"])
    status, body = slack.submit(SEC, view, values)
    assert status == 200 and "errors" not in body
    with people.session() as session:
        assert curation.find(session, "advisor", "adv-t1").capacity == 5


def test_outsider_cannot_replay_admin_buttons_or_views(slack, people):
    intro_id = _request(people)
    for action_id, value in ((APPROVE_ACTION, str(intro_id)), (REASSIGN_ACTION, str(intro_id)),
                             (ADD_ACTION, "-"), (SUMMARY_ACTION, "-"), (POST_ACTION, "-")):
        status, _ = slack.button(OUTSIDER, action_id, value)
        assert status == 200
    refusals = slack.api.wait_for("response_url", 5)
    assert all("事務局のメンバーだけ" in c.params.get("text", "") for c in refusals)
    status, body = slack.submit(OUTSIDER, advisor_view(), _advisor_values(id="adv-evil", name="x", expertise="y"))
    assert json.loads(body)["response_action"] == "errors"
    reassign = {"type": "modal", "callback_id": REASSIGN_VIEW, "private_metadata": str(intro_id), "blocks": []}
    status, body = slack.submit(OUTSIDER, reassign, {"f_target": {"v_target": {
        "type": "static_select", "selected_option": {"value": "adv-t2"}}}})
    assert json.loads(body)["response_action"] == "errors"
    with people.session() as session:
        assert intros.get(session, intro_id).state == "requested"
        assert len(intros.list_introductions(session)) == 1
        with pytest.raises(Exception):
            curation.find(session, "advisor", "adv-evil")
    assert slack.api.calls_to("views.open") == []


def test_pending_list_approve_and_reassign(slack, people):
    first, second = _request(people), _request(people, "adv-t2")
    status, body = slack.command(SEC, "admin intros")
    assert f"#{first}" in body and APPROVE_ACTION in body and REASSIGN_ACTION in body
    slack.button(SEC, APPROVE_ACTION, str(first))
    slack.api.wait_for("response_url", where=lambda c: "承諾として記録" in c.params.get("text", ""))
    with people.session() as session:
        assert intros.get(session, first).state == "accepted"
    slack.button(SEC, REASSIGN_ACTION, str(second))
    view = slack.api.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == REASSIGN_VIEW
    status, body = slack.submit(SEC, view, {"f_target": {"v_target": {
        "type": "static_select", "selected_option": {"value": "adv-t1"}}}})
    # The requester already has an accepted introduction with adv-t1: shown in the modal, nothing changes.
    assert "already has introduction" in json.loads(body)["errors"]["f_target"]
    with people.session() as session:
        assert intros.get(session, second).state == "requested"
    secretariat_posts = slack.api.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == "C0SECRETARIAT")
    assert f"#{first}" in secretariat_posts[0].params["text"]


def test_reassign_submission_creates_new_request(slack, people):
    intro_id = _request(people, "adv-t2")
    view = {"type": "modal", "callback_id": REASSIGN_VIEW, "private_metadata": str(intro_id), "blocks": []}
    status, body = slack.submit(SEC, view, {"f_target": {"v_target": {
        "type": "static_select", "selected_option": {"value": "adv-t1"}}}})
    assert status == 200 and "errors" not in body
    with people.session() as session:
        old = intros.get(session, intro_id)
        assert old.state == "declined" and old.extra["reassigned_to"]


def test_summary_and_post_to_secretariat_channel(slack, people):
    status, body = slack.command(SEC, "admin summary")
    assert "見える化サマリー" in body
    slack.command(SEC, "admin post")
    completed = slack.api.wait_for("files.completeUploadExternal")[0]
    assert completed.params["channel_id"] == "C0SECRETARIAT"
    assert "見える化サマリー" in completed.params["initial_comment"]
    uploads = slack.api.wait_for("upload", 2)
    assert all(call.params["bytes"] > 10_000 for call in uploads)


def test_followup_answer_only_by_the_person_asked(slack, people):
    """The follow-up is answered through the engine: a rating button, then the comment typed in the DM."""
    intro_id = _request(people)
    with people.session() as session:
        intros.accept(session, intro_id, actor="t")
        intros.get(session, intro_id).accepted_at = utcnow() - timedelta(days=40)
    sender = make_sender(slack.cfg, people)
    assert sender is not None
    assert send_followups(people, slack.cfg, SenderRegistry([sender])).intro_ids == [intro_id]
    dm = slack.api.wait_for("conversations.open", where=lambda c: c.params.get("users") == "U0REQUEST")[0]
    channel = dm.response["channel"]["id"]
    (question,) = [c for c in slack.api.calls_to("chat.postMessage") if c.params["channel"] == channel]
    buttons = {e["text"]["text"]: e for b in question.params["blocks"] if b["type"] == "actions"
               for e in b["elements"]}
    assert set(buttons) == {"1", "2", "3", "4", "5"}
    four = buttons["4"]
    slack.button(OUTSIDER, four["action_id"], four["value"], channel=channel)
    slack.api.wait_for(("chat.postMessage", "chat.update"), where=lambda c: "回答できません" in str(c.params))
    slack.button("U0REQUEST", four["action_id"], four["value"], channel=channel)
    slack.api.wait_for(("chat.postMessage", "chat.update"), where=lambda c: "評価 4" in str(c.params))
    with people.session() as session:
        assert intros.get(session, intro_id).rating == 4
    slack.dm("U0REQUEST", channel, "参考になりました")
    slack.api.wait_for(("chat.postMessage", "chat.update"), where=lambda c: "ありがとうございました" in str(c.params))
    with people.session() as session:
        intro = intros.get(session, intro_id)
        assert (intro.rating, intro.comment) == (4, "参考になりました")


def test_an_unknown_record_id_is_not_echoed_as_a_mention(slack):
    """Issue 16 item 13, in the admin: the id typed after `edit` comes back escaped."""
    status, body = slack.command(SEC, "admin edit <!channel>")
    assert status == 200
    assert "&lt;!channel&gt;" in body and "<!channel>" not in body
