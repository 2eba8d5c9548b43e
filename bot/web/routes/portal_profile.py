"""Portal: an engineer's own profile, through the signed, expiring link the bot gave in chat."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from bot.secretariat import curation, erasure, profiles
from bot.web.context import Ctx, page
from bot.web.record_forms import data_from_form, form_values, posted_values, problems_by_field, widgets
from bot.web.routes.common import directory
from knowledge.errors import ConflictError, NotFound, ValidationFailed

SKIP = ("id", "discoverable")
TOKEN_MAX = 2048


def _owner(ctx: Ctx) -> tuple[str, str]:
    token = str(ctx.request.path_params.get("token", ""))
    if len(token) > TOKEN_MAX:
        raise NotFound("token")
    return profiles.read_profile_token(token, settings=ctx.web.settings)


def _render(ctx: Ctx, *, status: int = 200, values: dict[str, Any] | None = None,
            problems: dict[str, list[str]] | None = None, notice: str = "") -> Response:
    platform, user_id = _owner(ctx)
    with ctx.web.db.session() as session:
        row = profiles.engineer_of(session, platform, user_id)
        current = curation.to_data("engineer", row) if row is not None else None
    if values is None:
        values = form_values(current) if current else {"contact": profiles.chat_contact(platform, user_id)}
        values["consent"] = "yes" if current and current.get("discoverable") else ""
    return ctx.render("profile.html", status=status, widgets=widgets("engineer", skip=SKIP), values=values,
                      problems=problems or {}, registered=current is not None, notice=notice,
                      token=ctx.request.path_params["token"])


@page()
def profile(ctx: Ctx) -> Response:
    return _render(ctx)


@page()
def profile_save(ctx: Ctx) -> Response:
    platform, user_id = _owner(ctx)
    data = data_from_form("engineer", ctx, skip=SKIP)
    data["discoverable"] = ctx.value("consent") == "yes"
    try:
        with ctx.web.db.session() as session:
            _, created = profiles.save_profile(session, platform, user_id, data, directory=directory(ctx, session))
    except ValidationFailed as exc:
        values = {**posted_values("engineer", ctx, skip=SKIP), "consent": ctx.value("consent")}
        return _render(ctx, status=400, values=values, problems=problems_by_field(exc.problems))
    except ConflictError as exc:
        return _render(ctx, status=409, problems={"form": [str(exc)]})
    return _render(ctx, notice=ctx.t("profile.saved_new" if created else "profile.saved"))


@page()
def profile_withdraw(ctx: Ctx) -> Response:
    platform, user_id = _owner(ctx)
    with ctx.web.db.session() as session:
        profiles.withdraw_consent(session, platform, user_id, directory=directory(ctx, session))
    return _render(ctx, notice=ctx.t("profile.withdrawn"))


@page()
def profile_erase_confirm(ctx: Ctx) -> Response:
    platform, user_id = _owner(ctx)
    with ctx.web.db.session() as session:
        row = profiles.engineer_of(session, platform, user_id)
        if row is None:
            raise NotFound("profile")
        preview = erasure.preview(session, "engineer", row.ext_id)
    return ctx.render("profile_erase.html", preview=preview, token=ctx.request.path_params["token"])


@page()
def profile_erase(ctx: Ctx) -> Response:
    platform, user_id = _owner(ctx)
    with ctx.web.db.session() as session:
        row = profiles.engineer_of(session, platform, user_id)
        if row is None:
            raise NotFound("profile")
        erasure.forget(session, "engineer", row.ext_id, actor=f"{platform}:{user_id}")
    return ctx.render("done.html", heading=ctx.t("profile.erased_heading"), message=ctx.t("profile.erased_text"))


ROUTES = [
    Route("/profile/{token}", profile, methods=["GET"]),
    Route("/profile/{token}", profile_save, methods=["POST"]),
    Route("/profile/{token}/withdraw", profile_withdraw, methods=["POST"]),
    Route("/profile/{token}/erase", profile_erase_confirm, methods=["GET"]),
    Route("/profile/{token}/erase", profile_erase, methods=["POST"]),
]
