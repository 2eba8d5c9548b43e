"""Choice values: short tokens the engine can check when a button press comes back.

Two families, fields separated by ``|`` (every value stays under 150 characters):

    q|<nonce>|<question id>|<answer>     an answer to the question asked last in one
                                         conversation; the nonce is the conversation's,
                                         so a stale or foreign button is recognisable
    ir|<sub issue id>|<kind>|<db id>     request an introduction (checked against the
                                         sub-issue's owner and its recommendations)
    mr|<sub issue id>|<kind>             more results of one kind (owner checked)
    ic|<sub issue id>|<case db id>       an introduction to someone at a case's body (0: the named
                                         body itself); checked against the sub-issue's owner
    ia|<introduction id>                 the requested person accepts (identity checked)
    id|<introduction id>                 the requested person declines (identity checked)
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue.replies import MAX_CHOICE_VALUE

SEP = "|"


@dataclass(frozen=True)
class Answer:
    nonce: str
    question_id: int
    answer: str


@dataclass(frozen=True)
class IntroRequest:
    sub_issue_id: int
    kind: str
    db_id: int


@dataclass(frozen=True)
class MoreResults:
    sub_issue_id: int
    kind: str


@dataclass(frozen=True)
class IntroReply:
    introduction_id: int
    accept: bool


@dataclass(frozen=True)
class CaseIntroRequest:
    """紹介を依頼 on a precedent case (or, with ``case_id`` 0, on the named body) of a named request."""

    sub_issue_id: int
    case_id: int


Token = Answer | IntroRequest | MoreResults | IntroReply | CaseIntroRequest


def answer(nonce: str, question_id: int, value: str) -> str:
    return _checked(SEP.join(("q", nonce, str(question_id), value)))


def intro_request(sub_issue_id: int, kind: str, db_id: int) -> str:
    return _checked(SEP.join(("ir", str(sub_issue_id), kind, str(db_id))))


def more_results(sub_issue_id: int, kind: str) -> str:
    return _checked(SEP.join(("mr", str(sub_issue_id), kind)))


def case_intro_request(sub_issue_id: int, case_id: int) -> str:
    return _checked(SEP.join(("ic", str(sub_issue_id), str(case_id))))


def intro_reply(introduction_id: int, *, accept: bool) -> str:
    return _checked(SEP.join(("ia" if accept else "id", str(introduction_id))))


def _checked(value: str) -> str:
    if len(value) > MAX_CHOICE_VALUE:
        raise ValueError(f"choice value longer than {MAX_CHOICE_VALUE} characters: {value[:40]}…")
    return value


def parse(value: str) -> Token | None:
    """The token a choice value stands for, or ``None`` for anything malformed."""
    if not isinstance(value, str) or len(value) > MAX_CHOICE_VALUE:
        return None
    parts = value.split(SEP)
    try:
        match parts:
            case ["q", nonce, qid, ans] if nonce and ans:
                return Answer(nonce, int(qid), ans)
            case ["ir", sub, kind, db_id] if kind in ("advisor", "engineer"):
                return IntroRequest(int(sub), kind, int(db_id))
            case ["mr", sub, kind] if kind in ("advisor", "case", "engineer", "training"):
                return MoreResults(int(sub), kind)
            case ["ic", sub, case_id]:
                return CaseIntroRequest(int(sub), int(case_id))
            case ["ia" | "id" as verb, intro_id]:
                return IntroReply(int(intro_id), accept=verb == "ia")
    except ValueError:
        return None
    return None
