"""A local stand-in for LINE WORKS: the OAuth token endpoint and the bot message endpoints.

It answers what gunmane calls, the way LINE WORKS documents it, and records
every call:

    POST /oauth2/v2.0/token                           the service-account JWT grant
    POST /v1.0/bots/{botId}/users/{userId}/messages   a message to one user
    POST /v1.0/bots/{botId}/channels/{channelId}/messages

The token endpoint checks the JWT (RS256, signed with the app's key, ``iss`` the
client id, ``sub`` the service account, not expired) and the client secret.
The message endpoints check the bearer token and every documented limit the
bot's contents can break (text 2,000 characters, button templates 10 buttons,
labels 20, postback data 300, list templates 4 items, quick replies 13,
flexible templates 15 KB and 10 bubbles …), answering 400 with the problems.
Tests revoke tokens (the next call gets 401) and switch on outages (500).

    python -m bot.lineworks.fake_api --port 8098 --key app-private.key

prints each message; point ``GUNMANE_LINEWORKS_API_URL`` at
``http://127.0.0.1:8098/v1.0`` and ``GUNMANE_LINEWORKS_AUTH_URL`` at
``http://127.0.0.1:8098/oauth2/v2.0/token``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from bot.threaded_site import ThreadedSite

TOKEN_PATH = "/oauth2/v2.0/token"
API_PREFIX = "/v1.0"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

LIMITS = {"text": 2000, "content_text": 1000, "buttons": 10, "label": 20, "action_text": 300,
          "list_items": 4, "list_text": 1000, "list_rows": 2, "list_columns": 2, "quick_replies": 13,
          "alt_text": 400, "bubbles": 10, "flex_bytes": 15_000, "uri": 1000}
ACTION_TYPES = {"message", "postback", "uri", "copy"}


@dataclass(frozen=True)
class ApiCall:
    """One request gunmane made: a token request (``kind="token"``) or a message."""

    kind: str                      # token | user | channel
    target: str                    # the user or channel id ("" for tokens)
    status: int                    # what the fake answered
    body: dict[str, Any]
    authorization: str | None = None

    @property
    def content(self) -> dict[str, Any]:
        value = self.body.get("content")
        return value if isinstance(value, dict) else {}

    @property
    def delivered(self) -> bool:
        return self.kind != "token" and self.status == 201


class ApiLog:
    """Thread-safe record of calls, the issued tokens and the switches tests flip."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[ApiCall] = []
        self._tokens: set[str] = set()
        self._outage: int | None = None
        self._serial = itertools.count(1)

    def add(self, call: ApiCall) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, kind: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self._calls if kind is None or c.kind == kind]

    def delivered(self, target: str | None = None) -> list[ApiCall]:
        """Messages the fake accepted (201), optionally to one user or channel id."""
        return [c for c in self.calls() if c.delivered and (target is None or c.target == target)]

    def issue_token(self) -> str:
        token = f"fake-token-{next(self._serial)}-{secrets.token_hex(8)}"
        with self._lock:
            self._tokens.add(token)
        return token

    def token_valid(self, token: str) -> bool:
        with self._lock:
            return token in self._tokens

    def revoke_tokens(self) -> None:
        """Every token issued so far is refused from now on (401), as after its expiry."""
        with self._lock:
            self._tokens.clear()

    def outage(self, status: int | None) -> None:
        """Answer every message request with ``status`` (e.g. 500) until called with None."""
        with self._lock:
            self._outage = status

    def outage_status(self) -> int | None:
        with self._lock:
            return self._outage


# ---------------------------------------------------------------- the documented limits


def content_problems(content: Any) -> list[str]:
    """Every way ``content`` breaks what LINE WORKS accepts; empty when it would be sent."""
    if not isinstance(content, dict):
        return ["content must be an object"]
    kind = content.get("type")
    problems: list[str] = []
    if kind == "text":
        problems += _text("text", content.get("text"), LIMITS["text"])
    elif kind == "button_template":
        problems += _text("contentText", content.get("contentText"), LIMITS["content_text"])
        problems += _actions("actions", content.get("actions"), LIMITS["buttons"])
    elif kind == "list_template":
        problems += _list_template(content)
    elif kind == "flex":
        problems += _text("altText", content.get("altText"), LIMITS["alt_text"])
        problems += _flex(content.get("contents"))
    else:
        problems.append(f"type {kind!r} is not a content type gunmane sends")
    if "quickReply" in content:
        items = (content.get("quickReply") or {}).get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= LIMITS["quick_replies"]:
            problems.append(f"quickReply.items must hold 1 to {LIMITS['quick_replies']} buttons")
        else:
            for n, item in enumerate(items):
                problems += _action(f"quickReply.items[{n}].action", (item or {}).get("action"), quick=True)
    return problems


