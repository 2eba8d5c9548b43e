"""Reading JSON Lines from people's files: one object a line, hostile input included.

Every JSONL reader (``gunmane import``, ``match --batch``, ``analyze --batch``,
``advisor add --json``) goes through :func:`split_lines` and :func:`parse_line`:

- lines end at ``\\n`` only (a ``\\r`` before it is dropped). ``str.splitlines``
  would also cut at U+2028, U+2029, U+0085 and other characters that JSON
  allows raw inside a string, so a record holding one could be exported but
  not re-imported;
- a value nested deeper than ``MAX_DEPTH`` lists or objects, an integer of more
  than ``MAX_INT_DIGITS`` digits (Python refuses to convert 4,300 digits or
  more) and a lone UTF-16 surrogate (``"\\ud800"``: valid JSON, but not a
  character, so no database can store it) are problems named by field, not
  tracebacks.

``read_jsonl`` reports every bad line at once as ``FILE:LINE: message``
(ValidationFailed); blank lines are skipped; a BOM is accepted.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from knowledge.errors import GunmaneError, ValidationFailed

T = TypeVar("T")

MAX_DEPTH = 20          # a record is an object of values and lists (depth 3); requests are flatter still
MAX_INT_DIGITS = 30     # more than any field's range; far below Python's 4,300-digit conversion limit
_LABEL_LIMIT = 40


@dataclass(frozen=True)
class OversizedNumber:
    """Stands in for a JSON integer too long to be any field's value, so the field's own check names it."""

    digits: int

    def __repr__(self) -> str:
        return f"<a number of {self.digits:,} digits>"


class JsonLineError(ValueError):
    """One line's problem as ``field: message`` (``json`` when no field can be named)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class InvalidJson(JsonLineError):
    """The line is not JSON at all; ``detail`` is the parser's reason and column."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("json", f"invalid JSON ({detail})")


def split_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for every line of ``text``, cut at ``\\n`` (or ``\\r\\n``) only."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line[:-1] if line.endswith("\r") else line


def field_label(key: object) -> str:
    """A field name fit to print: as it is when short and plain, else its escaped, shortened repr (``' '``)."""
    if isinstance(key, str) and key and key == key.strip() and len(key) <= _LABEL_LIMIT and key.isprintable():
        return key
    text = repr(key)
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def surrogate_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a lone surrogate), or None when it is valid Unicode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains \\u{ord(text[exc.start]):04x} at character {exc.start + 1:,}, half of a UTF-16 surrogate pair "
            f"that is not a character (a broken \\uXXXX escape); write the character itself or remove it"
        )
    return None


def _int_or_marker(digits: str) -> int | OversizedNumber:
    count = len(digits.lstrip("-"))
    return OversizedNumber(count) if count > MAX_INT_DIGITS else int(digits)


def parse_line(line: str) -> Any:
    """One JSON value, checked for depth, huge integers and lone surrogates; JsonLineError says what is wrong."""
    try:
        value = json.loads(line, parse_int=_int_or_marker)
    except json.JSONDecodeError as exc:
        where = "column" if exc.msg.endswith(" at") else "at column"  # "Unterminated string starting at"
        raise InvalidJson(f"{exc.msg} {where} {exc.colno}") from None
    except RecursionError:  # deeper than the interpreter's limit: the parser gave up, name the field by a scan
        raise JsonLineError(_deep_field(line), _too_deep()) from None
    check_value(value)
    return value


def check_value(value: Any) -> None:
    """Depth and surrogates of a parsed value; problems are named by the top-level key holding them."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "json")]
    while stack:
        item, depth, field = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonLineError(field, _too_deep())
        if isinstance(item, str):
            if (problem := surrogate_problem(item)) is not None:
                raise JsonLineError(field, problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                here = field_label(key) if depth == 1 else field
                if (problem := surrogate_problem(key)) is not None:
                    raise JsonLineError(here, f"the field name {problem}")
                stack.append((child, depth + 1, here))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, field) for child in item)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def _deep_field(line: str) -> str:
    """The top-level key under which ``line`` first nests deeper than MAX_DEPTH (``json`` if none)."""
    depth, field, previous = 0, "json", ""
    for match in _TOKENS.finditer(line):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return field
        elif token in ("]", "}"):
            depth -= 1
        elif token.startswith('"') and depth == 1 and previous in ("{", ","):
            with contextlib.suppress(ValueError):
                field = field_label(json.loads(token))
        previous = token
    return field


def _too_deep() -> str:
    return (f"lists or objects are nested more than {MAX_DEPTH} levels deep; "
            f"a line holds one flat object whose values are text, numbers, true/false or lists")


def read_jsonl(path: Path, parse: Callable[[Any, int], T], *, what: str = "the batch file") -> list[T]:
    """``parse(object, line_number)`` for every non-blank line; it raises ValueError to reject a line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GunmaneError(f"Cannot read {what} {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise GunmaneError(
            f"{what.capitalize()} {path} is not UTF-8 ({exc.reason}); save it as UTF-8 and retry."
        ) from exc
    parsed: list[T] = []
    problems: list[str] = []
    for number, raw in split_lines(text):
        if not raw.strip():
            continue
        try:
            obj = parse_line(raw)
        except InvalidJson as exc:
            problems.append(f"{path}:{number}: not valid JSON ({exc.detail}); each line must be one JSON object")
            continue
        except JsonLineError as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        try:
            parsed.append(parse(obj, number))
        except ValueError as exc:
            problems.append(f"{path}:{number}: {exc}")
    if problems:
        raise ValidationFailed(problems)
    return parsed
