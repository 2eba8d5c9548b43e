"""The LINE WORKS API from gunmane's side: access tokens (the service-account JWT grant, RFC 7523) kept
until shortly before they expire, and sending a message, again with a fresh token after a 401. Blocking
HTTP: sends run in worker threads beside the engine turn. Errors name the HTTP status and LINE WORKS's
error code, never the message or the recipient (a chat id is a contact)."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from bot.lineworks.config import LineWorksConfig
from knowledge.errors import GunmaneError

log = logging.getLogger(__name__)

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_SCOPE = "bot"
REFRESH_MARGIN_S = 300       # a token this close to its expiry is replaced before use
TIMEOUT_S = 10.0


class LineWorksApiError(GunmaneError):
    """LINE WORKS refused or could not be reached; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Target:
    """Where a message goes: one user (their 1:1 chat with the bot) or a channel (a group chat)."""

    kind: Literal["user", "channel"]
    id: str


def http(request: urllib.request.Request) -> tuple[int, bytes]:
    """One HTTP exchange; an HTTP error status is an answer, not an exception."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()
    except (urllib.error.URLError, OSError) as exc:
        raise LineWorksApiError(f"LINE WORKS is unreachable at {request.host} "
                                f"({getattr(exc, 'reason', exc)})") from exc


class AccessTokens:
    def __init__(self, config: LineWorksConfig, *, clock: Callable[[], float] = time.time) -> None:
        self._config, self._clock = config, clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def get(self) -> str:
        """A token valid for ``REFRESH_MARGIN_S`` more seconds at least (one request however many callers)."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - REFRESH_MARGIN_S:
                self._token, self._expires_at = self._request()
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the API refused it, unless another caller already replaced it."""
        with self._lock:
            if self._token == token:
                self._token = None

    def assertion(self) -> str:
        now = int(self._clock())
        claims = {"iss": self._config.client_id, "sub": self._config.service_account, "iat": now, "exp": now + 3600}
        return jwt.encode(claims, self._config.private_key, algorithm="RS256", headers={"typ": "JWT"})

    def _request(self) -> tuple[str, float]:
        form = urllib.parse.urlencode({
            "assertion": self.assertion(), "grant_type": JWT_GRANT, "client_id": self._config.client_id,
            "client_secret": self._config.client_secret, "scope": TOKEN_SCOPE,
        }).encode()
        status, body = http(urllib.request.Request(
            self._config.auth_url, data=form, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"}))
        answer = _json(body)
        if status != 200 or not isinstance(answer.get("access_token"), str):
            raise LineWorksApiError(
                f"LINE WORKS refused the access token request ({status} {answer.get('error') or ''}). Check "
                "GUNMANE_LINEWORKS_CLIENT_ID, GUNMANE_LINEWORKS_CLIENT_SECRET, GUNMANE_LINEWORKS_SERVICE_ACCOUNT, "
                "GUNMANE_LINEWORKS_PRIVATE_KEY and that the app has the bot scope.", status)
        try:
            lifetime = float(answer.get("expires_in") or 3600)   # LINE WORKS sends it as a string
        except (TypeError, ValueError):
            lifetime = 3600.0
        log.info("LINE WORKS access token obtained, valid for %d s", lifetime)
        return str(answer["access_token"]), self._clock() + lifetime


class LineWorksApi:
    def __init__(self, config: LineWorksConfig) -> None:
        self._config = config
        self.tokens = AccessTokens(config)

    def send(self, target: Target, content: dict[str, Any]) -> None:
        """Post one message; ``LineWorksApiError`` when LINE WORKS does not accept it."""
        bot, to = (urllib.parse.quote(x, safe="") for x in (self._config.bot_id, target.id))
        url = f"{self._config.api_url}/bots/{bot}/{target.kind}s/{to}/messages"
        data = json.dumps({"content": content}, ensure_ascii=False).encode("utf-8")
        for attempt in (1, 2):
            token = self.tokens.get()
            status, body = http(urllib.request.Request(url, data=data, method="POST", headers={
                "Content-Type": "application/json; charset=UTF-8", "Authorization": f"Bearer {token}"}))
            if status in (200, 201):
                return
            if status == 401 and attempt == 1:
                log.info("LINE WORKS refused the access token (401); getting a new one")
                self.tokens.invalidate(token)
                continue
            raise LineWorksApiError(f"LINE WORKS did not accept a {content.get('type')} message to a "
                                    f"{target.kind} ({status} {_json(body).get('code') or ''})", status)


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
