"""A process that keeps writing to a gunmane SQLite database while the backup test copies it.

Each transaction adds two audit entries with the same record id; a consistent
copy holds every transaction whole. Prints the number of committed
transactions after each one; stops when stdin closes.
"""

from __future__ import annotations

import sys
import threading

from knowledge import audit
from knowledge.db import Database, make_engine


def main() -> None:
    db = Database(make_engine(sys.argv[1]))
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    written = 0
    while not stop.is_set():
        with db.session() as session:
            for half in ("a", "b"):
                audit.record(session, actor="writer", action="edit", kind="advisor", record_id=f"w{written}",
                             after={"half": half})
        written += 1
        print(written, flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
