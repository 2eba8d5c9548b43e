"""The commands that work at any point: ヘルプ/help, やり直し/restart, キャンセル/cancel, 戻る/back, 相談."""

from __future__ import annotations

from bot.dialogue import flow
from bot.dialogue.context import TurnContext


def run(ctx: TurnContext, command: str) -> None:
    {"help": show_help, "restart": restart, "cancel": cancel, "back": back, "consult": consult}[command](ctx)


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
