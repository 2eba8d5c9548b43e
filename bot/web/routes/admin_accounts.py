"""Console: accounts (list, add, disable / enable, new password) and the audit log."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from bot.web import accounts
from bot.web.context import Ctx, page
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.web_models import WEB_ROLES

AUDIT_LIMIT = 200


def _page(ctx: Ctx, *, status: int = 200, problems: list[str] | None = None, done: str = "") -> Response:
    with ctx.web.db.session() as session:
        users = accounts.list_users(session)
    return ctx.render("admin/accounts.html", status=status, users=users, roles=WEB_ROLES, problems=problems or [],
                      done=done or ctx.query("done"))


@page(role="viewer")
def accounts_page(ctx: Ctx) -> Response:
    return _page(ctx)


@page(role="secretariat")
def account_add(ctx: Ctx) -> Response:
    password = ctx.value("password")
    if password != ctx.value("password2"):
        return _page(ctx, status=400, problems=[ctx.t("accounts.mismatch")])
    try:
        with ctx.web.db.session() as session:
            accounts.add_user(session, ctx.value("name").strip(), ctx.value("role"), password, actor=ctx.actor)
    except ValidationFailed as exc:
        return _page(ctx, status=400, problems=exc.problems)
    except ConflictError as exc:
        return _page(ctx, status=409, problems=[str(exc)])
    return ctx.redirect("/admin/accounts", done="added")


def _name(ctx: Ctx) -> str:
    name = str(ctx.request.path_params.get("name", ""))
    if not accounts.NAME_PATTERN.match(name):
        raise NotFound(name[:64])
    return name


@page(role="secretariat")
def account_state(ctx: Ctx) -> Response:
    name, action = _name(ctx), ctx.value("action")
    if action not in ("disable", "enable"):
        return _page(ctx, status=400, problems=[ctx.t("accounts.bad_action")])
    if ctx.account is not None and name == ctx.account.name and action == "disable":
        return _page(ctx, status=409, problems=[ctx.t("accounts.not_yourself")])
    with ctx.web.db.session() as session:
        accounts.set_disabled(session, name, action == "disable", actor=ctx.actor)
    return ctx.redirect("/admin/accounts", done=action + "d")


@page(role="secretariat")
def account_password(ctx: Ctx) -> Response:
    name = _name(ctx)
    password = ctx.value("password")
    if password != ctx.value("password2"):
        return _page(ctx, status=400, problems=[ctx.t("accounts.mismatch")])
    try:
        with ctx.web.db.session() as session:
            accounts.set_password(session, name, password, actor=ctx.actor)
    except ValidationFailed as exc:
        return _page(ctx, status=400, problems=exc.problems)
    if ctx.account is not None and name == ctx.account.name:
        return ctx.redirect("/login")   # a new password ends every session of the account, this one too
    return ctx.redirect("/admin/accounts", done="password")


@page(role="viewer")
def audit_page(ctx: Ctx) -> Response:
    from bot.web.routes.admin_records import masked

    kind, record_id = ctx.query("kind").strip()[:32], ctx.query("id").strip()[:64]
    with ctx.web.db.session() as session:
        entries = audit.history(session, kind=kind or None, record_id=record_id or None)[-AUDIT_LIMIT:]
    history = [(e, masked(ctx, e.before), masked(ctx, e.after)) for e in reversed(entries)]
    return ctx.render("admin/audit.html", history=history, kind=kind, record_id=record_id, limit=AUDIT_LIMIT)


ROUTES = [
    Route("/admin/accounts", accounts_page, methods=["GET"]),
    Route("/admin/accounts", account_add, methods=["POST"]),
    Route("/admin/accounts/{name}/state", account_state, methods=["POST"]),
    Route("/admin/accounts/{name}/password", account_password, methods=["POST"]),
    Route("/admin/audit", audit_page, methods=["GET"]),
]