def _text(name: str, value: Any, limit: int) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"{name} is required"]
    return [f"{name} is {len(value)} characters, over {limit}"] if len(value) > limit else []


def _actions(name: str, actions: Any, limit: int) -> list[str]:
    if not isinstance(actions, list) or not 1 <= len(actions) <= limit:
        return [f"{name} must hold 1 to {limit} actions"]
    return [p for n, a in enumerate(actions) for p in _action(f"{name}[{n}]", a)]


def _action(name: str, action: Any, *, quick: bool = False) -> list[str]:
    if not isinstance(action, dict) or action.get("type") not in ACTION_TYPES:
        return [f"{name}.type must be one of {sorted(ACTION_TYPES)}"]
    problems = _text(f"{name}.label", action.get("label"), LIMITS["label"])
    kind = action["type"]
    if kind == "postback":
        problems += _text(f"{name}.data", action.get("data"), LIMITS["action_text"])
        if quick or "displayText" in action:
            problems += _text(f"{name}.displayText", action.get("displayText"), LIMITS["action_text"])
    elif kind == "message":
        for field in ("text", "postback"):
            if field in action:
                problems += _text(f"{name}.{field}", action.get(field), LIMITS["action_text"])
    elif kind == "uri":
        problems += _text(f"{name}.uri", action.get("uri"), LIMITS["uri"])
    return problems


def _list_template(content: dict[str, Any]) -> list[str]:
    elements = content.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= LIMITS["list_items"]:
        return [f"elements must hold 1 to {LIMITS['list_items']} items"]
    problems: list[str] = []
    for n, element in enumerate(elements):
        element = element if isinstance(element, dict) else {}
        problems += _text(f"elements[{n}].title", element.get("title"), LIMITS["list_text"])
        if "action" in element:
            problems += _action(f"elements[{n}].action", element["action"])
    rows = content.get("actions") or []
    if not isinstance(rows, list) or len(rows) > LIMITS["list_rows"] or any(
            not isinstance(row, list) or len(row) > LIMITS["list_columns"] for row in rows):
        problems.append("actions must be at most 2 rows of at most 2 buttons")
    else:
        for r, row in enumerate(rows):
            problems += [p for c, a in enumerate(row) for p in _action(f"actions[{r}][{c}]", a)]
    return problems


def _json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _flex(contents: Any) -> list[str]:
    if not isinstance(contents, dict) or contents.get("type") not in ("bubble", "carousel"):
        return ["contents must be a bubble or a carousel"]
    problems: list[str] = []
    if _json_bytes(contents) > LIMITS["flex_bytes"]:
        problems.append(f"contents is {_json_bytes(contents)} bytes of JSON, over {LIMITS['flex_bytes']}")
    if contents["type"] == "carousel":
        bubbles = contents.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= LIMITS["bubbles"]:
            problems.append(f"a carousel holds 1 to {LIMITS['bubbles']} bubbles")
    problems += [p for path, action in _flex_actions(contents, "contents") for p in _action(path, action)]
    return problems


