"""Record schemas of the data-format contract: advisor, case, engineer, training.

One pydantic model per record kind, with the contract's fields in the
contract's order, its types, required fields and defaults. Validation also

- normalises taxonomy labels to codes (``橋梁`` → ``bridge``);
- accepts list fields as a list or as ``a;b`` text (``\\;`` is a literal ``;``);
- drops blank values so defaults apply (capacity 3, status active, [] lists);
- checks prefectures against the 47 and, when a ``MunicipalityDirectory`` is
  passed in the validation context, municipalities against that prefecture;
- limits text lengths, so a 10 MB cell is an error that says so;
- takes integers as JSON numbers or ASCII digits and booleans as
  ``true``/``false`` only (``true`` is no capacity, ``yes`` no consent), and
  rejects text no database can store (NUL, lone surrogates).

``validate_record(kind, data, directory)`` is the entry point for importers
and for the secretariat's add/edit commands: it returns the record or raises
``ValidationFailed`` with every problem as ``field: message``.
``to_row``/``from_row`` convert to and from the ORM rows without loss.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from knowledge import models
from knowledge.errors import ValidationFailed
from knowledge.jsonl import OversizedNumber, field_label, surrogate_problem
from knowledge.municipalities import MunicipalityDirectory
from knowledge.taxonomy import UnknownTerm, get_taxonomy

RecordKind = Literal["advisor", "case", "engineer", "training", "technology", "consultation"]
RECORD_KINDS: tuple[RecordKind, ...] = ("advisor", "case", "engineer", "training", "technology")

ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
LONG_TEXT = 20_000      # expertise, summary, description
SHORT_TEXT = 500        # names, titles, affiliations
SOURCE_TEXT = 2_000     # URLs and document titles
CONTACT_TEXT = 256
PLACE_TEXT = 32         # a municipality name (the longest real one has 8 characters)
LIST_ITEMS = 100

ADVISOR_KINDS = ("retired_official", "consultant", "academic", "prefecture", "municipality", "contractor", "other")
ADVISOR_STATUSES = ("active", "paused", "retired")
TRAINING_KINDS = ("training", "site_visit", "seminar", "webinar")

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_MAX_DIGITS = 18            # every integer field's range fits in far fewer digits
_SHOWN = 60                 # a value quoted in a message is cut to this many characters
_LISTED = 5                 # unknown list items named in one message


def shown(value: Any) -> str:
    """``repr(value)`` for an error message, cut short: a message never repeats a 10 MB cell."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# ---------------------------------------------------------------- list fields as text


def split_list(text: str) -> list[str]:
    """``a;b\\;c`` → ``["a", "b;c"]``; ``\\\\`` is one backslash; blank items are dropped.

    A backslash before anything else is kept as it is (``C:\\x`` stays ``C:\\x``).
    """
    items, current, chars = [], [], iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in (";", "\\") else ch + nxt)
        elif ch == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


_NEEDS_ESCAPE = re.compile(r"\\(?=[;\\]|\Z)|;")


def join_list(items: list[str]) -> str:
    """Inverse of ``split_list``: ``["a", "b;c"]`` → ``a;b\\;c``.

    A backslash is doubled only where ``split_list`` would otherwise read it as an
    escape (before ``;``, before another backslash, at the end of an item).
    """
    return ";".join(_NEEDS_ESCAPE.sub(lambda m: "\\" + m.group(), item) for item in items)


# ---------------------------------------------------------------- reusable field types


@lru_cache(maxsize=1)
def prefecture_names() -> tuple[str, ...]:
    """The 47 prefectures, in their official order."""
    raw = json.loads((Path(__file__).parent / "data" / "prefectures.json").read_text(encoding="utf-8"))
    return tuple(p["name"] for p in sorted(raw, key=lambda p: p["code"]))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _max_length(limit: int) -> Any:
    """Length limit, and no NUL characters (PostgreSQL cannot store them in text)."""

    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; the limit is {limit:,} characters — shorten it")
        if value is not None and "\x00" in value:
            raise ValueError(f"contains a NUL character (\\x00) at position {value.index(chr(0)) + 1}; remove it")
        return value

    return AfterValidator(check)


