"""Counselling when the engineer cannot name the problem: a few questions, then a 見立て.

The candidate problems, the question bank and how strongly each problem
predicts each answer are data (knowledge/data/counselling.json). The state
keeps a belief over the candidate problems; what the first message already
says (「技術職は私一人」, a facility, a pain) updates it and settles those
questions. The next question is the one with the largest expected information
gain about which problem it is (not a fixed order); a typed answer is mapped to
options by the intake's codes and the option's words, and kept in the user's
own words. After at most ``MAX_QUESTIONS`` questions (fewer when one problem is
already clear), the 見立て names one to three candidate problems, each with the
reason in the user's words and the schemes that fit, and they become the
sub-issues of the 課題カード, which the user confirms or corrects.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from bot.dialogue import messages
from bot.dialogue.context import TurnContext
from bot.dialogue.counsel_data import CounselData, Option, Problem, QuestionSpec, counsel_data
from bot.dialogue.scheme_fit import suggest
from knowledge.cards import IntakeCard, SubIssueCard

MAX_QUESTIONS = 4
CLEAR_BELIEF = 0.7  # stop early (after two questions) once one problem holds this much belief
MIN_GAIN = 0.02  # a question that would teach less than this (bits) is not worth asking
SECOND_CANDIDATE = 0.5  # another problem joins the 見立て when its belief is at least this share of the best's
MIN_CANDIDATE = 0.12
MAX_CANDIDATES = 3
REQUIRED = (("assets", "fields"), ("time", "processes"))
SUPPORT_WEIGHT = 2.0  # an answer "speaks for" a problem when its weight for it is at least this
_STAFF = re.compile(
    r"(?:技術職|技術者|技師|土木職|職員|engineers?|staff)[^。.]{0,8}?"
    r"(私一人|自分一人|ひとり|一人|1人|0人|ゼロ|いない|不在|二人|2人|三人|3人|四人|4人|五人|5人|\d+人|"
    r"only me|none|no one|one|two|three)",
    re.IGNORECASE,
)
_STAFF_WORD = {
    "私一人": "1",
    "自分一人": "1",
    "ひとり": "1",
    "一人": "1",
    "1人": "1",
    "one": "1",
    "only me": "1",
    "0人": "0",
    "ゼロ": "0",
    "いない": "0",
    "不在": "0",
    "none": "0",
    "no one": "0",
}


# ---------------------------------------------------------------- belief and information gain


def likelihood(data: CounselData, question: QuestionSpec, option: Option, problem_id: str) -> float:
    total = sum(data.base_weight + o.weights.get(problem_id, 0.0) for o in question.options)
    return (data.base_weight + option.weights.get(problem_id, 0.0)) / total


def update(
    data: CounselData, belief: dict[str, float], question: QuestionSpec, options: list[Option]
) -> dict[str, float]:
    """Belief after the answer "one of ``options``" to ``question``."""
    if not options:
        return belief
    new = {h: p * sum(likelihood(data, question, o, h) for o in options) for h, p in belief.items()}
    total = sum(new.values()) or 1.0
    return {h: p / total for h, p in new.items()}


def entropy(belief: dict[str, float]) -> float:
    return -sum(p * math.log2(p) for p in belief.values() if p > 0)


def information_gain(data: CounselData, belief: dict[str, float], question: QuestionSpec) -> float:
    expected = 0.0
    for option in question.options:
        p_option = sum(p * likelihood(data, question, option, h) for h, p in belief.items())
        if p_option > 0:
            expected += p_option * entropy(update(data, belief, question, [option]))
    return entropy(belief) - expected


def next_question(data: CounselData, state: dict[str, Any]) -> QuestionSpec | None:
    """The unasked, unsettled question that best separates the remaining candidate problems."""
    belief, settled = state["belief"], set(state["asked"]) | set(state["settled"])
    asked = len(state["asked"])
    open_questions = [q for q in data.questions if q.id not in settled]
    if asked >= MAX_QUESTIONS or not open_questions:
        return None
    # The card needs the facilities and the work: ask them before the 見立て when nothing told them yet.
    required = [data.question(qid) for qid, fact in REQUIRED if not state["facts"].get(fact) and qid not in settled]
    required_left = [q for q in required if q is not None]
    stopping = asked >= 2 and max(belief.values()) >= CLEAR_BELIEF
    if required_left and (len(required_left) >= MAX_QUESTIONS - asked or stopping):
        return required_left[0]
    if stopping:
        return None
    gains = sorted(
        ((information_gain(data, belief, q), i, q) for i, q in enumerate(open_questions)), key=lambda g: (-g[0], g[1])
    )
    best_gain, _, best = gains[0]
    if best_gain < MIN_GAIN:
        return None
    return best


# ---------------------------------------------------------------- reading answers


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _staff_of(text: str) -> str | None:
    m = _STAFF.search(unicodedata.normalize("NFKC", text))
    if m is None:
        return None
    word = m.group(1).lower()
    if word in _STAFF_WORD:
        return _STAFF_WORD[word]
    digits = re.sub(r"\D", "", word) or {
        "二人": "2",
        "三人": "3",
        "四人": "4",
        "五人": "5",
        "two": "2",
        "three": "3",
    }.get(word, "")
    if not digits:
        return None
    n = int(digits)
    return "0" if n == 0 else "1" if n == 1 else "2-5" if n <= 5 else "6+"


def options_for_text(question: QuestionSpec, text: str, codes: dict[str, list[str]]) -> list[Option]:
    """The options a typed text stands for: by the intake's codes, the staff count, or the option's words."""
    folded = _fold(text)
    if question.fact == "staff":
        staff = _staff_of(text)
        return [o for o in question.options if o.facts.get("staff") == staff] if staff else []
    picked = []
    for option in question.options:
        for kind in ("fields", "processes", "pains"):
            wanted = option.facts.get(kind) or []
            if any(c in codes.get(kind, []) for c in wanted):
                picked.append(option)
                break
        else:
            if any(_fold(w) in folded for w in option.words):
                picked.append(option)
    return picked


def _merge_facts(facts: dict[str, Any], options: list[Option]) -> None:
    for option in options:
        for key, value in option.facts.items():
            if isinstance(value, list):
                current = facts.setdefault(key, [])
                current.extend(v for v in value if v not in current)
            else:
                facts[key] = value


def _supports(data: CounselData, question: QuestionSpec | None, options: list[Option]) -> list[str]:
    return sorted({h for o in options for h, w in o.weights.items() if w >= SUPPORT_WEIGHT})


# ---------------------------------------------------------------- the dialogue step


def wants_counselling(card: IntakeCard, said_dont_know: bool) -> bool:
    """Counsel when the problem has no name: nothing about facilities or work was understood, or they say so."""
    return said_dont_know or not any(s.fields or s.processes for s in card.sub_issues)


def start(ctx: TurnContext, card: IntakeCard, text: str) -> None:
    data = counsel_data()
    belief = {p.id: 1.0 / len(data.problems) for p in data.problems}
    state: dict[str, Any] = {
        "belief": belief,
        "asked": [],
        "settled": [],
        "facts": {},
        "quotes": [],
        "first": messages.shorten(text, 300),
    }
    codes = _codes(card)
    state["facts"].update({k: list(v) for k, v in codes.items() if v})
    staff = _staff_of(text)
    for question in data.questions:
        options = options_for_text(question, text, codes)
        if question.fact == "staff" and staff is None:
            options = []
        if question.fact in ("fields", "processes") and not any(o.facts.get(question.fact) for o in options):
            options = []  # 「何もかも」 says little about which facilities: still ask
        if options and question.fact not in ("staff", "fields"):
            # They said they cannot name the problem: what the first words hint at counts, but is still asked.
            state["belief"] = update(data, state["belief"], question, options)
            continue
        if options:
            state["belief"] = update(data, state["belief"], question, options)
            state["settled"].append(question.id)
            _merge_facts(state["facts"], options)
    state["quotes"].append({"text": _quote(text), "problems": _first_support(data, state)})
    ctx.state.counsel = state
    ctx.state.set_card(card)
    ctx.say("counsel_intro")
    _ask_next(ctx)


def _codes(card: IntakeCard) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"fields": [], "processes": [], "pains": []}
    for sub in card.sub_issues:
        for kind in out:
            out[kind].extend(c for c in getattr(sub, kind) if c not in out[kind])
    return out


_CANNOT_NAME = re.compile(r"(何が課題|何が問題|なにが課題|分から|わから|don'?t (?:even )?know|not sure|no idea)",
                          re.IGNORECASE)


def _quote(text: str) -> str:
    """The user's own words to quote: what they said about their situation (「技術職は私一人」),
    not 「何が課題か分からない」 nor a greeting."""
    from bot.dialogue.titles import strip_greeting
    from matching.intake import clean_text

    pieces = re.split(r"(?<=[。！？!?])|(?<=[.])\s", clean_text(text))
    sentences = [strip_greeting(s).strip(" 、,。.") for s in pieces]
    sentences = [s for s in sentences if s]
    kept = [s for s in sentences if not _CANNOT_NAME.search(s)] or sentences
    return messages.shorten("、".join(kept[:2]) if kept else text, 60)


def _first_support(data: CounselData, state: dict[str, Any]) -> list[str]:
    ranked = sorted(state["belief"].items(), key=lambda kv: -kv[1])
    uniform = 1.0 / len(state["belief"])
    return [h for h, p in ranked if p > uniform * 1.2][:3]


def _ask_next(ctx: TurnContext, *, keep_id: bool = False) -> None:
    data = counsel_data()
    state = ctx.state.counsel
    question = next_question(data, state)
    if question is None:
        finish(ctx)
        return
    ctx.state.step, ctx.state.ask = "counsel", {"q": question.id}
    prompt(ctx, keep_id=keep_id)


def prompt(ctx: TurnContext, *, keep_id: bool = True) -> None:
    question = counsel_data().question(str(ctx.state.ask.get("q")))
    if question is None:
        finish(ctx)
        return
    index = 1 if ctx.lang == "en" else 0
    options = [(o.label[index], o.id) for o in question.options] + [(ctx.text("skip"), "skip")]
    n = len(ctx.state.counsel.get("asked", [])) + 1
    ctx.ask(
        ctx.text("counsel_question", n=n, text=question.text[index]),
        options,
        hint=ctx.text("counsel_free_hint"),
        keep_id=keep_id,
    )


def on_answer(ctx: TurnContext, value: str) -> None:
    question = counsel_data().question(str(ctx.state.ask.get("q")))
    if question is None:
        finish(ctx)
        return
    if value == "skip":
        _record(ctx, question, [], None)
        return
    option = question.option(value)
    if option is None:
        ctx.say("unknown_choice")
        prompt(ctx)
        return
    _record(ctx, question, [option], option.label[1 if ctx.lang == "en" else 0])


def on_text(ctx: TurnContext, text: str) -> None:
    question = counsel_data().question(str(ctx.state.ask.get("q")))
    if question is None:
        finish(ctx)
        return
    found = ctx.services.extract(text)
    codes = {"fields": list(found.fields), "processes": list(found.processes), "pains": list(found.pains)}
    options = options_for_text(question, text, codes)
    facts = ctx.state.counsel["facts"]
    for kind, values in codes.items():  # what they typed counts even when no option fits
        current = facts.setdefault(kind, [])
        current.extend(v for v in values if v not in current)
    if not options:
        ctx.say("counsel_noted")
    _record(ctx, question, options, messages.shorten(text, 80))


def _record(ctx: TurnContext, question: QuestionSpec, options: list[Option], quote: str | None) -> None:
    data = counsel_data()
    ctx.state.checkpoint()
    state = ctx.state.counsel
    state["belief"] = update(data, state["belief"], question, options)
    state["asked"].append(question.id)
    _merge_facts(state["facts"], options)
    if quote:
        state["quotes"].append({"text": quote, "problems": _supports(data, question, options)})
    ctx.state.counsel = state
    _ask_next(ctx)


# ---------------------------------------------------------------- the 見立て


def candidates(data: CounselData, belief: dict[str, float]) -> list[tuple[Problem, float]]:
    ranked = sorted(belief.items(), key=lambda kv: -kv[1])
    top = ranked[0][1]
    chosen = [(data.problem(h), p) for h, p in ranked if p >= max(top * SECOND_CANDIDATE, MIN_CANDIDATE)]
    return chosen[:MAX_CANDIDATES] or [(data.problem(ranked[0][0]), top)]


def _reason(problem: Problem, quotes: list[dict[str, Any]], lang: str, *, top: bool) -> str:
    own = [q["text"] for q in quotes if problem.id in q.get("problems", [])][:3]
    if top and quotes and quotes[0]["text"] not in own:
        own = [quotes[0]["text"], *own][:3]  # the first message is the heart of the matter
    own = own or [quotes[0]["text"]]
    joined = "".join(f"「{q}」" for q in own) if lang != "en" else ", ".join(f'"{q}"' for q in own)
    return messages.say(lang, "counsel_reason", quotes=joined)


def _sub_issue(
    problem: Problem, facts: dict[str, Any], quotes: list[dict[str, Any]], lang: str, top: bool
) -> SubIssueCard:
    index = 1 if lang == "en" else 0
    fields = list(facts.get("fields") or [])
    said = list(facts.get("processes") or [])
    processes = [p for p in problem.processes if p in said] or list(problem.processes)
    if top:
        processes += [p for p in said if p not in processes]
    pains = [p for p in facts.get("pains") or [] if p in problem.pains] or list(facts.get("pains") or [])
    pains = pains or list(problem.pains[:1])
    words = " / ".join(q["text"] for q in quotes)
    sub = SubIssueCard(
        text=f"{problem.label[0]}：{words}",
        fields=fields,
        processes=processes,
        pains=pains,
        wanted=["advisor", "case"],
        title=problem.label[index][:40],
    )
    sub.schemes = suggest(sub, lang=lang, staff=facts.get("staff"), problems=[problem])
    return sub


def finish(ctx: TurnContext) -> None:
    """Offer the 見立て and put its candidate problems on the 課題カード."""
    from bot.dialogue import flow

    data = counsel_data()
    state = ctx.state.counsel
    chosen = candidates(data, state["belief"])
    lang = ctx.lang
    index = 1 if lang == "en" else 0
    lines = [ctx.text("counsel_assessment")]
    subs = []
    for n, (problem, _) in enumerate(chosen, start=1):
        sub = _sub_issue(problem, state["facts"], state["quotes"], lang, top=n == 1)
        subs.append(sub)
        schemes = messages.scheme_labels([s.code for s in sub.schemes], lang)
        lines.append(f"{n}. {problem.label[index]} — {_reason(problem, state['quotes'], lang, top=n == 1)}")
        if schemes:
            lines.append("   " + ctx.text("counsel_schemes", schemes=schemes))
    ctx.say_text("\n".join(lines))
    card = ctx.state.intake_card() or IntakeCard(text=state.get("first", ""))
    card.sub_issues = subs
    ctx.state.set_card(card)
    ctx.state.asked = [f"{i}:wanted" for i in range(len(subs))]
    ctx.state.consultation_id = None
    flow.next_step(ctx)