def _flex_actions(node: Any, path: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "action":
                found.append((f"{path}.action", value))
            else:
                found += _flex_actions(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += _flex_actions(value, f"{path}[{n}]")
    return found


# ---------------------------------------------------------------- the server


@dataclass(frozen=True)
class FakeIdentity:
    """Who the fake accepts: the app's credentials and the bot."""

    bot_id: str
    client_id: str
    client_secret: str
    service_account: str
    public_key: RSAPublicKey
    expires_in: int = 86400


def create_fake_app(log: ApiLog, who: FakeIdentity, *, echo: bool = False) -> web.Application:
    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        problem = _grant_problem({k: str(v) for k, v in form.items()}, who)
        if problem is not None:
            log.add(ApiCall("token", "", 400, {"error": problem}))
            return web.json_response({"error": "invalid_request", "error_description": problem}, status=400)
        access = log.issue_token()
        log.add(ApiCall("token", "", 200, {"scope": str(form.get("scope"))}))
        return web.json_response({"access_token": access, "refresh_token": secrets.token_hex(8),
                                  "token_type": "Bearer", "expires_in": str(who.expires_in),
                                  "scope": str(form.get("scope"))})

    async def message(request: web.Request) -> web.Response:
        kind = "user" if "user_id" in request.match_info else "channel"
        target = request.match_info.get("user_id") or request.match_info.get("channel_id", "")
        authorization = request.headers.get("Authorization")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None

        def answer(status: int, payload: dict[str, Any] | None) -> web.Response:
            log.add(ApiCall(kind, target, status, body if isinstance(body, dict) else {}, authorization))
            if echo and status == 201:
                print(f"--- to {kind} {target}\n{json.dumps(body, ensure_ascii=False, indent=2)}", flush=True)
            return web.json_response(payload, status=status) if payload is not None else web.Response(status=status)

        scheme, _, access = (authorization or "").partition(" ")
        if scheme != "Bearer" or not log.token_valid(access):
            return answer(401, {"code": "UNAUTHORIZED", "description": "Authentication failed"})
        if request.match_info["bot_id"] != who.bot_id:
            return answer(404, {"code": "NOT_FOUND", "description": "bot not found"})
        outage = log.outage_status()
        if outage is not None:
            return answer(outage, {"code": "SERVICE_UNAVAILABLE", "description": "fake outage"})
        if not isinstance(body, dict) or "content" not in body:
            return answer(400, {"code": "INVALID_PARAMETER", "description": "body needs a content object"})
        problems = content_problems(body["content"])
        if problems:
            return answer(400, {"code": "INVALID_PARAMETER", "description": "; ".join(problems)})
        return answer(201, None)

    app = web.Application()
    app.router.add_post(TOKEN_PATH, token)
    app.router.add_post(API_PREFIX + "/bots/{bot_id}/users/{user_id}/messages", message)
    app.router.add_post(API_PREFIX + "/bots/{bot_id}/channels/{channel_id}/messages", message)
    return app


def _grant_problem(form: dict[str, str], who: FakeIdentity) -> str | None:
    if form.get("grant_type") != JWT_GRANT:
        return f"grant_type must be {JWT_GRANT}"
    if form.get("client_id") != who.client_id or form.get("client_secret") != who.client_secret:
        return "unknown client_id or wrong client_secret"
    if "bot" not in form.get("scope", "").replace(",", " ").split():
        return "scope must include bot"
    try:
        claims = jwt.decode(form.get("assertion", ""), who.public_key, algorithms=["RS256"], leeway=60,
                            options={"require": ["iss", "sub", "iat", "exp"]})   # a minute of clock skew
    except jwt.PyJWTError as exc:
        return f"assertion is not a valid RS256 JWT of this app ({type(exc).__name__})"
    if claims["iss"] != who.client_id or claims["sub"] != who.service_account:
        return "assertion iss/sub must be the client id and the service account"
    return None


class FakeLineWorks:
    """The fake on 127.0.0.1 in a background thread; ``api_url`` and ``auth_url`` are what to configure."""

    def __init__(self, who: FakeIdentity, *, port: int = 0, echo: bool = False) -> None:
        self.who = who
        self.log = ApiLog()
        self._site = ThreadedSite(lambda: create_fake_app(self.log, who, echo=echo), port=port)

    @property
    def api_url(self) -> str:
        return self._site.url + API_PREFIX

    @property
    def auth_url(self) -> str:
        return self._site.url + TOKEN_PATH

    def start(self) -> FakeLineWorks:
        self._site.start()
        return self

    def stop(self) -> None:
        self._site.stop()

    def __enter__(self) -> FakeLineWorks:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    from bot.lineworks.config import read_private_key

    parser = argparse.ArgumentParser(description="A local fake of the LINE WORKS token and bot message APIs.")
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--key", required=True, help="the private key file gunmane signs its JWT with")
    parser.add_argument("--bot-id", default="local-bot")
    parser.add_argument("--client-id", default="local-client")
    parser.add_argument("--client-secret", default="local-secret")
    parser.add_argument("--service-account", default="local.serviceaccount@example.com")
    args = parser.parse_args(argv)
    who = FakeIdentity(args.bot_id, args.client_id, args.client_secret, args.service_account,
                       read_private_key(args.key).public_key())
    print(f"fake LINE WORKS on http://127.0.0.1:{args.port}{API_PREFIX} (token: {TOKEN_PATH})", flush=True)
    web.run_app(create_fake_app(ApiLog(), who, echo=True), host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
