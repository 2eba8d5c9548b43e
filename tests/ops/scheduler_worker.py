"""A `gunmane serve`-like process for the two-process scheduler test.

Starts the scheduler on "go" (stdin), prints one JSON line with the outcome
each job had in this process once every job has fired here, then shuts the
scheduler down when stdin closes.
"""

from __future__ import annotations

import json
import sys
import time

from bot.relay.senders import SenderRegistry
from bot.scheduler import start_scheduler
from knowledge.db import open_database
from knowledge.settings import load_settings

DEADLINE_S = 60


def main() -> None:
    settings = load_settings()
    db = open_database(settings, "serve")
    print(json.dumps({"ready": True}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    handle = start_scheduler(settings, db, senders=SenderRegistry())
    names = handle.job_names()
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline and set(handle.runner.last_results) != set(names):
        time.sleep(0.05)   # polling an observable condition with a deadline
    print(json.dumps({name: r.outcome for name, r in handle.runner.last_results.items()}), flush=True)
    sys.stdin.read()
    handle.shutdown()
    db.dispose()


if __name__ == "__main__":
    main()
