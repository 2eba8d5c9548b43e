"""Reading JSONL request files (`match --batch`, `analyze --batch`): one object a line.

Every bad line is reported at once as ``FILE:LINE: message`` (ValidationFailed);
blank lines are skipped; a BOM is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from knowledge.errors import GunmaneError, ValidationFailed

T = TypeVar("T")


def read_jsonl(path: Path, parse: Callable[[Any, int], T], *, what: str = "the batch file") -> list[T]:
    """``parse(object, line_number)`` for every non-blank line; it raises ValueError to reject a line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise GunmaneError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise GunmaneError(f"{what.capitalize()} {path} is not UTF-8 ({exc.reason}); save it as UTF-8 and retry.") from exc
    parsed: list[T] = []
    problems: list[str] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                            "each line must be one JSON object")
            continue
        try:
            parsed.append(parse(obj, number))
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}")
    if problems:
        raise ValidationFailed(problems)
    return parsed
