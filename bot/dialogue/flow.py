"""The intake steps: municipality, missing items, the 課題カード and its edits.

Each step has a renderer (``prompt``: ask its question again) and handlers for
a typed answer and for a chosen answer. Steps change ``ctx.state``; the engine
saves it after the turn.

    idle ── text ──> (municipality | municipality_pick) ──> missing* ──> confirm ──> results
                                                                          │  ^
                                                       edit_pick/item/value/text
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bot.dialogue import card_edit, cleaning, counsel, likely, messages, profiles, recommend
from bot.dialogue.context import TurnContext
from bot.dialogue.replies import Card, Choice
from bot.dialogue.understand import OwnPlace, asker_place
from knowledge.cards import IntakeCard, MunicipalityRef, SubIssueCard
from knowledge.municipalities import MunicipalityDirectory

ASKED_ITEMS = ("fields", "processes", "wanted")
EDITABLE = ("fields", "processes", "pains", "wanted")
_PREFECTURE_STAFF = re.compile(r"(県庁|都庁|府庁|道庁|県の|都の|府の|道の|県職員|県土木|県の職員)")


# ---------------------------------------------------------------- entry points


def on_text(ctx: TurnContext, text: str) -> None:
    handler = _TEXT_HANDLERS.get(ctx.state.step, _text_idle)
    handler(ctx, text)


def on_answer(ctx: TurnContext, value: str) -> None:
    handler = _ANSWER_HANDLERS.get(ctx.state.step)
    if handler is None:
        ctx.say("stale_choice")
        prompt(ctx)
        return
    handler(ctx, value)


def prompt(ctx: TurnContext, *, keep_id: bool = True) -> None:
    """Ask the current step's question again (after help, a stale button, 戻る …)."""
    _PROMPTS.get(ctx.state.step, _prompt_idle)(ctx, keep_id)


# ---------------------------------------------------------------- idle: a new problem


def _prompt_idle(ctx: TurnContext, keep_id: bool) -> None:
    ctx.say("ask_retype" if ctx.state.ask.get("retype") else "prompt_problem")


def _text_idle(ctx: TurnContext, text: str) -> None:
    start_intake(ctx, text)


def start_intake(ctx: TurnContext, text: str, *, dont_know: bool = False) -> None:
    """Understand a problem description and go on to the first thing that is missing.

    Whose municipality: a self-reference in the text (「宇陀市の者です」) sets it and is
    remembered; otherwise the profile's stands, and only without a profile does a
    plain mention (「宇陀市の橋」) count. A municipality that is the subject of a
    request or case was never taken by ``analyze``. A problem without a name (no
    facility, no work understood, or 「何が課題か分からない」) goes to counselling.
    """
    state = ctx.state
    card = ctx.services.analyze(text)
    if not card.sub_issues:
        card.sub_issues = [SubIssueCard(text=text, title=messages.shorten(text, 40))]
    for sub in card.sub_issues:   # a guessed facility or work is asked, not assumed
        sub.fields = [c for c in sub.fields if c not in sub.guessed]
        sub.processes = [c for c in sub.processes if c not in sub.guessed]
    profile_place = profiles.place_of(ctx.session, ctx.key)
    own = OwnPlace(card.municipality, card.ambiguous, card.municipality_explicit)
    card.municipality, card.ambiguous = asker_place(own, profile_place)
    found_place = card.municipality if card.municipality is not None and card.municipality != profile_place else None
    if found_place is not None:
        profiles.remember_place(ctx.session, ctx.key, found_place, state.language)
    if not dont_know and not _has_problem(ctx, card, text):
        if found_place is not None:
            ctx.say("municipality_set", place=_place_text(found_place, ctx.lang))
        if card.ambiguous:
            state.step, state.ask, state.card = "municipality_pick", {"profile_only": True}, card.model_dump()
            _ask_ambiguous(ctx, card)
            return
        state.step, state.ask, state.card = "idle", {}, None
        ctx.say("prompt_problem")
        return
    state.set_card(card)
    state.asked = []
    state.consultation_id = None
    state.counsel = {}
    if found_place is not None:
        ctx.say("municipality_set", place=_place_text(found_place, ctx.lang))
    if counsel.wants_counselling(card, dont_know):
        counsel.start(ctx, card, text)
        return
    if len(card.sub_issues) > 1:
        ctx.say("split_note", n=len(card.sub_issues))
    next_step(ctx)


