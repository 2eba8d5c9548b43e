"""The web's texts: Japanese first, English when the browser prefers it.

One table per language (bot/web/texts/ja.json and en.json, the same keys). ``language_of``
reads Accept-Language; ``translate`` looks a key up and fills ``{placeholders}``.
``problem_text`` puts an importer problem (``field: message``, in English, as the CLI
prints it) into the page's language where its wording is known, else leaves it as it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bot.dialogue.messages import KIND_LABELS, label
from bot.web.problems_ja import PROBLEMS
from knowledge.taxonomy import get_taxonomy

LANGUAGES = ("ja", "en")
TEXTS_DIR = Path(__file__).parent / "texts"


def _table(lang: str) -> dict[str, str]:
    table: dict[str, str] = json.loads((TEXTS_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    return table


TABLES: dict[str, dict[str, str]] = {lang: _table(lang) for lang in LANGUAGES}
_QUALITY = re.compile(r"^\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$")


def language_of(accept_language: str | None) -> str:
    """``en`` when English is preferred over Japanese in Accept-Language, else ``ja``."""
    best: dict[str, float] = {}
    for part in (accept_language or "")[:512].split(","):
        match = _QUALITY.match(part)
        if not match:
            continue
        lang = match.group(1).lower()
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        best[lang] = max(best.get(lang, 0.0), quality)
    english, japanese = best.get("en", 0.0), best.get("ja", 0.0)
    return "en" if english > japanese else "ja"


def translate(lang: str, key: str, **values: Any) -> str:
    if key.startswith("kind.") and key[5:] in KIND_LABELS:   # one label per kind: the chat's catalogue
        return label("kind", key[5:], lang)
    table = TABLES.get(lang, TABLES["ja"])
    text = table.get(key) or TABLES["ja"].get(key)
    if text is None:
        raise KeyError(f"no web text {key!r}")
    return text.format(**values) if values else text


def term_label(lang: str, code: str) -> str:
    """A taxonomy code's label in the page's language (unknown codes as they are)."""
    taxonomy = get_taxonomy()
    try:
        return taxonomy.english(code) if lang == "en" else taxonomy.label(code)
    except ValueError:
        return code


def problem_text(lang: str, message: str) -> str:
    """An importer message in the page's language (Japanese patterns in problems_ja.PROBLEMS)."""
    if lang != "ja":
        return message
    for pattern, template in PROBLEMS:
        match = pattern.search(message)
        if match:   # lists inside the English message ("奈良県, 神奈川県") read with Japanese commas
            return template.format(**{k: (v or "").replace(", ", "、") for k, v in match.groupdict().items()})
    return message


def split_problem(problem: str) -> tuple[str, str]:
    """``field: message`` → (field, message); a problem without a field belongs to the form."""
    field, sep, message = problem.partition(": ")
    if sep and re.fullmatch(r"[a-z_]{1,40}|date \d+", field):
        return field, message
    return "form", problem
