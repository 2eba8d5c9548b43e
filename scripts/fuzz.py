"""Fuzz every HTTP endpoint gunmane serves, signed and unsigned, against local fakes (issue 16).

    .venv/bin/python scripts/fuzz.py --per-endpoint 1000 --seed 1
    .venv/bin/python scripts/fuzz.py --per-endpoint 50 --endpoints teams

Each endpoint (Slack ``/slack/events``, Teams ``/api/messages``, LINE WORKS ``/lineworks/callback``; a new one
is an ``Endpoint`` subclass added to ``ENDPOINTS``) runs on 127.0.0.1 with the real engine over a fresh SQLite
database (sample data, fake embedder) and its platform's fake. Generated requests: valid bodies with one to
three fields replaced by hostile values (wrong types, huge or deeply nested values, lone surrogates, mention
floods, ``<!channel>``, out-of-range ids, forged ``serviceUrl``s), keys removed, bodies cut, bytes that are
not UTF-8, and plain garbage. Half are unsigned (no signature, a wrong one, a stale timestamp, a forged
token), half signed correctly (Teams: by a local token issuer, bot/teams/fake_issuer.py).

Asserted, per endpoint: no 5xx and no dropped connection; every unsigned request is refused (401/403) and no
message goes out because of one; a valid request is still answered after each phase; no INFO-or-louder log
line holds a body's marker text or contact. Prints a table; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import logging
import random
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr  # noqa: E402

from knowledge.settings import Settings  # noqa: E402

MARKER = "FUZZMARKER宇陀ZQX"
CONTACT = "fuzz.contact@example.invalid"
Request = tuple[bytes, dict[str, str]]


def hostile_values(rng: random.Random) -> Any:
    nested: Any = "x"
    for _ in range(rng.choice([40, 300])):   # deeper: raw text in encode (json.dumps cannot)
        nested = {"a": nested} if rng.random() < 0.5 else [nested]
    return rng.choice([
        None, 0, -1, 7, 2**70, -(2**64), 1e308, True, False, [], {}, "", " ", "\ud800", "a\udfffb",
        "<at>" * rng.choice([10, 5000]), "<at" * 3000, "<!channel>", "<!here> <@U0BOSS>", "x" * rng.choice([3000, 60000]),
        nested, ["a"] * 2000, {"type": 5}, "javascript:alert(1)", "file:///etc/passwd", "http://127.0.0.2:9/internal/",
        "not a url", "http://10.0.0.1/", "//host/", "https://smba.trafficmanager.net:99999/",
        "ia|99999999999999999999", "gm:choice:1", "1e3", "٣", "\x00\x1b[31m", "\u202e", f"{MARKER} {CONTACT}",
        {"id": MARKER}, [{"action_id": 3}], "null", "true",
    ])


def mutate(template: Any, rng: random.Random) -> Any:
    """A deep copy of ``template`` with 1–3 random changes: a value replaced, a key removed or added."""
    body = json.loads(json.dumps(template))
    for _ in range(rng.randint(1, 3)):
        paths: list[tuple[Any, Any]] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key in list(node):
                    paths.append((node, key))
                    walk(node[key])
            elif isinstance(node, list):
                for index in range(len(node)):
                    paths.append((node, index))
                    walk(node[index])

        walk(body)
        if not paths or rng.random() < 0.05:
            return hostile_values(rng)
        parent, key = rng.choice(paths)
        roll = rng.random()
        if roll < 0.7:
            parent[key] = hostile_values(rng)
        elif roll < 0.85 and isinstance(parent, dict):
            del parent[key]
        elif isinstance(parent, dict):
            parent[f"extra{rng.randint(0, 9)}"] = hostile_values(rng)
    return body


def encode(body: Any, rng: random.Random) -> bytes:
    """JSON bytes, sometimes cut short, not UTF-8, or not JSON at all."""
    roll = rng.random()
    if roll < 0.04:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    if roll < 0.08:
        return b""
    if roll < 0.1:
        depth = rng.choice([1000, 5000, 40000])
        return ('{"a":' * depth + '"x"' + "}" * depth).encode()
    text = json.dumps(body, ensure_ascii=rng.random() < 0.7)
    raw = text.encode("utf-8", "surrogatepass")   # a lone surrogate without ASCII escapes: not UTF-8
    if roll < 0.16:
        return raw[: rng.randint(0, len(raw))]
    return raw


def post(url: str, raw: bytes, headers: dict[str, str]) -> int:
    """The status; 599 for a dropped connection or a timeout."""
    request = urllib.request.Request(url, data=raw, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            answer.read()
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 599


def wait_until(done: Callable[[], bool], timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@dataclass
class Tally:
    name: str
    sent: dict[str, int] = field(default_factory=lambda: {"signed": 0, "unsigned": 0})
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    alive: list[bool] = field(default_factory=list)

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def fail(self, what: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(what)


class Endpoint:
    """One HTTP endpoint under fuzzing: start it, make requests, say what went out."""

    name = ""
    url = ""

    def start(self, settings: Settings, db: Any) -> None: ...
    def stop(self) -> None: ...
    def signed(self, body: Any, rng: random.Random) -> Request: raise NotImplementedError
    def unsigned(self, body: Any, rng: random.Random) -> Request: raise NotImplementedError
    def templates(self) -> list[Any]: raise NotImplementedError
    def mutated(self, template: Any, rng: random.Random) -> Any: return mutate(template, rng)
    def outgoing(self) -> int: raise NotImplementedError
    def alive(self) -> bool:
        """Send a valid request; True once its reply went out."""
        raise NotImplementedError
    def settle(self) -> None:
        """Wait until work accepted so far is done (asynchronous platforms)."""


# ---------------------------------------------------------------- Slack

class Slack(Endpoint):
    name = "slack /slack/events"
    secret = "fuzz-signing-secret-0123456789abcdef"

    def start(self, settings: Settings, db: Any) -> None:
        from bot.slack.app import build_app
        from bot.slack.fake_api import FakeSlackAPI
        from bot.slack.server import HttpServer

        self.api = FakeSlackAPI(team_id="T0FUZZ").start()
        configured = settings.model_copy(update={
            "slack_bot_token": SecretStr("xoxb-fuzz"), "slack_signing_secret": SecretStr(self.secret),
            "slack_api_url": self.api.url})
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fuzz-slack")
        app = build_app(configured, db, mode="http", working_notice_after=0, listener_executor=self.executor)
        self.server = HttpServer(app, configured, host="127.0.0.1", port=0, threads=4).start()
        self.url = self.server.url
        self.baseline = len(self._sent())
        self.turn = 0

    def stop(self) -> None:
        self.server.stop()
        self.executor.shutdown(wait=True)
        self.api.stop()

    def _sent(self) -> list[Any]:
        return [c for c in self.api.calls if c.method.startswith(("chat.", "views.", "conversations.open"))]

    def outgoing(self) -> int:
        return len(self._sent()) - self.baseline

    def _event(self, text: str, channel: str) -> dict[str, Any]:
        self.turn += 1
        ts = f"{int(time.time())}.{self.turn:06d}"
        return {"type": "event_callback", "team_id": "T0FUZZ", "api_app_id": "A0FUZZ", "event_id": f"EvF{self.turn:09d}",
                "event_time": int(time.time()),
                "event": {"type": "message", "user": "U0FUZZ", "text": text, "ts": ts, "channel": channel,
                          "channel_type": "im", "event_ts": ts}}

    def templates(self) -> list[Any]:
        action = {"action_id": "gm:choice:1", "value": "ia|1", "type": "button", "block_id": "b"}
        return [
            ("json", self._event(f"橋の点検 {MARKER} {CONTACT}", "D0FUZZ")),
            ("form", {"command": "/gunmane", "text": f"相談 {MARKER}", "user_id": "U0FUZZ", "channel_id": "C0FUZZ",
                      "team_id": "T0FUZZ", "trigger_id": "1.2", "response_url": self.api.url + "resp/1"}),
            ("payload", {"type": "block_actions", "user": {"id": "U0FUZZ"}, "team": {"id": "T0FUZZ"},
                         "channel": {"id": "D0FUZZ"}, "actions": [action], "trigger_id": "1.2",
                         "container": {"channel_id": "D0FUZZ", "message_ts": "1.1"}, "message": {"ts": "1.1"}}),
            ("payload", {"type": "view_submission", "user": {"id": "U0FUZZ"}, "team": {"id": "T0FUZZ"},
                         "view": {"type": "modal", "callback_id": "gm:consult", "private_metadata": "ja",
                                  "state": {"values": {"consult": {"text": {"value": MARKER}}}}}}),
        ]

    def _raw(self, kind_body: Any, rng: random.Random) -> tuple[bytes, str]:
        kind, body = kind_body if isinstance(kind_body, tuple) else ("json", kind_body)
        if kind == "form" and isinstance(body, dict):
            fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
            return urlencode(fields, errors="surrogatepass").encode(), "application/x-www-form-urlencoded"
        if kind == "payload":
            return ("payload=" + urllib.request.quote(encode(body, rng).decode("utf-8", "surrogateescape"),
                                                      errors="surrogateescape")).encode(), \
                "application/x-www-form-urlencoded"
        return encode(body, rng), "application/json"

    def _sign(self, raw: bytes, timestamp: str, secret: str) -> str:
        return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + raw, hashlib.sha256).hexdigest()

    def signed(self, body: Any, rng: random.Random) -> Request:
        raw, content_type = self._raw(body, rng)
        ts = str(int(time.time()))
        return raw, {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                     "X-Slack-Signature": self._sign(raw, ts, self.secret)}

    def unsigned(self, body: Any, rng: random.Random) -> Request:
        raw, content_type = self._raw(body, rng)
        ts = str(int(time.time()))
        forged = rng.choice([
            {}, {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": self._sign(raw, ts, "another-secret")},
            {"X-Slack-Request-Timestamp": str(int(ts) - 3600),
             "X-Slack-Signature": self._sign(raw, str(int(ts) - 3600), self.secret)},
            {"X-Slack-Request-Timestamp": rng.choice(["abc", "1e3", "1700000000.5", "", "-1"]),
             "X-Slack-Signature": "v0=00"},
            {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + "0" * 64},
        ])
        return raw, {"Content-Type": content_type, **forged}

    def mutated(self, template: Any, rng: random.Random) -> Any:
        kind, body = template
        return kind, mutate(body, rng)

    def alive(self) -> bool:
        channel = f"D0ALIVE{self.turn}"
        raw = json.dumps(self._event("こんにちは", channel)).encode()
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
                   "X-Slack-Signature": self._sign(raw, ts, self.secret)}
        if post(self.url, raw, headers) != 200:
            return False
        return wait_until(lambda: any(c.params.get("channel") == channel for c in self._sent()))

    def settle(self) -> None:
        wait_until(lambda: self.executor._work_queue.qsize() == 0)


# ---------------------------------------------------------------- Teams

class Teams(Endpoint):
    name = "teams /api/messages"
    app_id = "00000000-1111-2222-3333-444444444444"
    tenant = "55555555-6666-7777-8888-999999999999"

    def start(self, settings: Settings, db: Any) -> None:
        from microsoft_agents.authentication.msal.msal_auth import MsalAuth

        from bot.dialogue.engine import DialogueEngine
        from bot.teams.auth import teams_auth
        from bot.teams.fake_connector import FakeConnector
        from bot.teams.fake_issuer import FakeIssuer
        from bot.teams.server import MESSAGES_PATH, create_teams_server
        from bot.teams.threaded import ThreadedSite

        async def fixed_token(self: object, *args: object, **kwargs: object) -> str:
            return "fuzz-outbound-token"   # no Entra ID here

        self._real_token = MsalAuth.get_access_token
        MsalAuth.get_access_token = fixed_token  # type: ignore[method-assign]   # restored in stop()
        self.connector = FakeConnector().start()
        self.issuer = FakeIssuer().__enter__()
        self._trust = self.issuer.trusted()
        self._trust.__enter__()
        configured = settings.model_copy(update={
            "teams_app_id": self.app_id, "teams_app_password": SecretStr("fuzz-secret"),
            "teams_tenant_id": self.tenant, "teams_service_hosts": ["127.0.0.1"]})
        engine = DialogueEngine(db, configured)
        auth = teams_auth(configured)
        self.site = ThreadedSite(lambda: create_teams_server(engine, db, auth, show_typing=False).web_app).start()
        self.url = self.site.url + MESSAGES_PATH
        self.turn = 0

    def stop(self) -> None:
        from microsoft_agents.authentication.msal.msal_auth import MsalAuth

        self.site.stop()
        MsalAuth.get_access_token = self._real_token  # type: ignore[method-assign]
        self._trust.__exit__(None, None, None)
        self.issuer.__exit__()
        self.connector.stop()

    def outgoing(self) -> int:
        return len(self.connector.log.calls())

    def activity(self, text: str, conversation: str = "a:personal-fuzz") -> dict[str, Any]:
        self.turn += 1
        return {"type": "message", "id": f"fz{self.turn}", "channelId": "msteams", "serviceUrl": self.connector.url,
                "from": {"id": "29:fuzz", "aadObjectId": "aad-fuzz", "name": MARKER},
                "recipient": {"id": "28:bot", "name": "gunmane"}, "text": text, "locale": "ja-JP",
                "conversation": {"id": conversation, "conversationType": "personal", "tenantId": self.tenant},
                "channelData": {"tenant": {"id": self.tenant}},
                "entities": [{"type": "mention", "text": "<at>gunmane</at>", "mentioned": {"id": "28:bot"}}]}

    def templates(self) -> list[Any]:
        return [self.activity(f"<at>gunmane</at> 橋の点検 {MARKER} {CONTACT}"),
                {**self.activity(""), "value": {"gunmane": "ia|1"}},
                {**self.activity(""), "type": "invoke", "name": "adaptiveCard/action"},
                {**self.activity(""), "type": "conversationUpdate", "membersAdded": [{"id": "28:bot"}]}]

    def mutated(self, template: Any, rng: random.Random) -> Any:
        return mutate(template, rng)

    def signed(self, body: Any, rng: random.Random) -> Request:
        token = self.issuer.token(self.app_id, self.connector.url, tenant=self.tenant)
        return encode(body, rng), {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def unsigned(self, body: Any, rng: random.Random) -> Request:
        from bot.teams.fake_issuer import new_key

        choice = rng.randrange(6)
        token = {0: "", 1: "Bearer not-a-jwt",
                 2: "Bearer " + self.issuer.token("99999999-0000-0000-0000-000000000000", self.connector.url),
                 3: "Bearer " + self.issuer.token(self.app_id, self.connector.url, expires_in=-3600),
                 4: "Bearer " + self.issuer.token(self.app_id, self.connector.url, key=self._other_key(new_key)),
                 5: "Bearer " + self.issuer.token(self.app_id, self.connector.url,
                                                  tenant="11111111-0000-0000-0000-000000000000")}[choice]
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = token
        return encode(body, rng), headers

    def _other_key(self, new_key: Callable[[], Any]) -> Any:
        if not hasattr(self, "_spare_key"):
            self._spare_key = new_key()
        return self._spare_key

    def alive(self) -> bool:
        conversation = f"a:personal-alive-{self.turn}"
        token = self.issuer.token(self.app_id, self.connector.url, tenant=self.tenant)
        status = post(self.url, json.dumps(self.activity("こんにちは", conversation)).encode(),
                      {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        return status == 202 and bool(self.connector.log.messages(conversation))


# ---------------------------------------------------------------- LINE WORKS

class LineWorks(Endpoint):
    name = "lineworks /lineworks/callback"
    bot_id, secret = "2000001", "fuzz-bot-secret"

    def start(self, settings: Settings, db: Any) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        from bot.dialogue.engine import DialogueEngine
        from bot.lineworks.config import lineworks_config
        from bot.lineworks.fake_api import FakeIdentity, FakeLineWorks
        from bot.lineworks.server import CALLBACK_PATH, PENDING, create_lineworks_app
        from bot.teams.threaded import ThreadedSite

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file = Path(tempfile.mkdtemp()) / "fuzz.key"
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        self.fake = FakeLineWorks(FakeIdentity(self.bot_id, "fuzz-client", "fuzz-client-secret", "fuzz@example.invalid",
                                               key.public_key())).start()
        configured = settings.model_copy(update={
            "lineworks_bot_id": self.bot_id, "lineworks_bot_secret": SecretStr(self.secret),
            "lineworks_client_id": "fuzz-client", "lineworks_client_secret": SecretStr("fuzz-client-secret"),
            "lineworks_service_account": "fuzz@example.invalid", "lineworks_private_key": key_file,
            "lineworks_api_url": self.fake.api_url, "lineworks_auth_url": self.fake.auth_url})
        engine = DialogueEngine(db, configured)
        made: list[Any] = []
        self.site = ThreadedSite(lambda: made.append(create_lineworks_app(engine, db, lineworks_config(configured)))
                                 or made[0]).start()
        self.app, self.pending_key = made[0], PENDING
        self.url = self.site.url + CALLBACK_PATH
        self.turn = 0

    def stop(self) -> None:
        self.settle()
        self.site.stop()
        self.fake.stop()

    def outgoing(self) -> int:
        return len(self.fake.log.delivered())

    def event(self, text: str, user: str = "fuzz-user") -> dict[str, Any]:
        self.turn += 1
        return {"type": "message", "source": {"userId": user, "domainId": 40029600},
                "issuedTime": f"2027-04-01T09:00:{self.turn % 60:02d}.{self.turn % 1000:03d}Z",
                "content": {"type": "text", "text": text}}

    def templates(self) -> list[Any]:
        return [self.event(f"橋の点検 {MARKER} {CONTACT}"),
                {**self.event("選択"), "content": {"type": "text", "text": "選択", "postback": "ia|1"}},
                {"type": "join", "source": {"channelId": "ch-fuzz", "domainId": 40029600},
                 "issuedTime": "2027-04-01T09:00:00.000Z"}]

    def mutated(self, template: Any, rng: random.Random) -> Any:
        return mutate(template, rng)

    def _sign(self, raw: bytes, secret: str) -> str:
        import base64
        return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()

    def signed(self, body: Any, rng: random.Random) -> Request:
        raw = encode(body, rng)
        return raw, {"Content-Type": "application/json", "X-WORKS-BotId": self.bot_id,
                     "X-WORKS-Signature": self._sign(raw, self.secret)}

    def unsigned(self, body: Any, rng: random.Random) -> Request:
        raw = encode(body, rng)
        forged = rng.choice([{}, {"X-WORKS-BotId": self.bot_id},
                             {"X-WORKS-BotId": self.bot_id, "X-WORKS-Signature": self._sign(raw, "wrong")},
                             {"X-WORKS-BotId": "9999999", "X-WORKS-Signature": self._sign(raw, self.secret)},
                             {"X-WORKS-BotId": self.bot_id, "X-WORKS-Signature": "signé =="}])
        return raw, {"Content-Type": "application/json", **{k: v.encode().decode("latin-1") for k, v in forged.items()}}

    def settle(self) -> None:
        wait_until(lambda: not self.app[self.pending_key], timeout=600)

    def alive(self) -> bool:
        user = f"alive-{self.turn}"
        raw = json.dumps(self.event("こんにちは", user)).encode()
        headers = {"Content-Type": "application/json", "X-WORKS-BotId": self.bot_id,
                   "X-WORKS-Signature": self._sign(raw, self.secret)}
        if post(self.url, raw, headers) != 200:
            return False
        return wait_until(lambda: bool(self.fake.log.delivered(user)))


ENDPOINTS: dict[str, Callable[[], Endpoint]] = {"slack": Slack, "teams": Teams, "lineworks": LineWorks}


# ---------------------------------------------------------------- the run

def open_database(folder: Path) -> tuple[Settings, Any]:
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.sample import seed_sample

    url = f"sqlite:///{folder / 'fuzz.db'}"
    engine = make_engine(url)
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
        seed_sample(session)
    return Settings(data_dir=folder, database_url=url, embedder="fake", scheduler=False), db


def fuzz(endpoint: Endpoint, per_endpoint: int, rng: random.Random, log: io.StringIO) -> Tally:
    tally = Tally(endpoint.name)
    templates = endpoint.templates()
    unsigned_count = per_endpoint // 2
    # 1. unsigned: every one refused, nothing sent because of any
    before = endpoint.outgoing()
    for _ in range(unsigned_count):
        raw, headers = endpoint.unsigned(endpoint.mutated(rng.choice(templates), rng), rng)
        status = post(endpoint.url, raw, headers)
        tally.sent["unsigned"] += 1
        tally.count(status)
        if status not in (401, 403, 413):
            tally.fail(f"unsigned request answered {status}")
    endpoint.settle()
    if endpoint.outgoing() != before:
        tally.fail(f"{endpoint.outgoing() - before} message(s) went out after unsigned requests")
    tally.alive.append(endpoint.alive())
    # 2. signed: hostile but authentic
    for _ in range(per_endpoint - unsigned_count):
        raw, headers = endpoint.signed(endpoint.mutated(rng.choice(templates), rng), rng)
        status = post(endpoint.url, raw, headers)
        tally.sent["signed"] += 1
        tally.count(status)
        if status >= 500:
            tally.fail(f"signed request answered {status}: {raw[:120]!r}")
    endpoint.settle()
    tally.alive.append(endpoint.alive())
    leaked = [line for line in log.getvalue().splitlines() if MARKER in line or CONTACT in line]
    if leaked:
        tally.fail(f"{len(leaked)} INFO+ log line(s) hold a body's text or contact, e.g. {leaked[0][:160]!r}")
    return tally


def table(tallies: list[Tally]) -> str:
    head = "| endpoint | signed | unsigned | 2xx | 401/403 | other 4xx | 5xx / dropped | alive after | failures |"
    rows = [head, "|---|---|---|---|---|---|---|---|---|"]
    for t in tallies:
        ok = sum(n for s, n in t.statuses.items() if s < 300)
        refused = sum(n for s, n in t.statuses.items() if s in (401, 403))
        other = sum(n for s, n in t.statuses.items() if 400 <= s < 500 and s not in (401, 403))
        bad = sum(n for s, n in t.statuses.items() if s >= 500)
        rows.append(f"| {t.name} | {t.sent['signed']:,} | {t.sent['unsigned']:,} | {ok:,} | {refused:,} | {other:,} "
                    f"| {bad:,} | {'yes' if t.alive and all(t.alive) else 'NO'} | {len(t.failures)} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-endpoint", type=int, default=1000, help="requests per endpoint (half unsigned)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"comma-separated, of {sorted(ENDPOINTS)}")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.endpoints.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown:
        parser.error(f"unknown endpoint(s) {unknown}; known: {sorted(ENDPOINTS)}")
    rng = random.Random(args.seed)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    tallies: list[Tally] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gunmane-fuzz-") as folder:
        settings, db = open_database(Path(folder))
        try:
            for name in names:
                endpoint = ENDPOINTS[name]()
                endpoint.start(settings, db)
                try:
                    tallies.append(fuzz(endpoint, args.per_endpoint, rng, captured))
                finally:
                    endpoint.stop()
                captured.seek(0)
                captured.truncate()
        finally:
            db.dispose()
            root.removeHandler(handler)
            root.setLevel(level)
    print(table(tallies))
    print(f"\nseed {args.seed}, {args.per_endpoint:,} requests per endpoint, {time.monotonic() - started:,.0f} s")
    failed = [f"{t.name}: {f}" for t in tallies for f in t.failures] + [
        f"{t.name}: a valid request was not answered afterwards" for t in tallies if not all(t.alive)]
    for line in failed:
        print("FAIL", line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