def _has_problem(ctx: TurnContext, card: IntakeCard, text: str) -> bool:
    if any(s.fields or s.processes or s.pains or s.wanted for s in card.sub_issues):
        return True
    if cleaning.is_greeting(text):
        return False
    rest = text
    for ref in [card.municipality, *card.ambiguous]:
        if ref is not None:
            rest = rest.replace(ref.prefecture, "").replace(ref.name, "")
    rest = re.sub(r"(です|でした|ます|の|者|担当|職員|役場|役所|市役所|から|より|[、。,.!！?？\s])", "", rest)
    return len(rest) >= 6


def next_step(ctx: TurnContext) -> None:
    """Ask the first missing thing, or show the card when nothing is missing."""
    state = ctx.state
    card = state.intake_card()
    assert card is not None
    if card.municipality is None:
        if card.ambiguous:
            state.step, state.ask = "municipality_pick", {}
            _ask_ambiguous(ctx, card)
        else:
            state.step, state.ask = "municipality", {}
            _prompt_municipality(ctx, False)
        return
    for i, sub in enumerate(card.sub_issues):
        for item in ASKED_ITEMS:
            if likely.needs_asking(sub, item) and f"{i}:{item}" not in state.asked:
                state.step, state.ask = "missing", {"sub": i, "item": item}
                _prompt_missing(ctx, False)
                return
    state.step, state.ask = "confirm", {}
    _prompt_confirm(ctx, False, intro=True)


# ---------------------------------------------------------------- municipality


def _prompt_municipality(ctx: TurnContext, keep_id: bool) -> None:
    suggestions = ctx.state.ask.get("suggest") or []
    options = [(f"{p} {n}" if p != n else p, f"m:{i}") for i, (p, n) in enumerate(suggestions)]
    ctx.ask(ctx.text("ask_municipality"), options, hint=ctx.text("municipality_hint"), keep_id=keep_id)


def _ask_ambiguous(ctx: TurnContext, card: IntakeCard, keep_id: bool = False) -> None:
    candidates = [[m.prefecture, m.name] for m in card.ambiguous]
    ctx.state.ask["candidates"] = candidates
    name = card.ambiguous[0].name
    options = [(f"{p} {n}", f"m:{i}") for i, (p, n) in enumerate(candidates)]
    options.append((ctx.text("municipality_other"), "other"))
    ctx.ask(ctx.text("ask_ambiguous", name=name), options, hint=ctx.text("municipality_hint"), keep_id=keep_id)


def _prompt_ambiguous(ctx: TurnContext, keep_id: bool) -> None:
    card = ctx.state.intake_card()
    if card is None or not card.ambiguous:
        ctx.state.step = "municipality"
        _prompt_municipality(ctx, keep_id)
        return
    _ask_ambiguous(ctx, card, keep_id)


def _answer_municipality_pick(ctx: TurnContext, value: str) -> None:
    state = ctx.state
    key = "candidates" if state.step == "municipality_pick" else "suggest"
    pool = state.ask.get(key) or []
    if value == "other":
        state.checkpoint()
        state.step, state.ask = "municipality", {"return": state.ask.get("return"),
                                                 "profile_only": state.ask.get("profile_only")}
        _prompt_municipality(ctx, False)
        return
    index = _index(value, "m:", len(pool))
    if index is None:
        ctx.say("unknown_choice")
        prompt(ctx)
        return
    prefecture, name = pool[index]
    _set_place(ctx, MunicipalityRef(prefecture=prefecture, name=name))


