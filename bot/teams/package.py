"""Build the Teams app package (a zip of manifest.json and the two icons) to upload to Teams.

    python -m bot.teams.package --bot-id <Microsoft App ID> [--out gunmane-teams.zip]

The repository's manifest keeps ``${{…}}`` placeholders; this fills them: the
bot id is the Azure Bot's Microsoft App ID, the Teams app id is derived from
it (stable, so re-uploading updates the same app) unless given.
"""

from __future__ import annotations

import argparse
import json
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

from knowledge.errors import ConfigError

MANIFEST_DIR = Path(__file__).parent / "manifest"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")


def teams_app_id_for(bot_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://gunmane/teams-app/{bot_id.lower()}"))


def filled_manifest(
    bot_id: str,
    *,
    teams_app_id: str | None = None,
    developer_name: str = "gunmane secretariat",
    website_url: str = "https://example.org/gunmane",
) -> dict[str, Any]:
    """manifest.json with every placeholder filled; raises ConfigError saying what to fix."""
    if not _GUID.match(bot_id):
        raise ConfigError(f"--bot-id {bot_id!r} is not a GUID: use the Azure Bot's Microsoft App ID.")
    app_id = teams_app_id or teams_app_id_for(bot_id)
    if not _GUID.match(app_id):
        raise ConfigError(f"--teams-app-id {app_id!r} is not a GUID.")
    if not website_url.startswith("https://"):
        raise ConfigError("--website-url must start with https:// (Teams requires it).")
    values = {
        "BOT_ID": bot_id,
        "TEAMS_APP_ID": app_id,
        "DEVELOPER_NAME": developer_name,
        "WEBSITE_URL": website_url.rstrip("/"),
    }
    text = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        return json.dumps(values[match.group(1)])[1:-1]  # escaped for a JSON string

    manifest: dict[str, Any] = json.loads(_PLACEHOLDER.sub(fill, text))
    return manifest


def build_package(out: Path, bot_id: str, **options: Any) -> Path:
    manifest = filled_manifest(bot_id, **options)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        for icon in ("color.png", "outline.png"):
            archive.write(MANIFEST_DIR / icon, icon)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the gunmane Teams app package.")
    parser.add_argument("--bot-id", required=True, help="the Azure Bot's Microsoft App ID")
    parser.add_argument("--teams-app-id", help="the Teams app id (default: derived from the bot id)")
    parser.add_argument("--developer-name", default="gunmane secretariat")
    parser.add_argument("--website-url", default="https://example.org/gunmane")
    parser.add_argument("--out", type=Path, default=Path("gunmane-teams.zip"))
    args = parser.parse_args(argv)
    try:
        path = build_package(
            args.out, args.bot_id, teams_app_id=args.teams_app_id,
            developer_name=args.developer_name, website_url=args.website_url,
        )
    except ConfigError as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app)")


if __name__ == "__main__":
    main()
