"""Asking instead of guessing: the facilities and work the intake is unsure of, offered first.

The intake marks a code it only guessed — implied by a situation (「気付いたときには錆びていた」 →
inspection, ``Trigger.source == "weak"``), closest by meaning (``"embedding"``), or close by meaning
but not sure enough to count (``"candidate"``) — in ``SubIssueCard.guessed``. The dialogue does not
put such a code on the card by itself: it asks, with the likely codes as the choices (and a way to
the whole list), and when the card already holds codes the user's own words gave, it asks whether
the likely ones belong too. What the user picks is added to what was sure, never replaces it.
"""

from __future__ import annotations

from bot.dialogue import messages
from bot.dialogue.context import TurnContext
from knowledge.cards import SubIssueCard

MAX_LIKELY = 4
MORE = "more"       # the answer that shows every code of the item
SKIP = "skip"


def likely(sub: SubIssueCard, item: str) -> list[str]:
    """The guessed codes of ``item`` (fields or processes) the sub-issue does not hold yet, best first."""
    if item not in ("fields", "processes"):
        return []
    allowed = set(messages.choice_codes(item))
    have = set(getattr(sub, item))
    return [c for c in dict.fromkeys(sub.guessed) if c in allowed and c not in have][:MAX_LIKELY]


def needs_asking(sub: SubIssueCard, item: str) -> bool:
    """An item is asked when the card holds none of it, or when the intake guessed some it is unsure of."""
    return not getattr(sub, item) or bool(likely(sub, item))


def question(ctx: TurnContext, sub: SubIssueCard, item: str, *, show_all: bool) -> tuple[str, list[tuple[str, str]]]:
    """The question's text and its (label, answer) options for ``item`` of ``sub``."""
    guesses = [] if show_all else likely(sub, item)
    have = list(getattr(sub, item))
    if guesses:
        options = [(messages.label(item, code, ctx.lang), code) for code in guesses]
        options.append((ctx.text(f"more_{item}"), MORE))
        if have:
            options.append((ctx.text("likely_none", have=messages.labels(item, have, ctx.lang)), SKIP))
            return ctx.text(f"ask_also_{item}", have=messages.labels(item, have, ctx.lang)), options
        options.append((ctx.text("skip"), SKIP))
        return ctx.text(f"ask_likely_{item}"), options
    options = [(messages.label(item, code, ctx.lang), code) for code in messages.choice_codes(item)]
    if item == "wanted":
        options = [o for o in options if o[1] != "window"]
        options.append((ctx.text("skip_wanted"), SKIP))
    else:
        options.append((ctx.text("skip"), SKIP))
    return ctx.text(f"ask_{item}"), options


def combined(sub: SubIssueCard, item: str, picked: list[str]) -> list[str]:
    """What the card holds after the answer: the sure codes, then the picked ones."""
    return list(dict.fromkeys([*getattr(sub, item), *picked]))