def _text_municipality(ctx: TurnContext, text: str) -> None:
    if ctx.state.step == "municipality_pick":
        # 「福島県です」「広島の方」 answers the question about which 伊達市/府中市.
        folded = unicodedata.normalize("NFKC", text)
        picked = [(p, n) for p, n in ctx.state.ask.get("candidates") or [] if p in folded or p[:-1] in folded]
        if len(picked) == 1:
            _set_place(ctx, MunicipalityRef(prefecture=picked[0][0], name=picked[0][1]))
            return
    directory = ctx.services.directory()
    card = ctx.services.analyze(text)
    place = card.municipality
    if place is None and not card.ambiguous:
        place = _prefecture_only(text, directory.prefectures)
    if place is not None:
        _set_place(ctx, place)
        return
    if card.ambiguous:
        state = ctx.state
        current = state.intake_card() or IntakeCard(text=text)
        current.ambiguous = card.ambiguous
        state.checkpoint()
        state.set_card(current)
        state.step, state.ask = "municipality_pick", {"return": state.ask.get("return"),
                                                      "profile_only": state.ask.get("profile_only")}
        _ask_ambiguous(ctx, current)
        return
    ctx.say("municipality_not_found", text=messages.shorten(text, 20))
    suggestions = _closest(directory, text)
    ctx.state.ask["suggest"] = suggestions
    _prompt_municipality(ctx, False)


def _prefecture_only(text: str, prefectures: list[str]) -> MunicipalityRef | None:
    """「奈良県です」「県の道路課（奈良県）」 → the prefecture itself (prefectural staff)."""
    folded = unicodedata.normalize("NFKC", text)
    found = [p for p in prefectures if p in folded]
    if len(found) != 1:
        return None
    rest = re.sub(r"(です|の|職員|担当|者|[、。\s])", "", folded.replace(found[0], ""))
    if not rest or _PREFECTURE_STAFF.search(folded) or len(rest) <= 6:
        return MunicipalityRef(prefecture=found[0], name=found[0])
    return None


def _closest(directory: MunicipalityDirectory, text: str) -> list[list[str]]:
    word = re.sub(r"(です|でした|の|担当|職員|役場|役所|[、。\s])", "", unicodedata.normalize("NFKC", text))[:20]
    out: list[list[str]] = []
    for joined in directory.closest_names(word, limit=4):
        prefecture = next((p for p in directory.prefectures if joined.startswith(p)), None)
        if prefecture is not None:
            out.append([prefecture, joined[len(prefecture):]])
    return out


def _set_place(ctx: TurnContext, place: MunicipalityRef) -> None:
    state = ctx.state
    returning, profile_only = state.ask.get("return"), state.ask.get("profile_only")
    state.checkpoint()
    profiles.remember_place(ctx.session, ctx.key, place, state.language)
    ctx.say("municipality_set", place=_place_text(place, ctx.lang))
    card = state.intake_card()
    if profile_only or card is None:
        state.step, state.ask, state.card = "idle", {}, None
        ctx.say("prompt_problem")
        return
    card.municipality, card.ambiguous = place, []
    state.set_card(card)
    if returning == "confirm":
        state.step, state.ask = "confirm", {}
        _prompt_confirm(ctx, False, intro=True)
        return
    next_step(ctx)


def _place_text(place: MunicipalityRef, lang: str) -> str:
    return place.name if place.name == place.prefecture else f"{place.prefecture}{place.name}"


# ---------------------------------------------------------------- missing items


def _sub_note(ctx: TurnContext, index: int) -> str:
    card = ctx.state.intake_card()
    if card is None or len(card.sub_issues) < 2:
        return ""
    return ctx.text("about_sub", n=index + 1, text=messages.shorten(card.sub_issues[index].text, 24)) + "\n"


def _prompt_missing(ctx: TurnContext, keep_id: bool) -> None:
    item, index = ctx.state.ask["item"], ctx.state.ask["sub"]
    card = ctx.state.intake_card()
    assert card is not None
    text, options = likely.question(ctx, card.sub_issues[index], item, show_all=bool(ctx.state.ask.get("all")))
    ctx.ask(_sub_note(ctx, index) + text, options, hint=ctx.text("free_hint"), keep_id=keep_id)


