"""Record text made safe for a terminal: the one place every command's output of record data goes through.

Names, expertise, messages and ids come from imported files and chat users. A
terminal runs the control sequences inside them: ``\\x1b[31m`` recolours the
screen, ``\\x1b]8;;…`` plants a link, ``\\r`` overwrites what was printed, and
bidirectional overrides (U+202E) show text in another order than it is
stored. So human-readable output shows such characters as visible escapes
(``\\x1b``, ``\\u202e``) — the secretariat sees that a record holds something
odd, and nothing is lost — and JSON output writes them as ``\\uXXXX`` escapes,
which a JSON reader turns back into the same text. Rich tables get ``Text``
cells, so ``[link=…]`` in a name is shown, not interpreted as markup.

The other way round, :func:`typed` makes what a terminal user typed storable:
Python reads bytes that are not UTF-8 as lone surrogates, which no database
can store.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.text import Text

# C0 controls except tab and newline, DEL, C1 controls, bidirectional embeddings/overrides/isolates,
# and lone surrogates (which cannot even be encoded for output).
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_JSON_UNSAFE = re.compile(_UNSAFE.pattern[:-1] + "\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(value: object) -> str:
    """``value`` as text a terminal shows literally: control characters become visible escapes."""
    return _UNSAFE.sub(_escape, value if isinstance(value, str) else str(value))


def cell(value: object) -> Text:
    """A rich table cell holding ``value`` literally: no control characters, no markup."""
    return Text(printable("" if value is None else value))


def json_line(value: Any) -> str:
    """``value`` as one line of JSON (non-ASCII kept readable) with no character a terminal would run.

    U+2028 and U+2029 are escaped too, so a reader that splits lines with
    ``str.splitlines`` (or JavaScript before ES2019) still sees one line.
    """
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(value, ensure_ascii=False, default=str))


def typed(text: str) -> str:
    """Input read from a terminal or pipe with every byte that was not UTF-8 (a lone surrogate) as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)
