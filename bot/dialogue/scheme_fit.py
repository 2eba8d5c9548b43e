"""Which collaboration schemes (連携の型) fit a sub-issue, best first, each with a reason.

A scheme the user names (「共同発注を考えている」) comes first. Then the candidate
problems of the counselling data that share the sub-issue's processes, pains
and fields (processes count most: they say what the work is) lend their schemes,
in their order; one technical engineer or none puts the schemes that take the
work off the municipality (代行, 包括的民間委託) first.
"""

from __future__ import annotations

import unicodedata

from bot.dialogue.counsel_data import Problem, counsel_data
from knowledge.cards import SchemeSuggestion, SubIssueCard
from knowledge.taxonomy import get_taxonomy

MAX_SCHEMES = 3
OFFLOADING = ("delegation", "comprehensive_outsourcing")


def problem_fit(problem: Problem, fields: list[str], processes: list[str], pains: list[str]) -> float:
    """How well a candidate problem fits the codes of a sub-issue (0 = not at all)."""
    score = 2.0 * len(set(processes) & set(problem.processes))
    score += 1.5 * len(set(pains) & set(problem.pains))
    if score:
        shared = len(set(fields) & set(problem.fields))
        # A problem of other facilities (下水道の老朽化 for a bridge) fits only weakly.
        score = score + 1.0 * shared if shared or not fields else score * 0.3
    return score


def ranked_problems(fields: list[str], processes: list[str], pains: list[str]) -> list[tuple[Problem, float]]:
    scored = [(p, problem_fit(p, fields, processes, pains)) for p in counsel_data().problems]
    return sorted([item for item in scored if item[1] > 0], key=lambda item: -item[1])


def named_schemes(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    found: list[tuple[int, str]] = []
    for code, words in counsel_data().scheme_words.items():
        positions = [folded.find(w.lower()) for w in words if w.lower() in folded]
        if positions:
            found.append((min(positions), code))
    return [code for _, code in sorted(found)]


def _named_reason(code: str, lang: str) -> str:
    label = get_taxonomy().label(code) if lang != "en" else get_taxonomy().english(code)
    return f"ご相談の中で「{label}」に触れられているためです。" if lang != "en" else f"You mentioned {label}."


def suggest(
    sub: SubIssueCard, *, lang: str = "ja", staff: str | None = None, problems: list[Problem] | None = None
) -> list[SchemeSuggestion]:
    """Schemes for one sub-issue; ``problems`` (the counselling 見立て) replaces the code-based guess."""
    index = 1 if lang == "en" else 0
    out: list[SchemeSuggestion] = []
    for code in named_schemes(sub.text):
        out.append(SchemeSuggestion(code=code, why=_named_reason(code, lang)))
    chosen = (
        problems if problems is not None else [p for p, _ in ranked_problems(sub.fields, sub.processes, sub.pains)[:2]]
    )
    fits = [fit for problem in chosen for fit in problem.schemes]
    if staff in ("0", "1"):
        fits.sort(key=lambda fit: fit.code not in OFFLOADING)
    for fit in fits:
        if all(s.code != fit.code for s in out):
            out.append(SchemeSuggestion(code=fit.code, why=fit.why[index]))
    return out[:MAX_SCHEMES]
