"""Helpers the route modules share."""

from __future__ import annotations

import re
from typing import Any

from bot.web.context import Ctx
from bot.web.training_search import Catalogue
from knowledge.errors import NotFound
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import ID_PATTERN, prefecture_names

_ID = re.compile(ID_PATTERN)
_NUMBER = re.compile(r"^[0-9]{1,9}$")


def catalogue(ctx: Ctx) -> Catalogue:
    cached = ctx.web.caches.get("catalogue")
    if cached is None:
        cached = ctx.web.caches.setdefault("catalogue", Catalogue(ctx.web.db))
    return cached  # type: ignore[no-any-return]


def directory(ctx: Ctx, session: Any) -> MunicipalityDirectory:
    """The municipality directory, read once per process (reference data does not change while serving)."""
    cached = ctx.web.caches.get("directory")
    if cached is None:
        cached = ctx.web.caches.setdefault("directory", MunicipalityDirectory(session))
    return cached  # type: ignore[no-any-return]


def path_id(ctx: Ctx, name: str = "ext_id") -> str:
    """An external id from the path; anything that is not a valid id is simply not found."""
    value = str(ctx.request.path_params.get(name, ""))
    if not _ID.match(value):
        raise NotFound(value[:80])
    return value


def path_number(ctx: Ctx, name: str) -> int:
    value = str(ctx.request.path_params.get(name, ""))
    if not _NUMBER.match(value):
        raise NotFound(value[:80])
    return int(value)


def form_number(ctx: Ctx, name: str) -> int | None:
    value = ctx.value(name).strip()
    return int(value) if _NUMBER.match(value) else None


def page_number(ctx: Ctx) -> int:
    value = ctx.query("page")
    return int(value) if _NUMBER.match(value) else 1


def prefectures() -> tuple[str, ...]:
    return prefecture_names()
