"""Access tokens by the service-account JWT grant, and sending, against the fake API over HTTP."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lineworks_stack import BOT_ID

from bot.dialogue.replies import Text
from bot.lineworks.api import REFRESH_MARGIN_S, AccessTokens, LineWorksApi, LineWorksApiError, Target
from bot.lineworks.config import LineWorksConfig, lineworks_config
from bot.lineworks.fake_api import FakeIdentity, FakeLineWorks
from bot.lineworks.sender import LineWorksSender, make_sender
from knowledge.db import Database
from knowledge.settings import Settings


@pytest.fixture
def config(lw_settings: Settings) -> LineWorksConfig:
    return lineworks_config(lw_settings)


class Clock:
    """Time that moves only when told (it starts now: the fake checks the JWT's times against real time)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_the_assertion_is_an_rs256_jwt_of_the_app_and_its_service_account(
    config: LineWorksConfig, app_key: rsa.RSAPrivateKey
) -> None:
    assertion = AccessTokens(config).assertion()
    assert jwt.get_unverified_header(assertion)["alg"] == "RS256"
    claims = jwt.decode(assertion, app_key.public_key(), algorithms=["RS256"])
    assert claims["iss"] == config.client_id and claims["sub"] == config.service_account
    assert 0 < claims["exp"] - claims["iat"] <= 3600


def test_a_token_is_kept_until_shortly_before_it_expires(config: LineWorksConfig, app_key: rsa.RSAPrivateKey) -> None:
    who = FakeIdentity(BOT_ID, config.client_id, config.client_secret, config.service_account, app_key.public_key(),
                       expires_in=REFRESH_MARGIN_S + 10)
    with FakeLineWorks(who) as short_lived:
        clock = Clock()
        tokens = AccessTokens(replace(config, auth_url=short_lived.auth_url), clock=clock)
        first = tokens.get()
        clock.now += 9
        assert tokens.get() == first and len(short_lived.log.calls("token")) == 1
        clock.now += 2                               # now within the margin before its expiry
        assert tokens.get() != first and len(short_lived.log.calls("token")) == 2


def test_after_a_401_the_api_gets_a_new_token_and_sends_again(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    api = LineWorksApi(config)
    api.send(Target("user", "someone"), {"type": "text", "text": "一通目"})
    fake.log.revoke_tokens()
    api.send(Target("user", "someone"), {"type": "text", "text": "二通目"})
    assert [c.status for c in fake.log.calls("user")] == [201, 401, 201]
    assert len(fake.log.calls("token")) == 2
    assert [c.content["text"] for c in fake.log.delivered("someone")] == ["一通目", "二通目"]


def test_a_message_breaking_a_limit_is_refused_with_the_status_and_code(
    config: LineWorksConfig, fake: FakeLineWorks
) -> None:
    with pytest.raises(LineWorksApiError) as refused:
        LineWorksApi(config).send(Target("channel", "room"), {"type": "text", "text": "x" * 2001})
    assert refused.value.status == 400 and "INVALID_PARAMETER" in str(refused.value)
    assert "xxxx" not in str(refused.value)                       # never the message itself


def test_a_wrong_client_secret_is_refused_naming_the_settings_to_check(
    config: LineWorksConfig, fake: FakeLineWorks
) -> None:
    wrong = replace(config, client_secret="not-the-secret")
    with pytest.raises(LineWorksApiError) as refused:
        AccessTokens(wrong).get()
    assert "GUNMANE_LINEWORKS_CLIENT_SECRET" in str(refused.value) and refused.value.status == 400


def test_a_key_that_is_not_the_apps_is_refused(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(LineWorksApiError):
        AccessTokens(replace(config, private_key=other)).get()


def test_an_unreachable_api_is_an_error_that_says_where(config: LineWorksConfig) -> None:
    nowhere = replace(config, auth_url="http://127.0.0.1:9/oauth2/v2.0/token")
    with pytest.raises(LineWorksApiError, match="unreachable at 127.0.0.1:9"):
        LineWorksApi(nowhere).send(Target("user", "u"), {"type": "text", "text": "x"})


def test_the_bot_id_is_the_one_in_the_path(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    LineWorksApi(config).send(Target("user", "u 1/2"), {"type": "text", "text": "x"})
    assert fake.log.delivered("u 1/2") and config.bot_id == BOT_ID


@dataclass(frozen=True)
class Shown:
    """Anything with replies and a language, as the engine's deliveries are."""

    replies: tuple[Text, ...]
    language: str = "ja"


NOTE = Shown((Text("【リマインド】紹介依頼 #7 へのお返事をお待ちしています"),))


def test_a_delivery_reaches_each_user_in_their_own_chat(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    sender = LineWorksSender(LineWorksApi(config))
    assert sender.platform == "lineworks"
    assert sender.send(NOTE, ["target-user", "requester-user"]) is True
    for user in ("target-user", "requester-user"):
        (call,) = fake.log.delivered(user)
        assert call.kind == "user" and "リマインド" in call.content["text"]


def test_a_delivery_lost_in_an_outage_reports_false(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    fake.log.outage(503)
    assert LineWorksSender(LineWorksApi(config)).send(NOTE, ["target-user"]) is False
    assert LineWorksSender(LineWorksApi(config)).send(NOTE, []) is False


def test_the_secretariat_is_its_lineworks_members_only(config: LineWorksConfig, fake: FakeLineWorks) -> None:
    members = ["U0SLACK1", "teams:aad-1", "lineworks:secretariat-1", "lineworks: ", "lineworks:secretariat-2"]
    assert LineWorksSender(LineWorksApi(config), secretariat_users=members).send_to_secretariat(NOTE) is True
    assert {c.target for c in fake.log.delivered()} == {"secretariat-1", "secretariat-2"}
    assert LineWorksSender(LineWorksApi(config), secretariat_users=["U0SLACK1"]).send_to_secretariat(NOTE) is False


def test_make_sender_is_none_until_lineworks_is_configured(settings: Settings, lw_settings: Settings,
                                                           db: Database) -> None:
    assert make_sender(settings, db) is None
    sender = make_sender(lw_settings.model_copy(update={"secretariat_users": ["lineworks:s-1"]}), db)
    assert sender is not None and sender.secretariat == ["s-1"]