def _answer_missing(ctx: TurnContext, value: str) -> None:
    item = ctx.state.ask["item"]
    if value == likely.MORE and item in ("fields", "processes"):    # the whole list instead of the likely codes
        ctx.state.ask["all"] = True
        _prompt_missing(ctx, False)
        return
    if value != "skip" and value not in messages.choice_codes(item):
        ctx.say("unknown_choice")
        prompt(ctx)
        return
    _fill_missing(ctx, [] if value == "skip" else [value], None)


def _text_missing(ctx: TurnContext, text: str) -> None:
    item = ctx.state.ask["item"]
    codes = list(getattr(ctx.services.extract(text), item))
    card = ctx.state.intake_card()
    if not codes and cleaning.is_yes(text) and card is not None and not ctx.state.ask.get("all"):
        guesses = likely.likely(card.sub_issues[ctx.state.ask["sub"]], item)
        codes = guesses if len(guesses) == 1 else []     # 「はい」 to one likely code is that code
    _fill_missing(ctx, codes, None if codes else text)


def _fill_missing(ctx: TurnContext, codes: list[str], free_text: str | None) -> None:
    state = ctx.state
    item, index = state.ask["item"], state.ask["sub"]
    state.checkpoint()
    card = state.intake_card()
    assert card is not None
    sub = card.sub_issues[index]
    setattr(sub, item, likely.combined(sub, item, codes))
    if free_text and len(free_text) >= 4 and not cleaning.is_yes(free_text):
        sub.text = f"{sub.text}（{messages.shorten(free_text, 200)}）"
    if not getattr(sub, item):
        ctx.say("noted_free")
    state.set_card(card)
    state.asked.append(f"{index}:{item}")
    next_step(ctx)


# ---------------------------------------------------------------- the card


def card_reply(ctx: TurnContext, card: IntakeCard, *, with_actions: bool) -> Card:
    lang = ctx.lang
    rows: list[tuple[str, str]] = []
    place = _place_text(card.municipality, lang) if card.municipality else ctx.text("card_unknown_place")
    rows.append((ctx.text("card_municipality"), place))
    numbered = len(card.sub_issues) > 1
    for i, sub in enumerate(card.sub_issues):
        prefix = f"{i + 1}. " if numbered else ""
        rows.append((ctx.text("card_issue", n=i + 1) if numbered else ctx.text("card_issue", n="").strip(),
                     messages.shorten(sub.text, 200)))
        if sub.title:
            rows.append((prefix + ctx.text("card_title_row"), sub.title))
        for item in EDITABLE:
            rows.append((prefix + ctx.text(f"card_{item}"), messages.labels(item, getattr(sub, item), lang)))
        if sub.schemes:
            schemes = messages.scheme_labels([x.code for x in sub.schemes], lang)
            rows.append((prefix + ctx.text("card_schemes"), schemes))
    actions: tuple[Choice, ...] = ()
    if with_actions:
        actions = ctx.choices([(ctx.text("accept"), "accept"), (ctx.text("edit"), "edit"),
                               (ctx.text("restart_button"), "restart")], primary="accept")
    return Card(ctx.text("card_title"), tuple(rows), actions)


def _prompt_confirm(ctx: TurnContext, keep_id: bool, *, intro: bool = False) -> None:
    card = ctx.state.intake_card()
    assert card is not None
    if not keep_id:
        ctx.state.question_id += 1
    ctx.say("card_intro" if intro else "confirm_hint")
    ctx.replies.append(card_reply(ctx, card, with_actions=True))


def _answer_confirm(ctx: TurnContext, value: str) -> None:
    if value == "accept":
        ctx.state.checkpoint()
        recommend.recommend(ctx)
    elif value == "edit":
        ctx.state.checkpoint()
        card_edit._start_edit(ctx)
    elif value == "restart":
        from bot.dialogue.commands import restart

        restart(ctx)
    else:
        ctx.say("unknown_choice")
        prompt(ctx)


