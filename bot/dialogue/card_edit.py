"""Editing the 課題カード: which sub-issue, which item, the new value or text (steps ``edit_*``).

Split from ``flow`` (which keeps the intake and the card itself); the step
tables in ``flow`` point here.
"""

from __future__ import annotations

from bot.dialogue import flow, messages
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import Question
from bot.dialogue.scheme_fit import suggest
from bot.dialogue.titles import make_title
from knowledge.cards import SubIssueCard
from matching.intake import Extraction

# ---------------------------------------------------------------- editing the card


def _start_edit(ctx: TurnContext) -> None:
    card = ctx.state.intake_card()
    assert card is not None
    if len(card.sub_issues) == 1:
        ctx.state.step, ctx.state.ask = "edit_item", {"sub": 0}
    else:
        ctx.state.step, ctx.state.ask = "edit_pick", {}
    flow.prompt(ctx, keep_id=False)


def _prompt_edit_pick(ctx: TurnContext, keep_id: bool) -> None:
    card = ctx.state.intake_card()
    assert card is not None
    options = [(ctx.text("card_municipality"), "muni")]
    options += [(f"{ctx.text('card_issue', n=i + 1)}「{messages.shorten(s.text, 16)}」", f"sub:{i}")
                for i, s in enumerate(card.sub_issues)]
    options.append((ctx.text("edit_retype"), "retype"))
    ctx.ask(ctx.text("ask_edit_pick"), options, keep_id=keep_id)


def _answer_edit_pick(ctx: TurnContext, value: str) -> None:
    card = ctx.state.intake_card()
    assert card is not None
    index = flow._index(value, "sub:", len(card.sub_issues))
    if index is not None:
        ctx.state.checkpoint()
        ctx.state.step, ctx.state.ask = "edit_item", {"sub": index}
        flow.prompt(ctx, keep_id=False)
        return
    _common_edit(ctx, value)


def _common_edit(ctx: TurnContext, value: str) -> None:
    state = ctx.state
    if value == "muni":
        state.checkpoint()
        state.step, state.ask = "municipality", {"return": "confirm"}
        flow._prompt_municipality(ctx, False)
    elif value == "retype":
        state.checkpoint()
        state.step, state.ask = "idle", {"retype": True}
        ctx.say("ask_retype")
    else:
        ctx.say("unknown_choice")
        flow.prompt(ctx)


def _prompt_edit_item(ctx: TurnContext, keep_id: bool) -> None:
    card = ctx.state.intake_card()
    assert card is not None
    index = ctx.state.ask["sub"]
    options = [(ctx.text(f"card_{item}"), item) for item in flow.EDITABLE]
    options.append((ctx.text("edit_text_item"), "text"))
    if len(card.sub_issues) > 1:
        options.append((ctx.text("edit_delete"), "delete"))
    else:
        options += [(ctx.text("card_municipality"), "muni"), (ctx.text("edit_retype"), "retype")]
    ctx.ask(ctx.text("ask_edit_item", n=index + 1), options, keep_id=keep_id)


def _answer_edit_item(ctx: TurnContext, value: str) -> None:
    state = ctx.state
    index = state.ask["sub"]
    if value in flow.EDITABLE:
        state.checkpoint()
        state.step, state.ask = "edit_value", {"sub": index, "item": value}
        flow.prompt(ctx, keep_id=False)
    elif value == "text":
        state.checkpoint()
        state.step, state.ask = "edit_text", {"sub": index}
        flow.prompt(ctx, keep_id=False)
    elif value == "delete":
        card = state.intake_card()
        assert card is not None
        if len(card.sub_issues) > 1:
            state.checkpoint()
            del card.sub_issues[index]
            state.set_card(card)
            state.asked = []
            state.step, state.ask = "confirm", {}
            flow._prompt_confirm(ctx, False)
        else:
            ctx.say("unknown_choice")
            flow.prompt(ctx)
    else:
        _common_edit(ctx, value)


def _prompt_edit_value(ctx: TurnContext, keep_id: bool) -> None:
    item = ctx.state.ask["item"]
    options = [(messages.label(item, code, ctx.lang), code) for code in messages.choice_codes(item)]
    options.append((ctx.text("clear_value"), "clear"))
    ctx.ask(ctx.text(f"ask_edit_value_{item}"), options, hint=ctx.text("free_hint"), keep_id=keep_id)


def _answer_edit_value(ctx: TurnContext, value: str) -> None:
    item = ctx.state.ask["item"]
    if value != "clear" and value not in messages.choice_codes(item):
        ctx.say("unknown_choice")
        flow.prompt(ctx)
        return
    _apply_edit(ctx, [] if value == "clear" else [value])


def _text_edit_value(ctx: TurnContext, text: str) -> None:
    codes = list(getattr(ctx.services.extract(text), ctx.state.ask["item"]))
    if not codes:
        ctx.say("edit_not_understood")
        flow.prompt(ctx)
        return
    _apply_edit(ctx, codes)


def _apply_edit(ctx: TurnContext, codes: list[str]) -> None:
    state = ctx.state
    item, index = state.ask["item"], state.ask["sub"]
    state.checkpoint()
    card = state.intake_card()
    assert card is not None
    setattr(card.sub_issues[index], item, codes)
    if not ctx.state.counsel:   # a counselled sub-issue keeps the schemes of its 見立て
        card.sub_issues[index].schemes = suggest(card.sub_issues[index], lang=ctx.lang)
    state.set_card(card)
    state.step, state.ask = "confirm", {}
    flow._prompt_confirm(ctx, False)


def _prompt_edit_text(ctx: TurnContext, keep_id: bool) -> None:
    if not keep_id:
        ctx.state.question_id += 1
    ctx.replies.append(Question(ctx.text("ask_edit_text", n=ctx.state.ask["sub"] + 1), (), ctx.text("free_hint")))


def _text_edit_text(ctx: TurnContext, text: str) -> None:
    state = ctx.state
    index = state.ask["sub"]
    state.checkpoint()
    card = state.intake_card()
    assert card is not None
    sub = card.sub_issues[index]
    sub.text = text
    found = ctx.services.extract(text)
    for item in flow.EDITABLE:
        codes = list(getattr(found, item))
        if codes:
            setattr(sub, item, codes)
    _refresh_title_and_schemes(ctx, sub, found)
    state.set_card(card)
    state.step, state.ask = "confirm", {}
    flow._prompt_confirm(ctx, False)


def _refresh_title_and_schemes(ctx: TurnContext, sub: SubIssueCard, found: Extraction) -> None:
    """A rewritten description gets its own title and schemes."""
    sub.title = make_title(sub.text, found, lang=ctx.lang)
    sub.schemes = suggest(sub, lang=ctx.lang)
