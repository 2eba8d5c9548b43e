"""Grouping municipalities that share a need (群), for joint ordering and new-technology events.

Pure and typed: give it the needs (sub-issues with their bodies' places, codes and
vectors) and the precedent cases; it returns suggestions. The database reading is in
``bot.secretariat.groups``.

    from matching.groups import Params, suggest_groups
    suggestions = suggest_groups(needs, Params(max_km=60, min_size=3, max_size=8), cases)
"""

from matching.groups.suggest import body_needs, suggest_groups, suggestion_id
from matching.groups.types import (
    METHODS,
    SIMILARITIES,
    Body,
    BodyNeed,
    Need,
    Params,
    Precedent,
    SchemeCandidate,
    SuggestedMember,
    Suggestion,
)

__all__ = [
    "METHODS", "SIMILARITIES", "Body", "BodyNeed", "Need", "Params", "Precedent", "SchemeCandidate",
    "SuggestedMember", "Suggestion", "body_needs", "suggest_groups", "suggestion_id",
]
