"""Start-up: missing or wrong credentials stop it with a message naming the setting; the manifest."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.slack.app import build_app
from knowledge.db import Database
from knowledge.errors import ConfigError
from knowledge.settings import Settings

MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "slack" / "manifest.yaml"


@pytest.mark.parametrize("args, env, named", [
    (["--http"], {}, "SLACK_BOT_TOKEN"),
    (["--socket"], {}, "SLACK_BOT_TOKEN"),
    (["--http", "--port", "0"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
    (["--socket"], {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "SLACK_APP_TOKEN"),
])
def test_serve_slack_names_the_missing_setting(cli_env: dict[str, str], args: list[str], env: dict[str, str],
                                               named: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "slack", *args], env={**cli_env, **env})
    assert result.exit_code == 1
    assert named in result.output and "is not set" in result.output


def test_serve_slack_needs_exactly_one_mode(cli_env: dict[str, str]) -> None:
    for args in ([], ["--http", "--socket"]):
        result = CliRunner().invoke(cli, ["serve", "slack", *args], env=cli_env)
        assert result.exit_code == 2 and "--socket" in result.output and "--http" in result.output


def test_gunmane_prefixed_names_work_too(db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUNMANE_SLACK_BOT_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    loaded = Settings()
    assert loaded.slack_bot_token is not None and loaded.slack_bot_token.get_secret_value() == "xoxb-from-env"
    assert loaded.slack_signing_secret is not None


def test_a_token_slack_rejects_stops_start_up(db: Database, slack_settings: Settings) -> None:
    rejected = slack_settings.model_copy(update={"slack_bot_token": SecretStr("not-a-bot-token")})
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        build_app(rejected, db, mode="http")


def test_an_unreachable_api_url_stops_start_up(db: Database, slack_settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    nowhere = slack_settings.model_copy(update={"slack_api_url": f"http://127.0.0.1:{closed_port}/api/"})
    with pytest.raises(ConfigError, match="GUNMANE_SLACK_API_URL"):
        build_app(nowhere, db, mode="http")


def test_manifest_declares_every_event_scope_and_command_the_app_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_mention", "app_home_opened"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # message.im → im:history, app_mention → app_mentions:read, chat.postMessage/update → chat:write,
    # conversations.open (DM, group DM) → im:write, mpim:write, /gunmane → commands
    assert {"im:history", "app_mentions:read", "chat:write", "im:write", "mpim:write", "commands"} <= scopes
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/gunmane"}
    for url in (settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
                commands["/gunmane"]["url"]):
        assert url.startswith("https://") and url.endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_manifest_ships_with_the_package() -> None:
    from importlib.resources import files

    assert files("bot.slack").joinpath("manifest.yaml").is_file()
