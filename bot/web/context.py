"""What every page handler gets, and the one wrapper that turns a handler into a route.

``page(role=...)`` makes an async Starlette endpoint from a plain function ``handler(ctx)``:
it reads the session, the language and (on POST) the form; checks the CSRF token of every
POST (403 when missing or wrong); checks the role on the server (no session → the login
page; a viewer on a secretariat action → 403); then runs the handler in a worker thread,
because the database and the matcher are synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.web import csrf, formatting
from bot.web.accounts import Account, account_for
from bot.web.i18n import TABLES, language_of, problem_text, split_problem, term_label, translate
from bot.web.state import WebState
from knowledge.errors import NotFound

log = logging.getLogger(__name__)
Role = Literal["public", "viewer", "secretariat"]
SESSION_COOKIE = "gm_session"
MAX_FIELD_CHARS = 100_000   # any one form field; the validators give each field its own, smaller limit
MAX_FORM_FIELDS = 400


@dataclass
class Ctx:
    request: Request
    web: WebState
    account: Account | None
    lang: str
    form: FormData | None = None
    set_cookies: list[tuple[str, str, int | None]] = field(default_factory=list)

    # ---------------------------------------------------------------- texts and URLs

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def day(self, value: date | None) -> str:
        return formatting.day(self.lang, value)

    def period(self, start: date | None, end: date | None) -> str:
        return formatting.period(self.lang, start, end)

    def moment(self, value: datetime | None) -> str:
        return formatting.moment(self.lang, value)

    def labels(self, codes: list[str] | None) -> str:
        return formatting.labels(self.lang, codes)

    def label(self, code: str) -> str:
        return term_label(self.lang, code)

    def training_kind(self, kind: str | None) -> str:
        return formatting.training_kind(self.lang, kind)

    @property
    def today(self) -> date:
        return date.today()

    @property
    def texts(self) -> dict[str, str]:
        return TABLES[self.lang]

    def field_label(self, name: str, kind: str = "") -> str:
        """The label of a form field: per kind where the word differs (種別 / 種類), else shared."""
        table = TABLES[self.lang]
        if name.startswith("date ") and name[5:].isdigit():
            return self.t("offer.date_n", n=name[5:])
        return table.get(f"field.{kind}.{name}") or table.get(f"field.{name}") or name

    def field_words(self, names: Any, kind: str = "") -> str:
        return ("、" if self.lang == "ja" else ", ").join(self.field_label(n, kind) for n in names)

    def field_hint(self, name: str, kind: str = "") -> str:
        table = TABLES[self.lang]
        return table.get(f"hint.{kind}.{name}") or table.get(f"hint.{name}") or ""

    def show_value(self, value: Any) -> str:
        """An audit value as text: lists joined, nothing as a dash."""
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, list):
            return ("、" if self.lang == "ja" else ", ").join(str(v) for v in value)
        if isinstance(value, bool):
            return self.t("common.yes") if value else self.t("common.no")
        if isinstance(value, dict):
            return ", ".join(f"{k}: {self.show_value(v)}" for k, v in value.items())
        return str(value)

    def problem(self, message: str) -> str:
        """A problem in the page's language; ``field: message`` reads as ``label: message``."""
        field, text = split_problem(message)
        if field == "form":
            return problem_text(self.lang, message)
        return f"{self.field_label(field)}: {problem_text(self.lang, text)}"

    def import_line(self, problem: str) -> str:
        """``3: name: …`` of the importer, in the page's language (``3行目 — 氏名: …``)."""
        line, sep, rest = problem.partition(": ")
        if not sep or not line.isdigit():
            return self.problem(problem)
        return self.t("import.line", line=line, problem=self.problem(rest))

    def url(self, path: str, **query: Any) -> str:
        root = str(self.request.scope.get("root_path", ""))
        params = {k: v for k, v in query.items() if v not in (None, "", False)}
        return root + path + (("?" + urlencode(params, doseq=True)) if params else "")

    @property
    def csrf_token(self) -> str:
        if self.account is not None:
            return self.account.csrf_token
        return csrf.anonymous_token(self.web.secret, self.anonymous_id)

    @property
    def anonymous_id(self) -> str:
        return csrf.anonymous_id(self.request, self)

    @property
    def actor(self) -> str:
        return self.account.actor if self.account else "web:public"

    @property
    def path(self) -> str:
        """The path inside the application (without ``--root-path``)."""
        return route_path(self.request)

    @property
    def client_address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    # ---------------------------------------------------------------- input

    def query(self, name: str) -> str:
        return self.request.query_params.get(name, "")

    def value(self, name: str) -> str:
        """A text field of the posted form ('' when absent; an upload is not text)."""
        if self.form is None:
            return ""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def values(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v for v in self.form.getlist(name) if isinstance(v, str)]

    def upload(self, name: str) -> UploadFile | None:
        value = self.form.get(name) if self.form is not None else None
        return value if isinstance(value, UploadFile) else None

    # ---------------------------------------------------------------- output

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.web.templates.get_template(template).render(ctx=self, t=self.t, url=self.url, **context)
        return HTMLResponse(html, status_code=status)

    def redirect(self, path: str, **query: Any) -> RedirectResponse:
        return RedirectResponse(self.url(path, **query), status_code=303)

    def error(self, status: int, message_key: str, **values: Any) -> HTMLResponse:
        return self.render("error.html", status=status, status_code=status, message=self.t(message_key, **values))