def _text_confirm(ctx: TurnContext, text: str) -> None:
    if cleaning.is_yes(text):
        _answer_confirm(ctx, "accept")
        return
    if cleaning.fold(text) in {"修正", "修正する", "直す", "edit", "change", "いいえ", "no", "違う", "ちがう"}:
        _answer_confirm(ctx, "edit")
        return
    found = ctx.services.extract(text)
    if list(found.fields):
        # A new facility means a new description of the problem.
        ctx.state.checkpoint()
        ctx.say("retyped")
        start_intake(ctx, text)
        return
    additions = {item: list(getattr(found, item)) for item in ("processes", "pains", "wanted")}
    if not any(additions.values()):
        _prompt_confirm(ctx, True)
        return
    # Extra details (「アドバイザーにも相談したい」「予算もない」): add them to every sub-issue.
    ctx.state.checkpoint()
    card = ctx.state.intake_card()
    assert card is not None
    for sub in card.sub_issues:
        for item, codes in additions.items():
            current = getattr(sub, item)
            setattr(sub, item, current + [c for c in codes if c not in current])
    ctx.state.set_card(card)
    ctx.say("added_details")
    _prompt_confirm(ctx, False)


# ---------------------------------------------------------------- after the results


def _prompt_results(ctx: TurnContext, keep_id: bool) -> None:
    ctx.say("results_next")


def _text_results(ctx: TurnContext, text: str) -> None:
    ctx.state.checkpoint()
    start_intake(ctx, text)


def _text_with_buttons(ctx: TurnContext, text: str) -> None:
    """A typed message while only buttons make sense: treat a new description as a new problem."""
    ctx.state.checkpoint()
    ctx.say("retyped")
    start_intake(ctx, text)


# ---------------------------------------------------------------- helpers and tables


def _index(value: str, prefix: str, size: int) -> int | None:
    if not value.startswith(prefix):
        return None
    try:
        index = int(value[len(prefix):])
    except ValueError:
        return None
    return index if 0 <= index < size else None



def _answered_offer(ctx: TurnContext, value: str) -> None:
    from bot.dialogue import answers

    answers.on_offer(ctx, value)


_PROMPTS = {
    "idle": _prompt_idle,
    "municipality": _prompt_municipality,
    "municipality_pick": _prompt_ambiguous,
    "missing": _prompt_missing,
    "confirm": _prompt_confirm,
    "edit_pick": card_edit._prompt_edit_pick,
    "edit_item": card_edit._prompt_edit_item,
    "edit_value": card_edit._prompt_edit_value,
    "edit_text": card_edit._prompt_edit_text,
    "results": _prompt_results,
    "counsel": lambda ctx, keep_id: counsel.prompt(ctx, keep_id=keep_id),
    "answered": _prompt_results,
    "named": _prompt_results,
}

_TEXT_HANDLERS: dict[str, Callable[[TurnContext, str], None]] = {
    "idle": _text_idle,
    "municipality": _text_municipality,
    "municipality_pick": _text_municipality,
    "missing": _text_missing,
    "confirm": _text_confirm,
    "edit_pick": _text_with_buttons,
    "edit_item": _text_with_buttons,
    "edit_value": card_edit._text_edit_value,
    "edit_text": card_edit._text_edit_text,
    "results": _text_results,
    "counsel": counsel.on_text,
    "answered": _text_results,
    "named": _text_results,
}

_ANSWER_HANDLERS: dict[str, Callable[[TurnContext, str], None]] = {
    "municipality": _answer_municipality_pick,
    "municipality_pick": _answer_municipality_pick,
    "missing": _answer_missing,
    "confirm": _answer_confirm,
    "edit_pick": card_edit._answer_edit_pick,
    "edit_item": card_edit._answer_edit_item,
    "edit_value": card_edit._answer_edit_value,
    "counsel": counsel.on_answer,
    "answered": _answered_offer,
}

