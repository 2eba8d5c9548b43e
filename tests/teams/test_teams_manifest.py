"""The Teams app manifest, its icons, and the package that is uploaded to Teams."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.teams import icons
from bot.teams.package import MANIFEST_DIR, build_package, filled_manifest, teams_app_id_for
from knowledge.errors import ConfigError

BOT_ID = "12345678-abcd-4321-abcd-123456789abc"


def test_manifest_names_both_icons_and_a_bot_in_personal_and_channel_scopes() -> None:
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    (bot,) = manifest["bots"]
    assert {"personal", "team"} <= set(bot["scopes"])
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["name"]["short"]) <= 30


def test_color_icon_is_192_square_and_opaque() -> None:
    image = Image.open(MANIFEST_DIR / "color.png").convert("RGBA")
    assert image.size == (192, 192)
    assert image.getchannel("A").getextrema() == (255, 255)


def test_outline_icon_is_32_square_white_on_transparent() -> None:
    image = Image.open(MANIFEST_DIR / "outline.png").convert("RGBA")
    assert image.size == (32, 32)
    colours = {image.getpixel((x, y)) for x in range(32) for y in range(32)}
    assert colours <= {(255, 255, 255, 255)} | {(r, g, b, 0) for r, g, b, _ in colours}
    assert (255, 255, 255, 255) in colours


def test_committed_icons_are_what_the_generator_draws(tmp_path: Path) -> None:
    color, outline = icons.write_icons(tmp_path)
    for fresh in (color, outline):
        committed = Image.open(MANIFEST_DIR / fresh.name).convert("RGBA")
        drawn = Image.open(fresh).convert("RGBA")
        assert drawn.size == committed.size and drawn.tobytes() == committed.tobytes()


def test_package_fills_every_placeholder_and_ships_both_icons(tmp_path: Path) -> None:
    out = build_package(tmp_path / "gunmane-teams.zip", BOT_ID, website_url="https://example.jp/gunmane/")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        text = archive.read("manifest.json").decode("utf-8")
    assert "${{" not in text
    manifest = json.loads(text)
    assert manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["id"] == teams_app_id_for(BOT_ID) != BOT_ID
    assert manifest["developer"]["privacyUrl"] == "https://example.jp/gunmane/privacy"


@pytest.mark.parametrize(
    ("bot_id", "options", "hint"),
    [
        ("my-bot", {}, "Microsoft App ID"),
        (BOT_ID, {"website_url": "http://example.jp"}, "https://"),
        (BOT_ID, {"teams_app_id": "x"}, "not a GUID"),
    ],
)
def test_package_says_what_to_fix(bot_id: str, options: dict[str, str], hint: str) -> None:
    with pytest.raises(ConfigError, match=hint):
        filled_manifest(bot_id, **options)
