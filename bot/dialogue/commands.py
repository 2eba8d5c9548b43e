"""The commands that work at any point: ヘルプ/help, やり直し/restart, キャンセル/cancel, 戻る/back, 相談,
プロフィール登録/profile."""

from __future__ import annotations

from bot.dialogue import flow
from bot.dialogue.context import TurnContext
from bot.secretariat.profiles import make_profile_link


def run(ctx: TurnContext, command: str) -> None:
    {"help": show_help, "restart": restart, "cancel": cancel, "back": back, "consult": consult,
     "profile": profile}[command](ctx)


def show_help(ctx: TurnContext) -> None:
    ctx.say("help")
    flow.prompt(ctx)


def restart(ctx: TurnContext) -> None:
    ctx.state = ctx.state.fresh()
    ctx.say("restarted")
    ctx.say("prompt_problem")


def cancel(ctx: TurnContext) -> None:
    ctx.state = ctx.state.fresh()
    ctx.say("cancelled")


def consult(ctx: TurnContext) -> None:
    if ctx.state.step not in ("idle", "results"):
        ctx.state = ctx.state.fresh()
    else:
        ctx.state.step, ctx.state.ask = "idle", {}
    ctx.say("prompt_problem")


def back(ctx: TurnContext) -> None:
    if ctx.state.go_back():
        ctx.say("back_done")
        flow.prompt(ctx, keep_id=False)
    else:
        ctx.say("back_none")
        flow.prompt(ctx)


def profile(ctx: TurnContext) -> None:
    """The link to this chat user's own engineer profile page (signed, expiring), when the web portal runs."""
    settings = ctx.services.settings
    url = None
    if settings.web_base_url and settings.web_secret_key is not None:
        try:
            url = make_profile_link(ctx.key.platform, ctx.key.user, settings=settings, now=ctx.now)
        except ValueError:   # a user id no link can name (over 128 characters): nothing to hand out
            url = None
    if url is None:
        ctx.say("profile_unavailable")
    else:
        ctx.say("profile_link", url=url, days=settings.web_profile_link_days)
    if ctx.state.step not in ("idle", "results"):
        flow.prompt(ctx)   # a consultation in progress goes on where it was
