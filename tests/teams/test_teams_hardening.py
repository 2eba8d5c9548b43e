"""Issue 16, items 4, 5, 6 and 16: the Teams endpoint against hostile text, forged serviceUrls, odd bodies,
and its signed-token path against a local issuer (bot/teams/fake_issuer.py)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal.msal_auth import MsalAuth
from pydantic import SecretStr
from teams_stack import TENANT, TeamsStack, TeamsUser, card_choices, post_json, start_endpoint

from bot.teams.activities import MAX_TEXT_CHARS, message_text
from bot.teams.auth import teams_auth
from bot.teams.fake_connector import FakeConnector
from bot.teams.fake_issuer import FakeIssuer, new_key
from bot.teams.guard import MAX_BODY_BYTES, MAX_DEPTH, Refused, ServiceUrlRule
from bot.teams.references import ReferenceStore
from bot.teams.server import MESSAGES_PATH
from knowledge.db import Database
from knowledge.settings import Settings

APP_ID = "00000000-1111-2222-3333-444444444444"
TENANT_ID = "55555555-6666-7777-8888-999999999999"
OUTBOUND = "outbound-test-token"


def _text_of(text: str, **fields: Any) -> str:
    return message_text(Activity.model_validate({"type": "message", "text": text, **fields}))


# ---------------------------------------------------------------- item 4: mentions, sizes, the event loop

@pytest.mark.parametrize(("text", "expected"), [
    ("<at>gunmane</at> 橋の点検", "橋の点検"),
    ("<AT>gunmane</AT>橋 <at id=\"1\">田中</at>さん", "橋 田中さん"),
    ("<at>" * 200_000, ""),
    ("<at" * 200_000 + "x", ("<at" * 200_000)[:MAX_TEXT_CHARS]),
    ("</at>" * 100_000 + "橋", ""),
    ("</at>" * 10 + "橋", "橋"),
    ("<at>a" * 100_000, "a" * (MAX_TEXT_CHARS // 5)),
    ("<attic>は残る", "<attic>は残る"),
])
def test_mention_stripping_is_linear_and_right_on_hostile_text(text: str, expected: str) -> None:
    """The old pattern took ~29 s on "<at>" × 20,000; these texts are ten times longer (a quadratic
    implementation would not finish). The text is cut at MAX_TEXT_CHARS before any mention is looked for."""
    assert _text_of(text) == expected


def test_the_bots_own_mention_entity_is_removed() -> None:
    fields = {"recipient": {"id": "28:bot", "name": "gunmane"},
              "entities": [{"type": "mention", "text": "<at>ぐんまね</at>", "mentioned": {"id": "28:bot"}}]}
    assert _text_of("相談です <at>ぐんまね</at> 橋", **fields) == "相談です  橋"


def test_a_flood_of_mention_tags_does_not_hold_up_another_user(teams_http: TeamsStack) -> None:
    """The flood and a 「ヘルプ」 sent at the same time are both answered (the text work runs off the loop)."""
    flood_user, helper = teams_http.user("aad-flood"), teams_http.user("aad-helper")
    flood = flood_user.activity(text="<at>" * 50_000)
    assert len(json.dumps(flood)) < MAX_BODY_BYTES
    results: dict[str, int] = {}
    worker = threading.Thread(target=lambda: results.update(flood=post_json(teams_http.endpoint, flood)[0]))
    worker.start()
    assert helper.says("ヘルプ") == 202
    worker.join(timeout=120)
    assert results == {"flood": 202}
    assert teams_http.messages_to(helper)


def test_a_body_over_the_cap_is_refused_unread(teams_http: TeamsStack) -> None:
    user = teams_http.user("aad-big")
    status, answer = post_json(teams_http.endpoint, user.activity(text="橋" * MAX_BODY_BYTES))
    assert status == 413
    assert teams_http.connector.log.calls() == []


# ---------------------------------------------------------------- item 6: 4xx, never 500

def _nested(depth: int) -> str:
    return '{"a":' * depth + '"x"' + "}" * depth


def _body(activity: dict[str, Any]) -> bytes:
    """The activity as JSON; a value ``DEEP:n`` becomes an object nested n deep (json.dumps cannot)."""
    text = json.dumps(activity)
    for key, value in activity.items():
        if isinstance(value, str) and value.startswith("DEEP:"):
            text = text.replace(json.dumps(value), _nested(int(value[5:])))
    return text.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize(("fields", "status"), [
    ({"channelData": "DEEP:1000"}, 400),
    ({"value": "DEEP:40000"}, 400),
    ({"value": f"DEEP:{MAX_DEPTH + 1}"}, 400),
    ({"serviceUrl": "not a url"}, 400),
    ({"serviceUrl": "file:///etc/passwd"}, 400),
    ({"serviceUrl": "javascript:alert(1)"}, 400),
    ({"serviceUrl": "http://127.0.0.1:99999/"}, 400),
    ({"serviceUrl": "//127.0.0.1/"}, 400),
    ({"serviceUrl": "http://127.0.0.1:0/"}, 400),
    ({"serviceUrl": 7}, 400),
    # found by scripts/fuzz.py: the SDK failed on these after the endpoint let them in
    ({"channelId": ""}, 400), ({"from": {"name": "x"}}, 400), ({"type": "FUZZMARKER"}, 400),
    ({"text": "\ud800"}, 202),
])
def test_odd_activities_are_4xx_with_a_log_line(
    teams_http: TeamsStack, caplog: pytest.LogCaptureFixture, fields: dict[str, Any], status: int
) -> None:
    user = teams_http.user("aad-odd")
    answer_status, _ = post_json(teams_http.endpoint, _body(user.activity(**fields)))
    assert answer_status == status
    if status == 400:
        assert any("rejected a malformed activity" in r.getMessage() for r in caplog.records)
        assert not any("FUZZMARKER" in r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
        assert teams_http.connector.log.calls() == []
    assert user.says("こんにちは") == 202   # the server still answers
    assert teams_http.messages_to(user)


def test_an_invoke_gets_the_empty_200_the_protocol_expects(teams_http: TeamsStack) -> None:
    user = teams_http.user("aad-invoke")
    status, answer = post_json(teams_http.endpoint, user.activity(type="invoke", name="adaptiveCard/action"))
    assert (status, json.loads(answer)) == (200, {})
    assert teams_http.connector.log.calls() == []


# ---------------------------------------------------------------- item 5: where replies may go

@pytest.mark.parametrize("service_url", [
    "http://10.0.0.1/internal/", "https://smba.trafficmanager.net/jp/", "http://169.254.169.254/latest/meta-data/",
    "http://localhost.evil.example/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0:8080/",
])
def test_without_credentials_only_a_loopback_service_url_is_answered(
    teams_http: TeamsStack, db: Database, service_url: str
) -> None:
    """Refused before the activity is stored as a conversation reference or answered."""
    user = teams_http.user("aad-ssrf")
    status, _ = post_json(teams_http.endpoint, user.activity(text="こんにちは", serviceUrl=service_url))
    assert status == 403
    assert ReferenceStore(db).get("aad-ssrf") is None
    assert teams_http.connector.log.calls() == []
    assert user.says("こんにちは") == 202 and ReferenceStore(db).get("aad-ssrf") is not None


@pytest.mark.parametrize(("url", "claimed", "refused"), [
    ("https://smba.trafficmanager.net/jp/", "https://smba.trafficmanager.net/jp/", None),
    ("https://smba.trafficmanager.net/jp", "https://smba.trafficmanager.net/jp/", None),
    ("https://emea.botframework.com/", "https://emea.botframework.com/", None),
    ("https://smba.trafficmanager.net/jp/", None, 403),
    ("https://smba.trafficmanager.net/jp/", "https://smba.trafficmanager.net/amer/", 403),
    ("https://evil.example/", "https://evil.example/", 403),
    ("https://botframework.com.evil.example/", "https://botframework.com.evil.example/", 403),
    ("http://smba.trafficmanager.net/jp/", "http://smba.trafficmanager.net/jp/", 403),
    ("https://user@smba.trafficmanager.net/", "https://user@smba.trafficmanager.net/", 400),
    ("https://smba.trafficmanager.net:99999/", "https://smba.trafficmanager.net:99999/", 400),
])
def test_with_credentials_the_service_url_is_the_tokens_and_on_the_allow_list(
    url: str, claimed: str | None, refused: int | None
) -> None:
    rule = ServiceUrlRule()
    if refused is None:
        rule.check(url, claimed)
        return
    with pytest.raises(Refused) as caught:
        rule.check(url, claimed)
    assert caught.value.status == refused


# ---------------------------------------------------------------- item 16: the signed-token path

@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    with FakeIssuer() as fake, fake.trusted():
        yield fake


@pytest.fixture
def secured_stack(db: Database, settings: Settings, connector: FakeConnector,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[TeamsStack]:
    """The endpoint with credentials, the tenant set and loopback on the allow-list; MSAL's outbound token is
    a fixed string (there is no Entra ID here)."""

    async def fixed_token(self: object, *args: object, **kwargs: object) -> str:
        return OUTBOUND

    monkeypatch.setattr(MsalAuth, "get_access_token", fixed_token)
    configured = settings.model_copy(update={
        "teams_app_id": APP_ID, "teams_app_password": SecretStr("not-a-real-secret"),
        "teams_tenant_id": TENANT_ID, "teams_service_hosts": ["127.0.0.1"]})
    site = start_endpoint(db, configured, teams_auth(configured))
    try:
        yield TeamsStack(site.url + MESSAGES_PATH, connector)
    finally:
        site.stop()


def _signed(stack: TeamsStack, issuer: FakeIssuer, token: str, *, tenant: str = TENANT_ID,
            service_url: str | None = None) -> tuple[TeamsUser, int]:
    user = stack.user("aad-signed")
    activity = user.activity(text="こんにちは", serviceUrl=service_url or user.service_url,
                             conversation={"id": user.conversation_id, "conversationType": "personal",
                                           "tenantId": tenant},
                             channelData={"tenant": {"id": tenant}})
    return user, post_json(stack.endpoint, activity, {"Authorization": f"Bearer {token}"})[0]


def test_a_token_for_the_app_and_tenant_is_accepted_and_answered(secured_stack: TeamsStack, issuer: FakeIssuer) -> None:
    user, status = _signed(secured_stack, issuer, issuer.token(APP_ID, secured_stack.connector.url, tenant=TENANT_ID))
    assert status == 202
    replies = secured_stack.messages_to(user)
    assert replies and all(call.authorization == f"Bearer {OUTBOUND}" for call in replies)


def test_a_bot_framework_token_without_tid_is_accepted_for_the_tenants_activity(
    secured_stack: TeamsStack, issuer: FakeIssuer
) -> None:
    user, status = _signed(secured_stack, issuer, issuer.token(APP_ID, secured_stack.connector.url))
    assert status == 202
    assert secured_stack.messages_to(user)


@pytest.mark.parametrize("case", ["other app id", "other tenant in token", "other tenant in activity",
                                  "expired", "unknown key", "known kid, other key", "other serviceUrl",
                                  "not yet valid"])
def test_a_token_that_is_not_for_this_bot_is_refused(
    secured_stack: TeamsStack, issuer: FakeIssuer, case: str
) -> None:
    url = secured_stack.connector.url
    tenant = TENANT_ID
    service_url = None
    if case == "other app id":
        token = issuer.token("99999999-1111-2222-3333-444444444444", url, tenant=TENANT_ID)
    elif case == "other tenant in token":
        token = issuer.token(APP_ID, url, tenant="11111111-2222-3333-4444-555555555555")
    elif case == "other tenant in activity":
        token, tenant = issuer.token(APP_ID, url), "11111111-2222-3333-4444-555555555555"
    elif case == "expired":
        token = issuer.token(APP_ID, url, tenant=TENANT_ID, expires_in=-3600)
    elif case == "unknown key":
        token = issuer.token(APP_ID, url, tenant=TENANT_ID, key=new_key(), kid="another-key")
    elif case == "known kid, other key":
        token = issuer.token(APP_ID, url, tenant=TENANT_ID, key=new_key())
    elif case == "other serviceUrl":
        token, service_url = issuer.token(APP_ID, url), "http://127.0.0.1:9/"
    else:
        token = issuer.token(APP_ID, url, tenant=TENANT_ID, nbf=int(time.time()) + 3600)
    user, status = _signed(secured_stack, issuer, token, tenant=tenant, service_url=service_url)
    assert status in (401, 403)
    assert secured_stack.connector.log.calls() == []
    assert TENANT != TENANT_ID   # the plain test users' tenant is not the configured one


def test_a_lone_surrogate_gets_a_real_reply_not_a_failure(teams_http: TeamsStack) -> None:
    """An activity's JSON may carry ``"\\ud800"``: the engine reads it as U+FFFD and carries on."""
    user = teams_http.user("aad-surrogate")
    text = "橋梁の点検\ud800について相談したいです。補修の優先順位の付け方\udfffを知りたい"
    for typed in (text, "奈良県宇陀市\udc80"):
        raw = json.dumps(user.activity(text=typed)).encode()
        assert b"\\ud" in raw or b"\\udc80" in raw
        assert post_json(teams_http.endpoint, raw)[0] == 202
    choices = {title: value for call in teams_http.messages_to(user) for title, value in card_choices(call).items()}
    assert "この内容で探す" in choices
    assert user.clicks(choices["この内容で探す"]) == 202   # the consultation is stored now
    said = json.dumps([call.body for call in teams_http.messages_to(user)], ensure_ascii=False)
    assert "うまく処理できませんでした" not in said and "\\ud800" not in said


def test_a_token_of_another_tenant_is_refused_before_the_body_is_read(
    secured_stack: TeamsStack, issuer: FakeIssuer
) -> None:
    """Found by scripts/fuzz.py: a token of another tenant with a broken body got 400, as if it were ours."""
    token = issuer.token(APP_ID, secured_stack.connector.url, tenant="11111111-2222-3333-4444-555555555555")
    status, _ = post_json(secured_stack.endpoint, b"{not json", {"Authorization": f"Bearer {token}"})
    assert status == 403
