"""A fake Slack Web API: a real HTTP server that records every call.

Point the app's ``WebClient`` at it (``GUNMANE_SLACK_API_URL=http://127.0.0.1:PORT/api/``)
in tests and in air-gapped staging. It answers the methods gunmane uses with
Slack-shaped responses and checks messages and views against Slack's block
limits, answering ``invalid_blocks`` as Slack would, so a test that passes
here does not fail on Slack for a 51st block or a 76-character button.

    with FakeSlackAPI() as api:
        client = WebClient(token="xoxb-test", base_url=api.url)
        client.chat_postMessage(channel="D1", text="こんにちは")
        assert api.calls_to("chat.postMessage")[0].params["text"] == "こんにちは"

Run it alone for staging: ``python -m bot.slack.fake_api --port 8099`` prints
each call as one JSON line.

Besides ``/api/<method>`` it serves ``/response/<name>`` (give
``api.response_url(name)`` as a payload's ``response_url``) and
``/upload/<file id>`` (the upload URL of ``files.getUploadURLExternal``).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100


@dataclass(frozen=True)
class RecordedCall:
    """One request the fake received: ``method`` is e.g. ``chat.postMessage`` or ``response_url``."""

    method: str
    params: dict[str, Any]
    token: str | None
    path: str
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


# ---------------------------------------------------------------- Block Kit checks


def block_problems(blocks: Any, limit: int = MESSAGE_BLOCK_LIMIT) -> list[str]:
    """What Slack would reject in ``blocks`` (a subset of its checks: the limits gunmane can hit)."""
    if not isinstance(blocks, list):
        return ["blocks must be an array"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"no more than {limit} items allowed [json-pointer:/blocks]")
    action_ids: set[str] = set()
    for n, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{n}]"
        if not isinstance(block, dict) or "type" not in block:
            problems.append(f"block must be an object with a type {where}")
            continue
        problems += [f"{p} {where}" for p in _block_problems(block, action_ids)]
    return problems


def _text_problems(obj: Any, limit: int, name: str) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"{name} must be a text object"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{name} must be more than 0 characters"]
    if len(text) > limit:
        return [f"{name} must be less than {limit + 1} characters"]
    return []


def _element_problems(element: dict[str, Any], action_ids: set[str]) -> list[str]:
    problems: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None:
        if action_id in action_ids:
            problems.append(f"action_id {action_id!r} already exists")
        action_ids.add(action_id)
        if len(action_id) > 255:
            problems.append("action_id must be less than 256 characters")
    kind = element.get("type")
    if kind == "button":
        problems += _text_problems(element.get("text"), 75, "button text")
        if len(str(element.get("value", ""))) > 2000:
            problems.append("button value must be less than 2001 characters")
    elif kind == "static_select":
        options = element.get("options", [])
        if not 0 < len(options) <= 100:
            problems.append("static_select needs 1 to 100 options")
        for option in options:
            problems += _text_problems(option.get("text"), 75, "option text")
            if len(str(option.get("value", ""))) > 150:
                problems.append("option value must be less than 151 characters")
    return problems


def _block_problems(block: dict[str, Any], action_ids: set[str]) -> list[str]:
    kind = block["type"]
    problems: list[str] = []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append("section needs text or fields")
        if "text" in block:
            problems += _text_problems(block["text"], 3000, "section text")
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append("section fields: no more than 10 items allowed")
        for item in fields:
            problems += _text_problems(item, 2000, "field text")
        if "accessory" in block:
            problems += _element_problems(block["accessory"], action_ids)
    elif kind == "header":
        problems += _text_problems(block.get("text"), 150, "header text")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 0 < len(elements) <= 25:
            problems.append("actions block needs 1 to 25 elements")
        for element in elements:
            problems += _element_problems(element, action_ids)
    elif kind == "context":
        elements = block.get("elements", [])
        if not 0 < len(elements) <= 10:
            problems.append("context block needs 1 to 10 elements")
        for element in elements:
            if element.get("type") in ("plain_text", "mrkdwn"):
                problems += _text_problems(element, 3000, "context text")
    elif kind == "input":
        problems += _text_problems(block.get("label"), 2000, "input label")
        if isinstance(block.get("element"), dict):
            problems += _element_problems(block["element"], action_ids)
    elif kind not in ("divider", "image", "rich_text", "file", "video", "markdown"):
        problems.append(f"unsupported block type {kind!r}")
    return problems


# ---------------------------------------------------------------- the server


class FakeSlackAPI:
    """The fake Web API; ``start()`` binds 127.0.0.1 on a free port unless one is given."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        team_id: str = "T0GUNMANE",
        bot_user_id: str = "UBOTGUNMANE",
        bot_id: str = "BBOTGUNMANE",
        socket_mode_url: str | None = None,
        on_call: Callable[[RecordedCall], None] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.socket_mode_url = socket_mode_url
        self.on_call = on_call
        self.users: dict[str, dict[str, Any]] = {}
        self._calls: list[RecordedCall] = []
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> FakeSlackAPI:
        fake = self

        class Handler(_Handler):
            api = fake

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``."""
        return self.base + "api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base}response/{name}"

    # ---- what was called

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def wait_for(
        self, method: str | tuple[str, ...], count: int = 1, *, timeout: float = 15.0,
        where: Callable[[RecordedCall], bool] = lambda call: True,
    ) -> list[RecordedCall]:
        """Block until at least ``count`` matching calls (to ``method`` or any of several) arrived.

        Returns every matching call so far; raises AssertionError after ``timeout`` seconds.
        """
        methods = (method,) if isinstance(method, str) else method
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self._calls if c.method in methods and where(c)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = ", ".join(c.method for c in self._calls) or "nothing"
                    raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}; calls: {seen}")
                self._lock.wait(remaining)

    def record(self, call: RecordedCall) -> None:
        with self._lock:
            self._calls.append(call)
            self._lock.notify_all()
        if self.on_call is not None:
            self.on_call(call)

    # ---- answers

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            if not self.socket_mode_url:
                return {"ok": False, "error": "socket_mode_not_configured_in_fake"}
            return {"ok": True, "url": self.socket_mode_url}
        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(params)
        return result

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://gunmane-test.slack.com/", "team": "gunmane-test", "user": "gunmane",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id}

    def _message_problems(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if not params.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if len(str(params.get("text", ""))) > 40_000:
            return {"ok": False, "error": "msg_too_long"}
        if "blocks" in params:
            problems = block_problems(params["blocks"])
            if problems:
                return {"ok": False, "error": "invalid_blocks", "errors": problems}
        return None

    def _chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if (problem := self._message_problems(params)) is not None:
            return problem
        ts = self.next_ts()
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id, "ts": ts,
                   "text": params.get("text", ""), "blocks": params.get("blocks", [])}
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}

    def _chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        if (problem := self._message_problems(params)) is not None:
            return problem
        return {"ok": True, "message_ts": self.next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        if (problem := self._message_problems(params)) is not None:
            return problem
        return {"ok": True, "channel": params["channel"], "ts": params["ts"], "text": params.get("text", "")}

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view")
        if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
            return {"ok": False, "error": "invalid_arguments"}
        problems = block_problems(view.get("blocks", []), VIEW_BLOCK_LIMIT)
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        view_id = "V" + hashlib.sha1(json.dumps(view).encode()).hexdigest()[:10].upper()
        return {"ok": True, "view": {**view, "id": view_id}}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._view(params)

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return self._view(params)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._view(params)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._view(params)

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"ok": True, "channel": {"id": params["channel"]}}
        users = sorted({u.strip() for u in str(params.get("users", "")).split(",") if u.strip()})
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 8:   # Slack: "too_many_users: Needs at most 8 users to open"
            return {"ok": False, "error": "too_many_users"}
        digest = hashlib.sha1(",".join(users).encode()).hexdigest()[:9].upper()
        prefix = "D" if len(users) == 1 else "G"
        return {"ok": True, "channel": {"id": prefix + digest, "is_im": len(users) == 1, "is_mpim": len(users) > 1}}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user", "")
        user = self.users.get(user_id, {"id": user_id, "name": user_id.lower(), "real_name": user_id})
        return {"ok": True, "user": user}

    def _chat_getPermalink(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": params.get("channel"),
                "permalink": (f"https://gunmane-test.slack.com/archives/{params.get('channel')}"
                              f"/p{params.get('message_ts', '')}")}

    def _files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = "F" + hashlib.sha1(f"{params.get('filename')}{self.next_ts()}".encode()).hexdigest()[:10].upper()
        return {"ok": True, "upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title", "")} for f in files or []]}


def _decode(params: dict[str, Any]) -> dict[str, Any]:
    """Form fields that carry JSON (blocks, view, files …) decoded, as Slack does."""
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("blocks", "attachments", "view", "files", "metadata") and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        decoded[key] = value
    return decoded


class _Handler(BaseHTTPRequestHandler):
    api: FakeSlackAPI

    def log_message(self, format: str, *args: Any) -> None:  # quiet; calls are recorded instead
        pass

    def _reply(self, body: dict[str, Any] | str, status: int = 200) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        path = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        token = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        if path.path.startswith("/upload/"):
            file_id = path.path.rsplit("/", 1)[-1]
            self.api.record(RecordedCall("upload", {"file_id": file_id, "bytes": len(raw)}, token, path.path))
            self._reply("OK - " + str(len(raw)))
            return
        params = self._params(raw, path.query)
        token = token or params.pop("token", None)
        if path.path.startswith("/response/"):
            self.api.record(RecordedCall("response_url", params, token, path.path))
            self._reply({"ok": True})
            return
        if not path.path.startswith("/api/"):
            self._reply({"ok": False, "error": "not_found"}, 404)
            return
        method = path.path.removeprefix("/api/")
        answer = self.api.answer(method, params, token)
        self.api.record(RecordedCall(method, params, token, path.path, answer))
        self._reply(answer)

    def _params(self, raw: bytes, query: str) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        content_type = self.headers.get("Content-Type", "")
        text = raw.decode("utf-8", errors="replace")
        if "json" in content_type and text:
            try:
                body = json.loads(text)
            except ValueError:
                body = {"_invalid_json": text}
            if isinstance(body, dict):
                params.update(body)
        elif text and "multipart" not in content_type:
            params.update(parse_qsl(text, keep_blank_values=True))
        return _decode(params)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Slack Web API for tests and air-gapped staging.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--socket-mode-url", default=None, help="what apps.connections.open answers")
    args = parser.parse_args(argv)

    def show(call: RecordedCall) -> None:
        print(json.dumps({"method": call.method, "params": call.params, "ok": call.response.get("ok")},
                         ensure_ascii=False), flush=True)

    api = FakeSlackAPI(host=args.host, port=args.port, socket_mode_url=args.socket_mode_url, on_call=show).start()
    print(f"fake Slack Web API on {api.url} (GUNMANE_SLACK_API_URL={api.url}); Ctrl-C stops it", file=sys.stderr)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        api.stop()


if __name__ == "__main__":
    main()
