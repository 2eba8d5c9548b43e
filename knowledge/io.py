"""Import and export of records in the contract's files (CSV or JSONL).

Import is all or nothing: the whole file is read and validated first, every
problem collected as ``FILE:LINE: field: message``; if there is any, nothing
is written and ``ValidationFailed`` carries them all. Otherwise each record is
upserted by id, each created or changed record gets an audit entry (action
``import``, before/after), unchanged records write nothing, and the kind's
data version is bumped once.

CSV cells that a spreadsheet would run as a formula (starting ``=``, ``+``,
``-`` or ``@``) are written with a leading ``'``; the importer removes exactly
that prefix again, so import → export → import gives the same records.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import audit
from knowledge.db import bump_version
from knowledge.errors import GunmaneError, ValidationFailed
from knowledge.jsonl import JsonLineError, parse_line, split_lines
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import IMPORT_ONLY_TYPES, Record, join_list, record_type, split_list, validate_record

FORMATS = (".csv", ".jsonl")
MAX_FILE_BYTES = 200 * 1024 * 1024
_CSV_FIELD_LIMIT = 64 * 1024 * 1024   # read huge cells whole, so the validator can say how long they are
_FORMULA = re.compile(r"^'*[=+\-@]")
_ESCAPED_FORMULA = re.compile(r"^'+[=+\-@]")


# ---------------------------------------------------------------- spreadsheet formula escaping


def escape_formula(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run (``=SUM(…)`` → ``'=SUM(…)``).

    Cells that already start with ``'`` before such a character get one more,
    so ``unescape_formula`` can always undo exactly this step.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def unescape_formula(cell: str) -> str:
    return cell[1:] if _ESCAPED_FORMULA.match(cell) else cell


def looks_like_formula(cell: str) -> bool:
    return bool(cell) and cell[0] in "=+-@"


# ---------------------------------------------------------------- reading files


@dataclass
class Row:
    line: int
    data: dict[str, Any]


@dataclass
class ParsedFile:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationFailed(
            [f"{path}:1: file: unsupported file type {suffix or '(none)'!r}; name the file .csv or .jsonl"]
        )
    return suffix


def _read_text(path: Path) -> str:
    """The file as text; a clear problem for a missing, huge or non-UTF-8 file (or a directory, a device)."""
    limit = f"the limit is {MAX_FILE_BYTES / 1e6:,.0f} MB — split it"
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            raise ValidationFailed([f"{path}:1: file: the file is {size / 1e6:,.0f} MB; {limit}"])
        with path.open("rb") as handle:  # read at most one byte past the limit: a pipe or device has no size
            raw = handle.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ValidationFailed([f"{path}:1: file: this is a directory; give the .csv or .jsonl file in it"]) from None
    except OSError as exc:
        raise ValidationFailed([f"{path}:1: file: cannot read the file ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationFailed([f"{path}:1: file: more than {MAX_FILE_BYTES / 1e6:,.0f} MB; {limit}"])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp932")
            guess = "It looks like Shift_JIS (CP932), which Excel uses by default for CSV. "
        except UnicodeDecodeError:
            guess = ""
        raise ValidationFailed(
            [
                f"{path}:{line}: file: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}). "
                f"{guess}Save it as UTF-8: in Excel choose 「CSV UTF-8 (コンマ区切り)」 under 名前を付けて保存, "
                f"or convert it with `iconv -f CP932 -t UTF-8 {path.name} > utf8.{path.suffix.lstrip('.')}`."
            ]
        ) from None


def _parse_jsonl(path: Path, text: str) -> ParsedFile:
    parsed = ParsedFile()
    for number, line in split_lines(text):
        if not line.strip():
            continue
        try:
            value = parse_line(line)
        except JsonLineError as exc:
            parsed.problems.append(f"{path}:{number}: {exc}")
            continue
        if not isinstance(value, dict):
            parsed.problems.append(
                f"{path}:{number}: json: expected one JSON object {{\"id\": …}} per line, got {type(value).__name__}"
            )
            continue
        parsed.rows.append(Row(number, value))
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(f"{path}:1: file: the file is empty; expected one JSON object per line")
    return parsed


def _csv_rows(text: str) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(first line of the record, cells) per CSV record, or the csv.Error at that record."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, _CSV_FIELD_LIMIT))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, exc
                return
            yield start, cells
    finally:
        csv.field_size_limit(previous)


def _header_problems(path: Path, kind: str, header: list[str]) -> list[str]:
    model = record_type(kind)
    known = model.field_names()
    problems = []
    if len(header) == 1 and ("\t" in header[0] or ";" in header[0]):
        sep = "tabs" if "\t" in header[0] else "semicolons"
        return [f"{path}:1: header: the columns are separated by {sep}; save the file as comma-separated CSV"]
    unknown = [h for h in header if h not in known]
    if unknown:
        problems.append(
            f"{path}:1: header: unknown column(s) {', '.join(repr(h) for h in unknown)}; "
            f"the columns of {kind} are {', '.join(known)}"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        problems.append(f"{path}:1: header: column(s) {', '.join(duplicated)} appear more than once")
    missing = [name for name in model.required_fields() if name not in header]
    if missing:
        problems.append(f"{path}:1: header: missing required column(s) {', '.join(missing)}")
    return problems


def _parse_csv(path: Path, kind: str, text: str) -> ParsedFile:
    parsed = ParsedFile()
    header: list[str] | None = None
    header_line = 1
    list_fields = set(record_type(kind).list_fields())
    for line, cells in _csv_rows(text):
        if isinstance(cells, csv.Error):
            reason = str(cells)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = 'a quoted value that starts here is never closed (unbalanced ")'
            parsed.problems.append(f"{path}:{line}: csv: malformed CSV — {reason}")
            break
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header, header_line = [c.strip() for c in cells], line
            header_problems = _header_problems(path, kind, header)
            if header_problems:
                parsed.problems.extend(p.replace(f"{path}:1:", f"{path}:{header_line}:", 1) for p in header_problems)
                return parsed
            continue
        if len(cells) > len(header) and not any(c.strip() for c in cells[len(header):]):
            cells = cells[: len(header)]  # spreadsheets pad rows with empty cells
        if len(cells) != len(header):
            parsed.problems.append(
                f"{path}:{line}: row: has {len(cells)} values but the header has {len(header)} columns "
                f"(a comma inside a value needs the value in double quotes)"
            )
            continue
        data: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):   # lengths checked just above
            if looks_like_formula(cell):
                parsed.warnings.append(
                    f"{path}:{line}: {name}: starts with {cell[0]!r}; kept as text (exports write it as '{cell[0]}… "
                    f"so a spreadsheet does not run it)"
                )
            value = unescape_formula(cell)
            data[name] = split_list(value) if name in list_fields else value
        parsed.rows.append(Row(line, data))
    if header is None and not parsed.problems:
        parsed.problems.append(
            f"{path}:1: file: the file is empty; expected a header row with the columns "
            f"{', '.join(record_type(kind).field_names())}"
        )
    return parsed


@dataclass
class ValidRecords:
    """A file's records, each with the line it came from."""

    path: Path
    records: list[tuple[int, Record]]
    warnings: list[str]


