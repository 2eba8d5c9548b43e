"""Worker side of scripts/queue_bench.py: one dialogue turn, with the engine loaded once per process.

Imported by the process-pool workers, the RQ workers and the Dramatiq
workers alike, so the three designs run the very same work. Settings come
from the environment (GUNMANE_DATA_DIR, GUNMANE_EMBEDDER) set by the bench.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DONE_LIST = "gunmane-bench-done"
_ENGINE: Any = None


def engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from bot.dialogue.engine import DialogueEngine
        from knowledge.db import open_database
        from knowledge.settings import load_settings
        from matching.embedders import make_embedder

        settings = load_settings()
        _ENGINE = DialogueEngine(open_database(settings), settings, embedder=make_embedder(settings))
    return _ENGINE


def warm_up() -> None:
    """Load the model, indexes, lexical indexes and intake prototypes before anything is measured.

    Whole consultations, one of them on a message only the embedding fallback understands: each
    part of the engine builds its caches on first use (measured in docs/benchmarks.md).
    """
    from turn_cost import StepClock, consult

    from bot.dialogue.replies import ConversationKey

    for n, text in enumerate(("橋の点検が回らない", "マンホールの蓋がガタガタ", "夏場の草がすごくて苦情の電話ばかり")):
        consult(engine(), StepClock(), ConversationKey("terminal", "warm", f"w{n}", f"warm-{os.getpid()}-{n}"), text)


def run_turn(user: str, kind: str, value: str, step: int, sent_at: float) -> dict[str, Any]:
    from turn_cost import _choices

    from bot.dialogue.replies import ConversationKey, IncomingChoice, IncomingMessage, ResultList

    started = time.time()
    incoming = IncomingMessage(value) if kind == "text" else IncomingChoice(value)
    turn = engine().handle(ConversationKey("terminal", "bench", user, user), incoming)
    options = _choices(turn)
    results = any(isinstance(r, ResultList) for r in turn.replies)
    if results:
        options = [c for c in options if "紹介" in c.label]
    from bot.dialogue import choices

    finished = step >= 7 or (kind == "choice" and isinstance(choices.parse(value), choices.IntroRequest))
    return {"user": user, "step": step, "sent_at": sent_at, "started_at": started, "done_at": time.time(),
            "results": results, "next": None if finished or not options else options[0].value,
            "pid": os.getpid()}


def run_turn_and_report(user: str, kind: str, value: str, step: int, sent_at: float) -> None:
    """For the queue workers: run the turn, push its outcome where the front waits for it."""
    from redis import Redis

    outcome = run_turn(user, kind, value, step, sent_at)
    Redis(host="127.0.0.1", port=6379).rpush(DONE_LIST, json.dumps(outcome))
