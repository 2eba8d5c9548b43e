"""pydantic errors of the portal's own forms as ``field: message`` lines, worded like the importer's.

The record kinds of the contract go through ``knowledge.records.validate_record`` itself;
this is for the forms that are not records (a site-visit offer, a join request).
"""

from __future__ import annotations

from pydantic import ValidationError


def describe_problems(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else "form"
        kind = error["type"]
        if kind == "missing":
            message = "required field is missing or empty"
        elif kind == "extra_forbidden":
            message = "unknown field"
        elif kind == "value_error":
            message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
        elif kind in ("string_too_long", "too_long"):
            limit = error.get("ctx", {}).get("max_length")
            message = f"is too long; the limit is {limit}" + (" characters" if kind == "string_too_long" else " items")
        elif kind == "string_too_short":
            message = f"is too short; write at least {error.get('ctx', {}).get('min_length')} characters"
        elif kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
            message = f"{error.get('input')!r} is not a date; write it as YYYY-MM-DD (e.g. 2027-04-01)"
        else:
            message = error["msg"][:1].lower() + error["msg"][1:]
            given = error.get("input")
            if isinstance(given, (str, int, float)) and len(str(given)) <= 80:
                message += f" (got {given!r})"
        if len(loc) > 1 and loc[1].isdigit():
            message = f"item {int(loc[1]) + 1}: {message}"
        problems.append(f"{field}: {message}")
    return problems