Handler = Callable[[Ctx], Response]


def route_path(request: Request) -> str:
    path: str = request.scope["path"]
    root = request.scope.get("root_path", "")
    return path[len(root):] or "/" if root and path.startswith(root) else path


def _too_long(form: FormData) -> str | None:
    for name, value in form.multi_items():
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            return name
    return None


def page(role: Role = "public") -> Callable[[Handler], Callable[[Request], Any]]:
    """Make a route endpoint from ``handler(ctx)``; see the module docstring for the checks."""

    def wrap(handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            web: WebState = request.app.state.web
            lang = language_of(request.headers.get("accept-language"))
            token = request.cookies.get(SESSION_COOKIE)
            account = await run_in_threadpool(_account, web, token)
            ctx = Ctx(request, web, account, lang)
            if request.method == "POST":
                try:
                    ctx.form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS,
                                                  max_part_size=MAX_FIELD_CHARS * 4)
                except HTTPException as exc:   # the form parser's own limits (a field over 400 kB, too many)
                    log.info("web: form refused on %s: %s", ctx.path, exc.detail)
                    return _finish(ctx, ctx.error(413, "error.form_too_large"))
                if not csrf.valid(ctx, ctx.value("csrf_token")):
                    return _finish(ctx, ctx.error(403, "error.csrf"))
                if (name := _too_long(ctx.form)) is not None:
                    return _finish(ctx, ctx.error(413, "error.field_too_long", field=name, limit=MAX_FIELD_CHARS))
            if role != "public":
                if account is None:
                    if request.method == "POST":
                        return _finish(ctx, ctx.error(403, "error.login_required"))
                    return ctx.redirect("/login", next=ctx.path + (
                        "?" + request.url.query if request.url.query else ""))
                if role == "secretariat" and not account.can_change:
                    return _finish(ctx, ctx.error(403, "error.role"))
            try:
                response = await run_in_threadpool(handler, ctx)
            except NotFound:
                response = ctx.error(404, "error.not_found")
            except HTTPException as exc:
                response = ctx.error(exc.status_code, "error.not_found" if exc.status_code == 404 else "error.bad")
            finally:
                if ctx.form is not None:
                    await ctx.form.close()
            return _finish(ctx, response)

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap


def _account(web: WebState, token: str | None) -> Account | None:
    if not token:
        return None
    with web.db.session() as session:
        return account_for(session, token)


def _finish(ctx: Ctx, response: Response) -> Response:
    for name, value, max_age in ctx.set_cookies:
        response.set_cookie(name, value, max_age=max_age, path=ctx.request.scope.get("root_path", "") or "/",
                            secure=ctx.web.settings.web_cookie_secure, httponly=True, samesite="lax")
    if ctx.account is not None or ctx.path.startswith(("/admin", "/visits/manage", "/profile")):
        response.headers["Cache-Control"] = "no-store"
    return response
