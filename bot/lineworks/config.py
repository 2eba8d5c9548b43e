"""The ``GUNMANE_LINEWORKS_*`` settings, checked once at start-up: a missing setting or an unusable key
file stops it with a message naming the setting and where the Developer Console shows its value."""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from knowledge.errors import ConfigError
from knowledge.settings import Settings

_WHERE = {"BOT_ID": "Bot → the bot → Bot ID", "BOT_SECRET": "Bot → the bot → Bot Secret",
          "CLIENT_ID": "API 2.0 → the app → Client ID", "CLIENT_SECRET": "API 2.0 → the app → Client Secret",
          "SERVICE_ACCOUNT": "API 2.0 → the app → Service Account (…serviceaccount@…)",
          "PRIVATE_KEY": "API 2.0 → the app → the path of the Private Key file issued for the Service Account"}


@dataclass(frozen=True)
class LineWorksConfig:
    bot_id: str
    bot_secret: str = field(repr=False)
    client_id: str
    client_secret: str = field(repr=False)
    service_account: str
    private_key: RSAPrivateKey = field(repr=False)
    api_url: str = "https://www.worksapis.com/v1.0"
    auth_url: str = "https://auth.worksmobile.com/oauth2/v2.0/token"
    bot_name: str = "gunmane"


def lineworks_config(settings: Settings) -> LineWorksConfig:
    """The checked credentials, or ``ConfigError`` naming every missing setting."""
    values = {"BOT_ID": settings.lineworks_bot_id, "BOT_SECRET": settings.lineworks_bot_secret,
              "CLIENT_ID": settings.lineworks_client_id, "CLIENT_SECRET": settings.lineworks_client_secret,
              "SERVICE_ACCOUNT": settings.lineworks_service_account, "PRIVATE_KEY": settings.lineworks_private_key}
    text = {name: _plain(value) for name, value in values.items()}
    missing = [f"  GUNMANE_LINEWORKS_{name}: Developer Console → {_WHERE[name]}" for name, v in text.items() if not v]
    if missing:
        raise ConfigError("LINE WORKS is not configured; set these in the environment or .env:\n" + "\n".join(missing))
    return LineWorksConfig(
        bot_id=text["BOT_ID"], bot_secret=text["BOT_SECRET"], client_id=text["CLIENT_ID"],
        client_secret=text["CLIENT_SECRET"], service_account=text["SERVICE_ACCOUNT"],
        private_key=read_private_key(text["PRIVATE_KEY"]), api_url=settings.lineworks_api_url.rstrip("/"),
        auth_url=settings.lineworks_auth_url, bot_name=settings.lineworks_bot_name.strip() or "gunmane",
    )


def read_private_key(path: str) -> RSAPrivateKey:
    """The RSA private key in the PEM file at ``path`` (the file the Developer Console issues)."""
    try:
        with open(path, "rb") as handle:
            pem = handle.read(1_000_000)
    except OSError as exc:
        raise ConfigError(f"GUNMANE_LINEWORKS_PRIVATE_KEY: cannot read {path!r} ({exc.strerror}). "
                          "Point it at the private key file issued with the Service Account.") from exc
    try:
        key = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"GUNMANE_LINEWORKS_PRIVATE_KEY: {path!r} is not an unencrypted PEM private key. "
                          "Download it again from the Developer Console (Private Key → 発行).") from exc
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError(f"GUNMANE_LINEWORKS_PRIVATE_KEY: {path!r} holds a {type(key).__name__}, "
                          "not the RSA key LINE WORKS issues (RS256).")
    return key


def _plain(value: object) -> str:
    reveal = getattr(value, "get_secret_value", None)
    return str(reveal() if reveal is not None else value or "").strip()
