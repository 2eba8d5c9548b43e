"""The counselling data (knowledge/data/counselling.json), loaded once and typed.

Candidate problems each carry the schemes that fit them (with the reason, in
Japanese and English); the question bank gives, per option, the facts it
establishes, the words that pick it from a typed answer, and how strongly each
candidate problem predicts it (relative weights, ``base_weight`` for every
problem not listed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "counselling.json"


@dataclass(frozen=True)
class SchemeFit:
    code: str
    why: tuple[str, str]  # (ja, en)


@dataclass(frozen=True)
class Problem:
    id: str
    label: tuple[str, str]
    fields: tuple[str, ...]
    processes: tuple[str, ...]
    pains: tuple[str, ...]
    schemes: tuple[SchemeFit, ...]


@dataclass(frozen=True)
class Option:
    id: str
    label: tuple[str, str]
    facts: dict[str, Any]
    words: tuple[str, ...]
    weights: dict[str, float]


@dataclass(frozen=True)
class QuestionSpec:
    id: str
    text: tuple[str, str]
    fact: str
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class CounselData:
    base_weight: float
    problems: tuple[Problem, ...]
    questions: tuple[QuestionSpec, ...]
    scheme_words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def problem(self, problem_id: str) -> Problem:
        return next(p for p in self.problems if p.id == problem_id)

    def question(self, question_id: str) -> QuestionSpec | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _pair(value: list[str]) -> tuple[str, str]:
    return str(value[0]), str(value[1])


def parse(raw: dict[str, Any]) -> CounselData:
    problems = tuple(
        Problem(
            p["id"],
            _pair(p["label"]),
            tuple(p["fields"]),
            tuple(p["processes"]),
            tuple(p["pains"]),
            tuple(SchemeFit(s["code"], _pair(s["why"])) for s in p["schemes"]),
        )
        for p in raw["problems"]
    )
    known = {p.id for p in problems}
    questions = []
    for q in raw["questions"]:
        options = []
        for o in q["options"]:
            unknown = set(o["weights"]) - known
            if unknown:
                raise ValueError(
                    f"counselling.json: option {q['id']}/{o['id']} names unknown problems {sorted(unknown)}"
                )
            options.append(
                Option(
                    o["id"],
                    _pair(o["label"]),
                    dict(o["facts"]),
                    tuple(o["words"]),
                    {k: float(v) for k, v in o["weights"].items()},
                )
            )
        questions.append(QuestionSpec(q["id"], _pair(q["text"]), q["fact"], tuple(options)))
    words = {code: tuple(ws) for code, ws in raw.get("scheme_words", {}).items()}
    return CounselData(float(raw.get("base_weight", 1.0)), problems, tuple(questions), words)


@lru_cache(maxsize=1)
def counsel_data() -> CounselData:
    return parse(json.loads(DATA_FILE.read_text(encoding="utf-8")))
