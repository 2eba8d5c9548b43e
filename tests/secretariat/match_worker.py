"""A long-running matching worker for the two-process test.

Reads one query per stdin line, answers one JSON line of advisor and engineer
ids per query, with the same Matcher instance all along (never restarted).
"""

from __future__ import annotations

import json
import sys

from knowledge.db import open_database
from knowledge.settings import load_settings
from matching.embedders import make_embedder
from matching.engine import Matcher
from matching.types import MatchQuery


def main() -> None:
    settings = load_settings()
    db = open_database(settings)
    matcher = Matcher(db, make_embedder(settings), settings)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        text = line.strip()
        if not text:
            continue
        found = {kind: [r.id for r in matcher.match(MatchQuery(text=text, kind=kind, top=10))]
                 for kind in ("advisor", "engineer")}
        print(json.dumps(found), flush=True)


if __name__ == "__main__":
    main()
