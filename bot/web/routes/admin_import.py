"""Console: import a file through the browser — a dry run listing every ``LINE: field: message``
first, then apply (all or nothing, as ``gunmane import``).

The upload is kept between the two steps in ``<data dir>/uploads`` under a random name,
bound to the account that uploaded it; applying validates the whole file again.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Route

from bot.secretariat import curation
from bot.web.context import Ctx, page
from bot.web.middleware import UPLOAD_LIMIT
from bot.web.routes.common import directory
from bot.web.security import new_token
from knowledge.errors import ValidationFailed
from knowledge.io import import_records

UPLOAD_TTL_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
FORMATS = (".csv", ".jsonl")


def _dir(ctx: Ctx) -> Path:
    path = Path(ctx.web.settings.data_dir) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_old(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for item in folder.iterdir():
        if item.is_file() and item.stat().st_mtime < cutoff:
            item.unlink(missing_ok=True)


def _display_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:100] or "upload"


def _lines(problems: list[str], path: Path) -> list[str]:
    """``/tmp/…/x.csv:3: name: …`` → ``3: name: …`` (the server's path means nothing to the user)."""
    prefix = f"{path}:"
    return [p[len(prefix):] if p.startswith(prefix) else p for p in problems]


def _page(ctx: Ctx, *, status: int = 200, **context: object) -> Response:
    defaults: dict[str, object] = {"kinds": curation.KINDS, "kind": "", "problems": [], "report": None,
                                   "token": "", "filename": "", "applied": False, "limit_mb": UPLOAD_LIMIT // 2**20}
    return ctx.render("admin/import.html", status=status, **{**defaults, **context})


@page(role="secretariat")
def import_form(ctx: Ctx) -> Response:
    return _page(ctx)


@page(role="secretariat")
def import_upload(ctx: Ctx) -> Response:
    kind = ctx.value("kind")
    upload = ctx.upload("file")
    if kind not in curation.KINDS:
        return _page(ctx, status=400, problems=[ctx.t("import.choose_kind")])
    if upload is None or not upload.filename:
        return _page(ctx, status=400, kind=kind, problems=[ctx.t("import.choose_file")])
    filename = _display_name(upload.filename)
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        return _page(ctx, status=400, kind=kind, filename=filename, problems=[ctx.t("import.bad_type", name=filename)])
    folder = _dir(ctx)
    _clean_old(folder)
    token = new_token()
    path = folder / f"{token}{suffix}"
    upload.file.seek(0)
    path.write_bytes(upload.file.read())
    (folder / f"{token}.json").write_text(json.dumps({"kind": kind, "account": ctx.actor, "filename": filename}))
    try:
        with ctx.web.db.session() as session:
            report = import_records(session, kind, path, actor=ctx.actor, dry_run=True,
                                    directory=directory(ctx, session))
    except ValidationFailed as exc:
        _forget_upload(folder, token, suffix)
        return _page(ctx, status=400, kind=kind, filename=filename, problems=_lines(exc.problems, path))
    report.warnings = _lines(report.warnings, path)
    return _page(ctx, kind=kind, filename=filename, report=report, token=token)


def _forget_upload(folder: Path, token: str, suffix: str) -> None:
    (folder / f"{token}{suffix}").unlink(missing_ok=True)
    (folder / f"{token}.json").unlink(missing_ok=True)


@page(role="secretariat")
def import_apply(ctx: Ctx) -> Response:
    token = ctx.value("token")
    folder = _dir(ctx)
    meta_path = folder / f"{token}.json"
    if not _TOKEN.match(token) or not meta_path.is_file():
        return _page(ctx, status=400, problems=[ctx.t("import.expired")])
    meta = json.loads(meta_path.read_text())
    if meta.get("account") != ctx.actor:
        return _page(ctx, status=403, problems=[ctx.t("import.not_yours")])
    kind, filename = meta["kind"], meta["filename"]
    suffix = Path(filename).suffix.lower()
    path = folder / f"{token}{suffix}"
    try:
        with ctx.web.db.session() as session:
            report = import_records(session, kind, path, actor=ctx.actor, directory=directory(ctx, session))
    except ValidationFailed as exc:
        return _page(ctx, status=400, kind=kind, filename=filename, problems=_lines(exc.problems, path))
    finally:
        _forget_upload(folder, token, suffix)
    report.warnings = _lines(report.warnings, path)
    return _page(ctx, kind=kind, filename=filename, report=report, applied=True)


ROUTES = [
    Route("/admin/import", import_form, methods=["GET"]),
    Route("/admin/import", import_upload, methods=["POST"]),
    Route("/admin/import/apply", import_apply, methods=["POST"]),
]
