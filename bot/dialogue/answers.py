"""Answering a question about 群マネ from the knowledge base, with its source and what to do next.

The answer is the entry's own short text (≤ 5 sentences), then its source
document, then offers: precedent cases of the scheme the entry is about, an
advisor, the user's regional consultation window. A question the base cannot
answer is told so — nothing is made up — and gets the window and an advisor.
"""

from __future__ import annotations

from bot.dialogue import flow, profiles, recommend
from bot.dialogue.cleaning import Lookup
from bot.dialogue.context import TurnContext
from bot.dialogue.knowledge_base import Hit
from knowledge.taxonomy import get_taxonomy


def answer(ctx: TurnContext, hit: Hit | None, *, offers: bool = True) -> None:
    """Say the answer (or that the base does not know); with ``offers``, ask what to show next."""
    state = ctx.state
    options: list[tuple[str, str]] = []
    if hit is None:
        ctx.say("answer_unknown")
    else:
        e = hit.entry
        ctx.say_text(e.text(ctx.lang) + "\n" + ctx.text("answer_source", source=e.source))
        for code in e.schemes[:1]:
            label = get_taxonomy().english(code) if ctx.lang == "en" else get_taxonomy().label(code)
            options.append((ctx.text("offer_cases", scheme=label), f"cases:{code}"))
    if not offers:
        return
    options += [(ctx.text("offer_advisor"), "advisor"), (ctx.text("offer_window"), "window")]
    state.step, state.ask = "answered", {"entry": hit.entry.id if hit else None}
    ctx.ask(ctx.text("answer_offer"), options)


def on_offer(ctx: TurnContext, value: str) -> None:
    """A press on one of the offers under an answer."""
    if value.startswith("cases:"):
        code = value.split(":", 1)[1]
        if code not in get_taxonomy().codes("scheme"):
            ctx.say("unknown_choice")
            return
        label = get_taxonomy().label(code)
        recommend.lookup(ctx, Lookup("case", label), f"事例 {label}")
        ctx.state.step, ctx.state.ask = "results", {}
    elif value == "advisor":
        ctx.state.step, ctx.state.ask = "idle", {}
        ctx.say("offer_advisor_next")
    elif value == "window":
        place = profiles.place_of(ctx.session, ctx.key)
        if place is None:
            ctx.state.step, ctx.state.ask = "municipality", {"profile_only": True}
            ctx.say("offer_window_needs_place")
            return
        window = recommend.window_list(ctx, place)
        if window is not None:
            ctx.replies.append(window)
        ctx.state.step, ctx.state.ask = "results", {}
    else:
        ctx.say("unknown_choice")
        flow.prompt(ctx)