def read_records(path: str | Path, kind: str, directory: MunicipalityDirectory | None = None) -> ValidRecords:
    """Parse and validate a whole file; ValidationFailed with every ``FILE:LINE: field: message``."""
    path = Path(path)
    record_type(kind)
    suffix = _format_of(path)
    text = _read_text(path)
    parsed = _parse_jsonl(path, text) if suffix == ".jsonl" else _parse_csv(path, kind, text)
    problems = list(parsed.problems)
    records: list[tuple[int, Record]] = []
    first_line: dict[str, int] = {}
    for row in parsed.rows:
        try:
            record = validate_record(kind, row.data, directory)
        except ValidationFailed as exc:
            problems.extend(f"{path}:{row.line}: {p}" for p in exc.problems)
            continue
        if record.id in first_line:
            problems.append(
                f"{path}:{row.line}: id: {record.id!r} appears again (first on line {first_line[record.id]}); "
                f"each id may appear only once in a file"
            )
            continue
        first_line[record.id] = row.line
        records.append((row.line, record))
    if problems:
        raise ValidationFailed(problems)
    return ValidRecords(path, records, parsed.warnings)


# ---------------------------------------------------------------- import


@dataclass
class ImportReport:
    kind: str
    path: Path
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: int | None = None       # the kind's data version after the import (None: not bumped)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.path}: {self.total} {self.kind} record(s) — {len(self.created)} {verb} created, "
            f"{len(self.updated)} {verb} updated, {len(self.unchanged)} unchanged"
            + (" (dry run: nothing was changed)" if self.dry_run else "")
        )


