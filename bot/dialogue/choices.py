"""Choice values: short tokens the engine can check when a button press comes back.

Two families, fields separated by ``|`` (every value stays under 150 characters):

    q|<nonce>|<question id>|<answer>     an answer to the question asked last in one
                                         conversation; the nonce is the conversation's,
                                         so a stale or foreign button is recognisable
    ir|<sub issue id>|<kind>|<db id>     request an introduction (checked against the
                                         sub-issue's owner and its recommendations)
    mr|<sub issue id>|<kind>             more results of one kind (owner checked)
    ia|<introduction id>                 the requested person accepts (identity checked)
    id|<introduction id>                 the requested person declines (identity checked)
    fu|<introduction id>|<side>|<n>      a follow-up answer: rating n (1–5), or "-" for no comment
                                         (identity checked against the side asked)
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
class FollowupAnswer:
    introduction_id: int
    side: str                 # requester | target
    rating: int | None        # None: "no comment" after a rating


Token = Answer | IntroRequest | MoreResults | IntroReply | FollowupAnswer


def answer(nonce: str, question_id: int, value: str) -> str:
    return _checked(SEP.join(("q", nonce, str(question_id), value)))


def intro_request(sub_issue_id: int, kind: str, db_id: int) -> str:
    return _checked(SEP.join(("ir", str(sub_issue_id), kind, str(db_id))))


def more_results(sub_issue_id: int, kind: str) -> str:
    return _checked(SEP.join(("mr", str(sub_issue_id), kind)))


def intro_reply(introduction_id: int, *, accept: bool) -> str:
    return _checked(SEP.join(("ia" if accept else "id", str(introduction_id))))


def followup_answer(introduction_id: int, side: str, rating: int | None) -> str:
    return _checked(SEP.join(("fu", str(introduction_id), side, "-" if rating is None else str(rating))))


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
            case ["ia" | "id" as verb, intro_id]:
                return IntroReply(int(intro_id), accept=verb == "ia")
            case ["fu", intro_id, "requester" | "target" as side, rating]:
                return FollowupAnswer(int(intro_id), side, None if rating == "-" else int(rating))
    except ValueError:
        return None
    return None
