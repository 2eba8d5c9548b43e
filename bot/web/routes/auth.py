"""Login and logout of the secretariat's console."""

from __future__ import annotations

from datetime import timedelta

from starlette.responses import Response
from starlette.routing import Route

from bot.web.accounts import LoginLimits, LoginLocked, login, logout
from bot.web.context import SESSION_COOKIE, Ctx, page
from bot.web.formatting import moment

NAME_MAX = 64


def _next(value: str) -> str:
    """Where to go after logging in: only a console path of this site (no open redirect)."""
    if value.startswith("/admin") and not value.startswith("//") and "\\" not in value and len(value) < 2000:
        return value
    return "/admin"


@page()
def login_form(ctx: Ctx) -> Response:
    if ctx.account is not None:
        return ctx.redirect(_next(ctx.query("next")))
    return ctx.render("login.html", next=_next(ctx.query("next")), name="", problem="")


@page()
def login_post(ctx: Ctx) -> Response:
    settings = ctx.web.settings
    name, password, target = ctx.value("name").strip(), ctx.value("password"), _next(ctx.value("next"))
    limits = LoginLimits(settings.web_login_max_failures, timedelta(minutes=settings.web_login_window_minutes))
    problem, status = "", 200
    if not name or not password or len(name) > NAME_MAX:
        problem, status = ctx.t("login.missing"), 400
    else:
        try:
            with ctx.web.db.session() as session:
                result = login(session, name, password, address=ctx.client_address, limits=limits,
                               session_hours=settings.web_session_hours)
        except LoginLocked as exc:
            problem, status = ctx.t("login.locked", until=moment(ctx.lang, exc.retry_after)), 429
        else:
            if result is not None:
                token, _account = result
                ctx.set_cookies.append((SESSION_COOKIE, token, settings.web_session_hours * 3600))
                return ctx.redirect(target)
            problem, status = ctx.t("login.failed"), 401
    return ctx.render("login.html", status=status, next=target, name=name[:NAME_MAX], problem=problem)


@page()
def logout_form(ctx: Ctx) -> Response:
    return ctx.render("logout.html")


@page()
def logout_post(ctx: Ctx) -> Response:
    with ctx.web.db.session() as session:
        logout(session, ctx.request.cookies.get(SESSION_COOKIE))
    response = ctx.redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path=ctx.request.scope.get("root_path", "") or "/",
                           secure=ctx.web.settings.web_cookie_secure, httponly=True, samesite="lax")
    return response


ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_post, methods=["POST"]),
    Route("/logout", logout_form, methods=["GET"]),
    Route("/logout", logout_post, methods=["POST"]),
]
