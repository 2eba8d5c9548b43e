"""The LINE WORKS credentials, checked once at start-up.

``lineworks_config(settings)`` turns the ``GUNMANE_LINEWORKS_*`` settings into
one frozen value; a missing setting, an unreadable key file or a key that is
not an RSA private key stops start-up with a message naming the setting and
where in the Developer Console its value is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from knowledge.errors import ConfigError
from knowledge.settings import Settings

_WHERE = {
    "GUNMANE_LINEWORKS_BOT_ID": "Developer Console → Bot → the bot → Bot ID",
    "GUNMANE_LINEWORKS_BOT_SECRET": "Developer Console → Bot → the bot → Bot Secret",
    "GUNMANE_LINEWORKS_CLIENT_ID": "Developer Console → API 2.0 → the app → Client ID",
    "GUNMANE_LINEWORKS_CLIENT_SECRET": "Developer Console → API 2.0 → the app → Client Secret",
    "GUNMANE_LINEWORKS_SERVICE_ACCOUNT": "Developer Console → API 2.0 → the app → Service Account (…serviceaccount@…)",
    "GUNMANE_LINEWORKS_PRIVATE_KEY": "the path of the private key file downloaded beside the Service Account",
}


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
    """The checked credentials, or ``ConfigError`` naming every missing or unusable setting."""
    values: dict[str, str] = {
        "GUNMANE_LINEWORKS_BOT_ID": settings.lineworks_bot_id or "",
        "GUNMANE_LINEWORKS_BOT_SECRET": _secret(settings.lineworks_bot_secret),
        "GUNMANE_LINEWORKS_CLIENT_ID": settings.lineworks_client_id or "",
        "GUNMANE_LINEWORKS_CLIENT_SECRET": _secret(settings.lineworks_client_secret),
        "GUNMANE_LINEWORKS_SERVICE_ACCOUNT": settings.lineworks_service_account or "",
        "GUNMANE_LINEWORKS_PRIVATE_KEY": str(settings.lineworks_private_key or ""),
    }
    missing = [name for name, value in values.items() if not value.strip()]
    if missing:
        lines = "\n".join(f"  {name}: {_WHERE[name]}" for name in missing)
        raise ConfigError(f"LINE WORKS is not configured; set these in the environment or .env:\n{lines}")
    assert settings.lineworks_private_key is not None
    return LineWorksConfig(
        bot_id=values["GUNMANE_LINEWORKS_BOT_ID"].strip(),
        bot_secret=values["GUNMANE_LINEWORKS_BOT_SECRET"],
        client_id=values["GUNMANE_LINEWORKS_CLIENT_ID"].strip(),
        client_secret=values["GUNMANE_LINEWORKS_CLIENT_SECRET"],
        service_account=values["GUNMANE_LINEWORKS_SERVICE_ACCOUNT"].strip(),
        private_key=read_private_key(str(settings.lineworks_private_key)),
        api_url=settings.lineworks_api_url.rstrip("/"),
        auth_url=settings.lineworks_auth_url,
        bot_name=settings.lineworks_bot_name.strip() or "gunmane",
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


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else ""
