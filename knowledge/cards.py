"""The intake card (課題カード): the structured understanding of a consultation.

Its JSON is the "Intake analysis" object of the data-format contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class MunicipalityRef(BaseModel):
    prefecture: str
    name: str


class SchemeSuggestion(BaseModel):
    """A collaboration scheme that fits the sub-issue (taxonomy ``scheme`` code) and why, in words."""

    code: str
    why: str


class SubIssueCard(BaseModel):
    text: str
    fields: list[str] = Field(default_factory=list)
    processes: list[str] = Field(default_factory=list)
    pains: list[str] = Field(default_factory=list)
    wanted: list[str] = Field(default_factory=list)
    # Second version of the contract: a concise title (≤ 40 characters) and fitting schemes, best first.
    title: str = ""
    schemes: list[SchemeSuggestion] = Field(default_factory=list)
    # Not part of the contract's JSON: codes only the embedding fallback supports (a guess the dialogue confirms).
    guessed: list[str] = Field(default_factory=list)


class IntakeCard(BaseModel):
    text: str
    municipality: MunicipalityRef | None = None
    ambiguous: list[MunicipalityRef] = Field(default_factory=list)
    sub_issues: list[SubIssueCard] = Field(default_factory=list)
    # Not part of the contract's JSON: the municipality came from a self-reference (「宇陀市の者です」),
    # so it may replace the one remembered in the profile; a plain mention may not.
    municipality_explicit: bool = False

    def to_json(self) -> dict[str, Any]:
        """The contract's shape: ``municipality`` is a ref, ``{"ambiguous": [...]}`` or null."""
        municipality: Any
        if self.municipality is not None:
            municipality = self.municipality.model_dump()
        elif self.ambiguous:
            municipality = {"ambiguous": [m.model_dump() for m in self.ambiguous]}
        else:
            municipality = None
        return {
            "text": self.text,
            "municipality": municipality,
            "sub_issues": [s.model_dump(exclude={"guessed"}) for s in self.sub_issues],
        }
