"""「プロフィール登録」 in a Slack DM: the bot answers with the engineer's own profile link, which the portal opens."""

from __future__ import annotations

import re

from pydantic import SecretStr
from starlette.testclient import TestClient

from bot.secretariat import profiles
from bot.slack.app import build_app
from bot.slack.fake_api import FakeSlackAPI
from bot.slack.server import HttpServer
from bot.web.app import create_app
from knowledge.db import Database
from knowledge.settings import Settings
from tests.slack.conftest import SlackSender, texts_of

SECRET = "slack-profile-test-secret-" + "k" * 32
LINK = re.compile(r"https://portal\.example\.jp/profile/[A-Za-z0-9_.-]+")


def test_a_dm_asking_for_the_profile_page_gets_a_link_that_opens_it(
    sample_db: Database, slack_settings: Settings, fake_api: FakeSlackAPI,
) -> None:
    settings = slack_settings.model_copy(update={"web_base_url": "https://portal.example.jp",
                                                 "web_secret_key": SecretStr(SECRET)})
    server = HttpServer(build_app(settings, sample_db, mode="http"), settings, host="127.0.0.1", port=0).start()
    try:
        send = SlackSender(server.url, fake_api)
        assert send.dm("プロフィール登録", user="U0PROFILE", channel="D0PROFILE").status == 200
        answer = fake_api.wait_for(("chat.postMessage",), where=lambda c: bool(LINK.search(texts_of(c))))[-1]
    finally:
        server.stop()
    assert answer.params["channel"] == "D0PROFILE"
    link = LINK.search(texts_of(answer))
    assert link is not None
    token = link.group(0).rsplit("/", 1)[1]
    assert profiles.read_profile_token(token, settings=settings) == ("slack", "U0PROFILE")
    web = TestClient(create_app(settings.model_copy(update={"web_cookie_secure": False}), sample_db),
                     base_url="https://portal.example.jp")
    page = web.get(f"/profile/{token}")
    assert page.status_code == 200 and 'value="slack:U0PROFILE"' in page.text