def import_records(
    session: Session,
    kind: str,
    path: str | Path,
    *,
    actor: str,
    dry_run: bool = False,
    directory: MunicipalityDirectory | None = None,
) -> ImportReport:
    """Upsert every record of the file by id, or change nothing and raise ValidationFailed."""
    if kind in IMPORT_ONLY_TYPES:  # consultations need the intake analysis: bot.secretariat.consultations
        raise ValidationFailed([f"kind: {kind} files are imported with `gunmane import {kind} FILE`"])
    model = record_type(kind)
    directory = directory or MunicipalityDirectory(session)
    valid = read_records(path, kind, directory)
    ids = [record.id for _, record in valid.records]
    existing = {row.ext_id: row for row in _rows_by_ext_id(session, model.orm, ids)}

    report = ImportReport(kind, valid.path, dry_run, warnings=valid.warnings)
    plan: list[tuple[Record, Any, dict[str, Any] | None, dict[str, Any]]] = []
    problems: list[str] = []
    for line, record in valid.records:
        after = record.contract_dict()
        row = existing.get(record.id)
        before = None if row is None else model.from_row(row).contract_dict()
        if before == after:
            report.unchanged.append(record.id)
            continue
        if row is not None and getattr(row, "forgotten", False):
            problems.append(
                f"{valid.path}:{line}: id: {record.id!r} was erased at the person's request and cannot be "
                f"re-imported with other values; remove this row from the file"
            )
            continue
        (report.created if row is None else report.updated).append(record.id)
        plan.append((record, row, before, after))
    if problems:
        raise ValidationFailed(problems)
    if dry_run or not plan:
        return report

    for record, row, before, after in plan:
        if row is None:
            session.add(record.to_row())
        else:
            record.to_row(row)
        audit.record(session, actor=actor, action="import", kind=kind, record_id=record.id, before=before, after=after)
    session.flush()
    report.version = bump_version(session, kind)
    return report


def _rows_by_ext_id(session: Session, orm: Any, ids: list[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(ids), 500):  # keep the IN list within every server's parameter limit
        rows.extend(session.scalars(select(orm).where(orm.ext_id.in_(ids[start : start + 500]))))
    return rows


# ---------------------------------------------------------------- export


def records_of_kind(session: Session, kind: str) -> list[Record]:
    """Every record of ``kind`` in the contract format, ordered by id (erased people as stored)."""
    model = record_type(kind)
    orm: Any = model.orm   # every record model has ext_id; RECORD_MODELS is typed by the shared Base
    rows = session.scalars(select(orm).order_by(orm.ext_id))
    return [model.from_row(row) for row in rows]


def csv_cell(value: Any) -> str:
    """A contract value as one CSV cell (lists joined with ``;``, formulas escaped)."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = join_list([str(v) for v in value])
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return escape_formula(text)


def jsonl_line(record: Record) -> str:
    return json.dumps(record.contract_dict(), ensure_ascii=False)


def write_records(records: list[Record], kind: str, path: str | Path) -> int:
    """Write records to a .csv or .jsonl file atomically; returns how many were written."""
    path = Path(path)
    suffix = _format_of(path)
    names = record_type(kind).field_names()
    buffer = io.StringIO(newline="")
    if suffix == ".jsonl":
        for record in records:
            buffer.write(jsonl_line(record) + "\n")
        data = buffer.getvalue().encode("utf-8")
    else:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        for record in records:
            values = record.contract_dict()
            writer.writerow([csv_cell(values[name]) for name in names])
        data = buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read the file as UTF-8
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise GunmaneError(
            f"Cannot write {path}: {exc.strerror or exc}. Choose a file in a folder you can write to."
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GunmaneError(f"Cannot write {path}: {exc.strerror or exc}; nothing was written.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(records)


def export_records(session: Session, kind: str, path: str | Path) -> int:
    """Export every record of ``kind`` (MLIT reference cases and erased people included) to CSV or JSONL."""
    return write_records(records_of_kind(session, kind), kind, path)
