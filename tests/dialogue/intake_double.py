"""A tiny stand-in for the intake helper's modules, used only while they are not in the tree.

Keyword lists, nothing clever: enough to drive the dialogue's steps in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.cards import IntakeCard, MunicipalityRef, SubIssueCard

FIELDS = {"橋": "bridge", "bridge": "bridge", "舗装": "pavement", "穴": "pavement", "公園": "park",
          "下水": "sewerage", "道路": "road", "側溝": "road", "トンネル": "tunnel", "河川": "river"}
PROCESSES = {"点検": "inspection", "inspect": "inspection", "除雪": "snow_removal", "発注": "procurement",
             "設計": "design", "草": "weeding", "補修": "construction", "修繕": "construction",
             "巡回": "patrol", "見回り": "patrol", "台帳": "data"}
PAINS = {"人手": "staff_shortage", "人がいない": "staff_shortage", "no staff": "staff_shortage",
         "予算": "budget", "住民": "residents", "苦情": "residents"}
WANTED = {"事例": "case", "アドバイザー": "advisor", "専門家": "advisor", "advisor": "advisor", "近く": "engineer",
          "近隣": "engineer", "研修": "training", "training": "training", "窓口": "window"}


@dataclass
class Extraction:
    fields: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    pains: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    terms: dict[str, str] = field(default_factory=dict)


def _codes(text: str, table: dict[str, str]) -> list[str]:
    low = text.lower()
    out: list[str] = []
    for word, code in table.items():
        if word in low and code not in out:
            out.append(code)
    return out


def extract(text: str, *, embedder: Any = None) -> Extraction:
    return Extraction(_codes(text, FIELDS), _codes(text, PROCESSES), _codes(text, PAINS), _codes(text, WANTED))


def split_sub_issues(text: str) -> list[str]:
    parts = [p.strip(" 、。") for p in re.split(r"件と、|。それと|。あと、|; also ", text) if p.strip(" 、。")]
    return parts or [text]


def detect_language(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    ascii_letters = [c for c in letters if c.isascii()]
    return "en" if letters and len(ascii_letters) / len(letters) > 0.6 else "ja"


def analyze(text: str, *, directory: Any, embedder: Any = None, prefecture: str | None = None,
            municipality: str | None = None) -> IntakeCard:
    card = IntakeCard(text=text)
    if prefecture and municipality:
        card.municipality = MunicipalityRef(prefecture=prefecture, name=municipality)
    else:
        names = sorted((n for n in directory.names() if len(n) >= 2 and n in text), key=len, reverse=True)
        if names:
            places = directory.candidates(names[0])
            in_text = [p for p in places if p.prefecture in text]
            if len(in_text) == 1 or len(places) == 1:
                p = in_text[0] if in_text else places[0]
                card.municipality = MunicipalityRef(prefecture=p.prefecture, name=p.name)
            else:
                card.ambiguous = [MunicipalityRef(prefecture=p.prefecture, name=p.name) for p in places]
    for part in split_sub_issues(text):
        e = extract(part)
        card.sub_issues.append(SubIssueCard(text=part, fields=e.fields, processes=e.processes, pains=e.pains,
                                            wanted=e.wanted))
    return card