def _as_list(value: Any) -> Any:
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, (list, tuple)):
        return [_strip(v) for v in value if not (isinstance(v, str) and not v.strip())]
    return value


def _max_items(items: list[str]) -> list[str]:
    if len(items) > LIST_ITEMS:
        raise ValueError(f"has {len(items)} items; the limit is {LIST_ITEMS}")
    return items


def _codes(kind: str) -> Any:
    def normalize(values: list[str]) -> list[str]:
        taxonomy, codes, unknown = get_taxonomy(), [], []
        for value in values:
            try:
                code = taxonomy.normalize(kind, value)
            except UnknownTerm:
                unknown.append(value)
                continue
            if code not in codes:
                codes.append(code)
        if unknown:
            named = ", ".join(shown(v) for v in unknown[:_LISTED])
            more = f" (and {len(unknown) - _LISTED} more)" if len(unknown) > _LISTED else ""
            raise ValueError(f"{named}{more} is not a {kind} code or label; allowed: {taxonomy.allowed(kind)}")
        return codes

    return AfterValidator(normalize)


def _known_prefecture(value: str | None) -> str | None:
    if value is None or value in prefecture_names():
        return value
    near = difflib.get_close_matches(value, prefecture_names(), n=3, cutoff=0.3) if len(value) <= PLACE_TEXT else []
    hint = f"did you mean {', '.join(near)}?" if near else "use the full name such as 奈良県, 東京都, 北海道"
    raise ValueError(f"unknown prefecture {shown(value)}; {hint}")


def _closest(directory: MunicipalityDirectory, name: str, prefecture: str | None) -> list[str]:
    return list(directory.closest_names(name, prefecture) if prefecture else directory.closest_names(name))


def _known_prefectures(values: list[str]) -> list[str]:
    for value in values:
        _known_prefecture(value)
    return list(dict.fromkeys(values))


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value.strip()):
        raise ValueError(f"{shown(value)} is not a date; write it as YYYY-MM-DD (e.g. 2027-04-01)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{shown(value)} is not a real date (YYYY-MM-DD)") from None


def _whole_number(value: Any) -> Any:
    """JSON integers and CSV digits; not booleans (``true`` is not 1), ``1_0``, ``３`` or 5,000 digits."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number; write a whole number such as 3")
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{shown(value)} is not a whole number; write it in digits 0-9, such as 3")
        value = int(text) if len(text.lstrip("+-")) <= _MAX_DIGITS else OversizedNumber(len(text.lstrip("+-")))
    if isinstance(value, OversizedNumber):
        raise ValueError(
            f"is a number of {value.digits:,} digits, far outside the allowed range; write a whole number such as 3"
        )
    return value  # ints, and floats for pydantic's integer check (2.0 → 2; 2.5, NaN are errors)


def _true_or_false(value: Any) -> Any:
    """``true``/``false`` (JSON booleans, or the text in any case: Excel writes TRUE); nothing else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{shown(value)} is not allowed; write true or false")


ExtId = Annotated[str, BeforeValidator(_strip), StringConstraints(pattern=ID_PATTERN)]
LongText = Annotated[str, BeforeValidator(_strip), _max_length(LONG_TEXT)]
ShortText = Annotated[str, BeforeValidator(_strip), _max_length(SHORT_TEXT)]
OptShortText = Annotated[str | None, BeforeValidator(_strip), _max_length(SHORT_TEXT)]
OptSource = Annotated[str | None, BeforeValidator(_strip), _max_length(SOURCE_TEXT)]
OptContact = Annotated[str | None, BeforeValidator(_strip), _max_length(CONTACT_TEXT)]
Prefecture = Annotated[str, BeforeValidator(_strip), AfterValidator(_known_prefecture)]
OptPrefecture = Annotated[str | None, BeforeValidator(_strip), AfterValidator(_known_prefecture)]
Place = Annotated[str, BeforeValidator(_strip), _max_length(PLACE_TEXT)]
OptPlace = Annotated[str | None, BeforeValidator(_strip), _max_length(PLACE_TEXT)]
Fields = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_max_items), _codes("field")]
Processes = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_max_items), _codes("process")]
Schemes = Annotated[list[str], BeforeValidator(_as_list), AfterValidator(_max_items), _codes("scheme")]
Prefectures = Annotated[
    list[str], BeforeValidator(_as_list), AfterValidator(_max_items), AfterValidator(_known_prefectures)
]
PlaceList = Annotated[
    list[Annotated[str, _max_length(PLACE_TEXT)]], BeforeValidator(_as_list), AfterValidator(_max_items)
]
OptDate = Annotated[date | None, BeforeValidator(_iso_date)]
Count = Annotated[int, BeforeValidator(_whole_number)]
OptCount = Annotated[int | None, BeforeValidator(_whole_number)]
Flag = Annotated[bool, BeforeValidator(_true_or_false)]


