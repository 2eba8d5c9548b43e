"""Property-based tests of the importer (hypothesis; deterministic, bounded — see conftest.py).

1. Any file — arbitrary rows of arbitrary JSON values or CSV cells, broken
   lines, lone surrogates, huge numbers, deep nesting — either imports or is
   refused with every problem as ``FILE:LINE: field: message``; never another
   exception.
2. Export → import round-trips every valid record of every kind, in CSV and
   JSONL, with odd Unicode in every text field: combining marks, emoji and ZWJ
   sequences, U+2028/U+2029/U+0085, right-to-left text and overrides,
   full-width forms, ``;`` ``\\`` ``,`` ``"`` and quotes, formula-like starts
   (``=`` ``+`` ``-`` ``@`` ``'``), line breaks and tabs.
3. ``split_list(join_list(items)) == items`` for any items, ``;`` and ``\\`` included.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.db import Database
from knowledge.errors import ValidationFailed
from knowledge.io import export_records, import_records, read_records
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import (
    ADVISOR_KINDS,
    ADVISOR_STATUSES,
    RECORD_TYPES,
    TECHNOLOGY_CATALOGUES,
    TECHNOLOGY_STATUSES,
    TRAINING_KINDS,
    join_list,
    prefecture_names,
    split_list,
    validate_record,
)
from knowledge.taxonomy import get_taxonomy

KINDS = sorted(RECORD_TYPES)
ODD = ["\u0301", "\u3099", "😀", "👩\u200d👩\u200d👧", "\U0001f1ef\U0001f1f5", "\u2028", "\u2029", "\u0085", "עברית",
       "العربية", "\u202e", "\u200f", "ＡＢＣ１２３", "ｶﾀｶﾅ", "　", ";", "\\", "\\;", ",", '"', "'", "=", "+", "-", "@",
       "\r", "\n", "\r\n", "\t", "\ufeff", "\x1b[31m", "\x7f", "\u00a0", "𠮷", "髙﨑", "①", "㍻"]
plain_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
pieces = st.one_of(st.sampled_from(ODD), st.text(plain_chars, min_size=1, max_size=8))


def odd_text(max_pieces: int = 8) -> st.SearchStrategy[str]:
    """Stripped, non-blank text mixing the odd pieces above (what a valid text field holds after validation)."""
    return st.lists(pieces, min_size=1, max_size=max_pieces).map("".join).map(str.strip).filter(bool)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def codes(kind: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(get_taxonomy().codes(kind)), unique=True, max_size=4)


ids = st.from_regex(r"[A-Za-z0-9_.-]{1,60}", fullmatch=True).map(lambda s: f"hyp-{s}"[:64])
prefectures = st.sampled_from(prefecture_names())


@st.composite
def place(draw: st.DrawFn, directory: MunicipalityDirectory, *, required: bool) -> dict[str, Any]:
    prefecture = draw(prefectures if required else optional(prefectures))
    if prefecture is None:
        return {"prefecture": None, "municipality": None}
    names = [name for pref, name in _places(directory) if pref == prefecture] + [prefecture]
    municipality = draw(st.sampled_from(names) if required else optional(st.sampled_from(names)))
    return {"prefecture": prefecture, "municipality": municipality}


@functools.lru_cache(maxsize=1)
def _places(directory: MunicipalityDirectory) -> list[tuple[str, str]]:
    return sorted(directory._places)  # the directory's (prefecture, name) pairs


@st.composite
def valid_record(draw: st.DrawFn, kind: str, directory: MunicipalityDirectory) -> dict[str, Any]:
    common = {"id": draw(ids), "fields": draw(codes("field")), "processes": draw(codes("process"))}
    if kind == "advisor":
        return {**common, **draw(place(directory, required=False)), "name": draw(odd_text()),
                "affiliation": draw(optional(odd_text())), "kind": draw(optional(st.sampled_from(ADVISOR_KINDS))),
                "expertise": draw(odd_text(30)), "regions": draw(st.lists(prefectures, unique=True, max_size=3)),
                "capacity": draw(st.integers(0, 10_000)), "status": draw(st.sampled_from(ADVISOR_STATUSES)),
                "contact": draw(optional(odd_text(4)))}
    if kind == "case":
        bodies = st.sampled_from([name for _, name in _places(directory)] + list(prefecture_names()))
        return {**common, "title": draw(odd_text()), "summary": draw(odd_text(30)),
                "prefecture": draw(optional(prefectures)),
                "municipalities": draw(st.lists(bodies, unique=True, max_size=3)),
                "scheme": draw(codes("scheme")), "population": draw(optional(st.integers(0, 200_000_000))),
                "engineers": draw(optional(st.integers(0, 1_000_000))), "source": draw(optional(odd_text()))}
    if kind == "engineer":
        return {**common, **draw(place(directory, required=True)), "name": draw(odd_text()),
                "department": draw(optional(odd_text())), "years": draw(optional(st.integers(0, 100))),
                "expertise": draw(odd_text(30)), "discoverable": draw(st.booleans()),
                "contact": draw(optional(odd_text(4)))}
    if kind == "technology":
        return {**common, "name": draw(odd_text()), "vendor": draw(optional(odd_text())),
                "description": draw(odd_text(30)), "catalogue": draw(optional(st.sampled_from(TECHNOLOGY_CATALOGUES))),
                "url": draw(optional(odd_text())), "contact": draw(optional(odd_text(4))),
                "status": draw(st.sampled_from(TECHNOLOGY_STATUSES))}
    assert kind == "training", f"no generator for the record kind {kind!r}: add one above"
    start = draw(optional(st.dates(date(1900, 1, 1), date(2100, 12, 31))))
    end = draw(optional(st.dates(start or date(1900, 1, 1), date(2100, 12, 31))))
    return {**common, "title": draw(odd_text()), "kind": draw(optional(st.sampled_from(TRAINING_KINDS))),
            "organizer": draw(optional(odd_text())), "prefecture": draw(optional(prefectures)),
            "start_date": start and start.isoformat(), "end_date": end and end.isoformat(),
            "description": draw(odd_text(30)), "url": draw(optional(odd_text()))}


def _unique_ids(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({row["id"]: row for row in rows}.values())


@pytest.fixture
def directory(db: Database) -> MunicipalityDirectory:
    with db.session() as session:
        return MunicipalityDirectory(session)


# ---------------------------------------------------------------- 2. round trips


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_gives_back_every_valid_record(db, directory, tmp_path, kind, suffix):
    @settings(max_examples=20)
    @given(st.lists(valid_record(kind, directory), min_size=1, max_size=3).map(_unique_ids))
    def round_trip(rows: list[dict[str, Any]]) -> None:
        expected = {row["id"]: validate_record(kind, row, directory).contract_dict() for row in rows}
        source = tmp_path / "in.jsonl"
        source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        with db.session() as session:
            import_records(session, kind, source, actor="hypothesis", directory=directory)
        exported = tmp_path / f"out{suffix}"
        with db.session() as session:
            export_records(session, kind, exported)
        back = {r.id: r.contract_dict() for _, r in read_records(exported, kind, directory).records}
        assert {i: back[i] for i in expected} == expected
        with db.session() as session:
            again = import_records(session, kind, exported, actor="hypothesis", directory=directory)
        assert not again.changed and set(expected) <= set(again.unchanged)

    round_trip()


@settings(max_examples=300)
@given(st.lists(st.lists(st.sampled_from(["a", ";", "\\", " ", "\\;", "\\\\", "あ", "\u2028"]), max_size=8)
                .map("".join).map(str.strip).filter(bool), max_size=5))
def test_list_values_with_semicolons_and_backslashes_round_trip(items):
    assert split_list(join_list(items)) == items


# ---------------------------------------------------------------- 1. any row: imported or FILE:LINE: field: message


json_scalars = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**40), 10**40),
    st.text(st.characters(blacklist_categories=()), max_size=20), st.sampled_from(ODD),
    st.sampled_from(["bridge", "橋梁", "奈良県", "宇陀市", "active", "true", "FALSE", "2027-04-01", "3", "1_0", ""]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def json_line(draw: st.DrawFn, kind: str) -> str:
    names = RECORD_TYPES[kind].field_names()
    keys = draw(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=6)), unique=True, max_size=len(names) + 2))
    row = {key: draw(json_values) for key in keys}
    if "id" in row and draw(st.booleans()):
        row["id"] = draw(ids)
    line = json.dumps(row, ensure_ascii=draw(st.booleans())) if draw(st.integers(0, 9)) else draw(st.sampled_from(
        ["{", "[]", "null", '{"id": "x"', "[" * 2_000 + "]" * 2_000, '{"capacity": ' + "9" * 5_000 + "}",
         '{"id":"x","name":"\\ud800","expertise":"e"}', "{'id': 1}", "\ufeff{}", '{"a":1}{"b":2}']))
    return line


def _encodable(line: str) -> str:
    """Lines with a raw lone surrogate cannot be written as UTF-8: write them with \\u escapes instead."""
    return line.encode("utf-8", "backslashreplace").decode("utf-8") if re.search("[\ud800-\udfff]", line) else line


PROBLEM = re.compile(r"(?P<path>.+?):(?P<line>\d+): (?P<field>[^ ].*?): (?P<message>\S.*)", re.DOTALL)


def assert_imports_or_is_reported(db: Database, directory: MunicipalityDirectory, kind: str, path: Path,
                                  lines: int) -> None:
    try:
        with db.session() as session:
            import_records(session, kind, path, actor="hypothesis", directory=directory)
    except ValidationFailed as exc:
        assert exc.problems
        for problem in exc.problems:
            match = PROBLEM.fullmatch(problem)
            assert match and match["path"] == str(path), problem
            assert 1 <= int(match["line"]) <= max(lines, 1), problem


@pytest.mark.parametrize("kind", KINDS)
def test_any_jsonl_file_imports_or_every_problem_names_file_line_and_field(db, directory, tmp_path, kind):
    @settings(max_examples=50)
    @given(st.lists(json_line(kind), min_size=1, max_size=4))
    def check(lines: list[str]) -> None:
        path = tmp_path / "fuzz.jsonl"
        path.write_text("\n".join(_encodable(line) for line in lines) + "\n", encoding="utf-8")
        assert_imports_or_is_reported(db, directory, kind, path, len(lines))

    check()


@pytest.mark.parametrize("kind", KINDS)
def test_any_csv_file_imports_or_every_problem_names_file_line_and_field(db, directory, tmp_path, kind):
    names = RECORD_TYPES[kind].field_names()
    cells = st.one_of(
        st.text(plain_chars, max_size=12), st.sampled_from(ODD),
        st.sampled_from(["bridge;橋梁", "奈良県", "宇陀市", "true", "3", "9" * 5_000, "=1+1", "'@x", "", "\x00"]),
    )

    @settings(max_examples=50)
    @given(st.lists(st.one_of(st.sampled_from(names), st.text(max_size=5)), min_size=1, max_size=len(names) + 1),
           st.lists(st.lists(cells, max_size=len(names) + 2), max_size=4), st.booleans())
    def check(header: list[str], rows: list[list[str]], quote_all: bool) -> None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
        text = buffer.getvalue()
        path = tmp_path / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        assert_imports_or_is_reported(db, directory, kind, path, text.count("\n") + 1)

    check()
