"""The bot hands out the profile link: 「プロフィール登録」 in the terminal chat, and the link opens the page."""

from __future__ import annotations

import re

from pydantic import SecretStr
from starlette.testclient import TestClient
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.dialogue.cleaning import command_of
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.replies import ConversationKey, IncomingMessage, Text
from bot.secretariat import profiles
from bot.web.app import create_app
from knowledge.db import Database
from knowledge.settings import Settings
from matching.embedders.fake import FakeEmbedder
from tests.web.conftest import SECRET

LINK = re.compile(r"http://portal\.test/profile/[A-Za-z0-9_.-]+")


def test_the_command_words() -> None:
    for words in ("プロフィール登録", "登録", "プロフィール", "profile", "Profile.", "ＰＲＯＦＩＬＥ"):
        assert command_of(words) == "profile", words
    assert command_of("プロフィールを登録したい相談です") is None   # a sentence is not a command


def test_the_terminal_chat_gives_a_working_link(sample: Database, cli_env: dict[str, str],
                                                web_settings: Settings) -> None:
    env = {**cli_env, "GUNMANE_WEB_BASE_URL": "http://portal.test", "GUNMANE_WEB_SECRET_KEY": SECRET}
    result = CliRunner().invoke(cli, ["chat", "--user", "kikaku"], input="プロフィール登録\n", env=env)
    assert result.exit_code == 0, result.output
    found = LINK.search(result.output)
    assert found, result.output
    assert "7日間有効" in result.output
    assert profiles.read_profile_token(found.group(0).rsplit("/", 1)[1], settings=web_settings) == (
        "terminal", "kikaku")
    page = TestClient(create_app(web_settings, sample)).get(found.group(0).removeprefix("http://portal.test"))
    assert page.status_code == 200 and 'value="terminal:kikaku"' in page.text


def test_without_the_portal_the_bot_says_it_is_not_available(sample: Database, cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["chat", "--user", "kikaku"], input="プロフィール登録\nprofile\n",
                                env={**cli_env, "GUNMANE_WEB_BASE_URL": ""})
    assert result.exit_code == 0, result.output
    assert "用意されていません" in result.output and "not available" in result.output
    assert "/profile/" not in result.output


def test_the_link_in_a_consultation_keeps_its_place(sample: Database, web_settings: Settings) -> None:
    engine = DialogueEngine(sample, web_settings, embedder=FakeEmbedder())
    key = ConversationKey("teams", "tenant", "conv", "aad-object-1")
    first = engine.handle(key, IncomingMessage("奈良県宇陀市です。橋の点検を頼める人がいない"))
    asked = [r for r in first.replies if not isinstance(r, Text)]
    assert asked, "the consultation asks something first"
    turn = engine.handle(key, IncomingMessage("profile"))
    texts = [r.text for r in turn.replies if isinstance(r, Text)]
    assert texts and LINK.search(texts[0])
    assert len(turn.replies) >= 2   # the question of the step it was at comes again
    token = LINK.search(texts[0]).group(0).rsplit("/", 1)[1]  # type: ignore[union-attr]
    assert profiles.read_profile_token(token, settings=web_settings) == ("teams", "aad-object-1")


def test_a_user_id_no_link_can_name_gets_the_not_available_answer(sample: Database, web_settings: Settings) -> None:
    engine = DialogueEngine(sample, web_settings.model_copy(update={"web_secret_key": SecretStr(SECRET)}),
                            embedder=FakeEmbedder())
    turn = engine.handle(ConversationKey("slack", "T", "D", "U" * 200), IncomingMessage("登録"))
    texts = [r.text for r in turn.replies if isinstance(r, Text)]
    assert texts and "用意されていません" in texts[-1] and "/profile/" not in " ".join(texts)


def test_the_help_names_the_profile_command(sample: Database, web_settings: Settings) -> None:
    engine = DialogueEngine(sample, web_settings, embedder=FakeEmbedder())
    for words, expected in (("ヘルプ", "「プロフィール登録」"), ("help", "\"profile\"")):
        turn = engine.handle(ConversationKey("teams", "tenant", "conv-help", "u1"), IncomingMessage(words))
        texts = " ".join(r.text for r in turn.replies if isinstance(r, Text))
        assert expected in texts, texts