def _directory(info: ValidationInfo) -> MunicipalityDirectory | None:
    context = info.context or {}
    return context.get("directory") if isinstance(context, dict) else None


def _check_municipality(value: str | None, info: ValidationInfo) -> str | None:
    """The municipality must exist in the record's prefecture (or be the prefecture itself)."""
    if value is None or "prefecture" not in info.data:  # a bad prefecture is reported on its own
        return value
    prefecture = info.data["prefecture"]
    directory = _directory(info)
    if prefecture is None:
        where = ""
        if directory is not None and (found := directory.candidates(value)):
            where = f" ({value} is in {', '.join(p.prefecture for p in found)})"
        raise ValueError(f"{value!r} needs a prefecture; fill in the prefecture field too{where}")
    if directory is None or directory.get(prefecture, value) is not None:
        return value
    near = directory.closest_names(value, prefecture)
    elsewhere = [p.prefecture for p in directory.candidates(value)]
    hint = f"{value} is in {', '.join(elsewhere)}" if elsewhere else f"closest names: {', '.join(near) or '—'}"
    raise ValueError(
        f"no municipality {value!r} in {prefecture}; {hint} (for prefectural staff write the prefecture's name)"
    )


# ---------------------------------------------------------------- the four record kinds


class RecordBase(BaseModel):
    """Common behaviour: blank values dropped, unknown keys rejected, ORM conversion."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, validate_default=False)

    record_kind: ClassVar[RecordKind]
    orm: ClassVar[type[models.Base]]

    id: ExtId

    @model_validator(mode="before")
    @classmethod
    def _drop_blanks(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None and not (isinstance(v, str) and not v.strip())}
        return data

    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls.model_fields)

    @classmethod
    def required_fields(cls) -> list[str]:
        return [name for name, info in cls.model_fields.items() if info.is_required()]

    @classmethod
    def list_fields(cls) -> list[str]:
        return [name for name, info in cls.model_fields.items() if get_origin(info.annotation) is list]

    def contract_dict(self) -> dict[str, Any]:
        """The record as the contract writes it in JSONL (dates as YYYY-MM-DD, None as null)."""
        return self.model_dump(mode="json")

    def to_row(self, row: Any = None) -> Any:
        """A new ORM row, or ``row`` updated in place, holding exactly this record."""
        row = self.orm() if row is None else row
        row.ext_id = self.id
        for name in type(self).model_fields:
            if name != "id":
                value = getattr(self, name)
                setattr(row, name, list(value) if isinstance(value, list) else value)
        return row

    @classmethod
    def from_row(cls, row: Any) -> Any:
        """The record an ORM row holds — as stored, without re-validating (erased people keep their placeholders)."""
        values = {name: getattr(row, name) for name in cls.model_fields if name != "id"}
        values = {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}
        for name in cls.list_fields():
            values[name] = values[name] or []
        return cls.model_construct(id=row.ext_id, **values)


class AdvisorRecord(RecordBase):
    record_kind: ClassVar[RecordKind] = "advisor"
    orm: ClassVar[type[models.Base]] = models.Advisor

    name: ShortText
    affiliation: OptShortText = None
    kind: Literal[ADVISOR_KINDS] | None = None  # type: ignore[valid-type]
    expertise: LongText
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    prefecture: OptPrefecture = None
    municipality: OptPlace = None
    regions: Prefectures = Field(default_factory=list)
    capacity: Count = Field(3, ge=0, le=10_000)
    status: Literal[ADVISOR_STATUSES] = "active"  # type: ignore[valid-type]
    contact: OptContact = None

    _municipality = field_validator("municipality")(_check_municipality)


class CaseRecord(RecordBase):
    record_kind: ClassVar[RecordKind] = "case"
    orm: ClassVar[type[models.Base]] = models.Case

    title: ShortText
    summary: LongText
    prefecture: OptPrefecture = None
    municipalities: PlaceList = Field(default_factory=list)
    scheme: Schemes = Field(default_factory=list)
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    population: OptCount = Field(None, ge=0, le=200_000_000)
    engineers: OptCount = Field(None, ge=0, le=1_000_000)
    source: OptSource = None

    @field_validator("municipalities")
    @classmethod
    def _bodies_exist(cls, values: list[str], info: ValidationInfo) -> list[str]:
        """Each participating body is a prefecture or a municipality (in the lead prefecture, else anywhere)."""
        directory = _directory(info)
        if directory is None:
            return list(dict.fromkeys(values))
        lead = info.data.get("prefecture")
        unknown = [
            v
            for v in values
            if not directory.is_prefecture(v)
            and (lead is None or directory.get(lead, v) is None)
            and not directory.candidates(v)
        ]
        if unknown:
            hints = "; ".join(
                f"{v!r} (closest: {', '.join(_closest(directory, v, lead)) or '—'})" for v in unknown
            )
            raise ValueError(f"not a prefecture or municipality: {hints}")
        return list(dict.fromkeys(values))


class EngineerRecord(RecordBase):
    record_kind: ClassVar[RecordKind] = "engineer"
    orm: ClassVar[type[models.Base]] = models.Engineer

    name: ShortText
    prefecture: Prefecture
    municipality: Place
    department: OptShortText = None
    years: OptCount = Field(None, ge=0, le=100)
    expertise: LongText
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    discoverable: Flag
    contact: OptContact = None

    _municipality = field_validator("municipality")(_check_municipality)


class TrainingRecord(RecordBase):
    record_kind: ClassVar[RecordKind] = "training"
    orm: ClassVar[type[models.Base]] = models.Training

    title: ShortText
    kind: Literal[TRAINING_KINDS] | None = None  # type: ignore[valid-type]
    organizer: OptShortText = None
    prefecture: OptPrefecture = None
    start_date: OptDate = None
    end_date: OptDate = None
    description: LongText
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    url: OptSource = None

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise ValueError(f"{value.isoformat()} is before start_date {start.isoformat()}")
        return value


Record = AdvisorRecord | CaseRecord | EngineerRecord | TrainingRecord

RECORD_TYPES: dict[str, type[RecordBase]] = {
    "advisor": AdvisorRecord,
    "case": CaseRecord,
    "engineer": EngineerRecord,
    "training": TrainingRecord,
}


def record_type(kind: str) -> type[RecordBase]:
    """The model for a record kind, or ValidationFailed naming the kinds."""
    try:
        return RECORD_TYPES[kind] if kind in RECORD_TYPES else IMPORT_ONLY_TYPES[kind]
    except KeyError:
        raise ValidationFailed([f"kind: unknown record kind {kind!r}; use one of {', '.join(RECORD_KINDS)}"]) from None


# ---------------------------------------------------------------- 新技術 and imported consultations (groups)

TECHNOLOGY_CATALOGUES = ("netis", "inspection_catalogue", "other")
TECHNOLOGY_STATUSES = ("active", "retired")
CONSULTATION_TEXT = LONG_TEXT


class TechnologyRecord(RecordBase):
    """新技術: NETIS numbers such as ``KT-190018-A`` are ids as they are."""

    record_kind: ClassVar[RecordKind] = "technology"
    orm: ClassVar[type[models.Base]] = models.Technology

    name: ShortText
    vendor: OptShortText = None
    description: LongText
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    catalogue: Literal[TECHNOLOGY_CATALOGUES] | None = None  # type: ignore[valid-type]
    url: OptSource = None
    contact: OptContact = None
    status: Literal[TECHNOLOGY_STATUSES] = "active"  # type: ignore[valid-type]


RECORD_TYPES["technology"] = TechnologyRecord


class ConsultationRecord(RecordBase):
    """A consultation received by mail, phone or at a meeting (import only, never exported).

    Not a ``RECORD_TYPES`` kind: importing it runs the intake analysis
    (``bot.secretariat.consultations``), which the knowledge layer cannot do.
    """

    record_kind: ClassVar[RecordKind] = "consultation"
    orm: ClassVar[type[models.Base]] = models.ConsultationImport

    prefecture: Prefecture
    municipality: Place
    text: Annotated[str, BeforeValidator(_strip), _max_length(CONSULTATION_TEXT)]
    date: Annotated[_dt.date, BeforeValidator(_iso_date)]
    contact: OptContact = None

    _municipality = field_validator("municipality")(_check_municipality)


# Kinds that files bring in but that no generic importer, exporter or editor handles.
IMPORT_ONLY_TYPES: dict[str, type[RecordBase]] = {"consultation": ConsultationRecord}


# ---------------------------------------------------------------- validation entry point


def describe_error(error: ErrorDetails, model: type[RecordBase]) -> str:
    """One pydantic error as ``field: message`` in words a secretariat can act on."""
    loc = list(error["loc"])
    field = field_label(loc[0]) if loc else "record"
    kind = error["type"]
    if kind == "missing":
        return f"{field}: required field is missing or empty"
    if kind == "extra_forbidden":
        return f"{field}: unknown field; the fields of {model.record_kind} are {', '.join(model.field_names())}"
    if kind == "string_pattern_mismatch" and field == "id":
        return f"id: {shown(error['input'])} is not a valid id; use 1–64 letters, digits, '_', '.' or '-'"
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    elif kind == "literal_error":
        message = f"{shown(error['input'])} is not allowed; use one of {error['ctx']['expected']}"
    elif kind == "model_type":
        return f"record: must be an object with the fields {', '.join(model.field_names())}"
    else:
        message = error["msg"][:1].lower() + error["msg"][1:]
        given = error.get("input")
        if isinstance(given, (str, float, bool)) or (isinstance(given, int) and abs(given) < 10**_MAX_DIGITS):
            message += f" (got {shown(given)})"
    if len(loc) > 1 and isinstance(loc[1], int):
        message = f"item {loc[1] + 1}: {message}"
    return f"{field}: {message}"


def _unstorable(value: Any) -> str | None:
    """Why a given value holds text no database can store (a lone surrogate), or None."""
    if isinstance(value, str):
        return surrogate_problem(value)
    if isinstance(value, (list, tuple)):
        for number, item in enumerate(value, start=1):
            if isinstance(item, str) and (problem := surrogate_problem(item)) is not None:
                return f"item {number}: {problem}"
    return None


def validate_record(kind: str, data: Any, directory: MunicipalityDirectory | None = None) -> Record:
    """Validate one record of ``kind`` given as a dict (JSON values or CSV text).

    With a ``directory`` municipalities are checked against their prefecture.
    Raises ``ValidationFailed`` whose ``problems`` are ``field: message`` lines,
    every problem of the record at once.
    """
    model = record_type(kind)
    unstorable: dict[Any, str] = {}
    if isinstance(data, dict):
        # Text that cannot be encoded validates as a str but fails at the database (or the terminal):
        # name it here, and validate the rest without it so its other problems are reported too.
        for key, value in data.items():
            problem = surrogate_problem(key) if isinstance(key, str) else None
            problem = f"the field name {problem}" if problem else _unstorable(value)
            if problem is not None:
                unstorable[key] = problem
        data = {k: v for k, v in data.items() if k not in unstorable}
    problems = [f"{field_label(key)}: {problem}" for key, problem in unstorable.items()]
    try:
        record = model.model_validate(data, context={"directory": directory})
    except ValidationError as exc:
        problems += [
            describe_error(err, model) for err in exc.errors() if not (err["loc"] and err["loc"][0] in unstorable)
        ]
    if problems:
        raise ValidationFailed(problems)
    return record  # type: ignore[return-value]


def record_from_row(row: Any) -> Record:
    """The contract record of any ORM record row (Advisor, Case, Engineer, Training)."""
    for model in RECORD_TYPES.values():
        if isinstance(row, model.orm):
            return model.from_row(row)  # type: ignore[no-any-return]
    raise TypeError(f"{type(row).__name__} is not a record row")
