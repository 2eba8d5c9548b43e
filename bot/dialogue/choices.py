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
    fu|<introduction id>|<side>|<n>      a follow-up answer: rating n (1–5), or "-" for no comment
                                         (identity checked against the side asked)
    gj|<group member id>|y|n             a group invitation: 参加したい / 今回は見送る (identity checked:
                                         one of the member's engineers)
    ev|<event participant id>|y|n        an event invitation: 参加 / 不参加 (identity checked: an engineer
                                         of the body who accepted the group)
    ad|<participant id>|<tech db id>|c|p after the event: 共同導入を検討したい / 見送る for one technology
                                         (identity checked as for ev)

A value comes back from the chat platform, so anyone can send any text as one:
``parse`` accepts exactly the values the functions below produce — ids in
canonical decimal within the database's integer range, nonces in
``new_nonce``'s format, ratings 1–5 — and answers ``None`` (an unknown choice)
to anything else, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogue.replies import MAX_CHOICE_VALUE

SEP = "|"
MAX_DB_ID = 2**31 - 1   # PostgreSQL's integer primary keys; a larger id cannot name a row (and overflows SQLite)
INTRO_KINDS = ("advisor", "engineer")
RATING_RANGE = (1, 5)   # bot.secretariat.feedback.RATING_MIN/MAX (the service checks again when storing)
RESULT_KINDS = ("advisor", "case", "engineer", "training", "technology")
YES_NO = {"y": True, "n": False}
ADOPTION = {"c": "consider", "p": "pass"}   # bot.secretariat.events.ADOPTION_CHOICES
_NONCE = re.compile(r"[0-9a-f]{8}")        # bot/dialogue/state.py new_nonce(): secrets.token_hex(4)
_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")  # what str() writes for 0 … MAX_DB_ID: no sign, "_", padding or ３


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


@dataclass(frozen=True)
class FollowupAnswer:
    introduction_id: int
    side: str                 # requester | target
    rating: int | None        # None: "no comment" after a rating


@dataclass(frozen=True)
class GroupAnswer:
    member_id: int
    accept: bool


@dataclass(frozen=True)
class EventRsvp:
    participant_id: int
    attend: bool


@dataclass(frozen=True)
class AdoptionReply:
    participant_id: int
    technology_id: int
    answer: str               # consider | pass


GroupToken = GroupAnswer | EventRsvp | AdoptionReply
Token = Answer | IntroRequest | MoreResults | IntroReply | CaseIntroRequest | FollowupAnswer | GroupToken


def answer(nonce: str, question_id: int, value: str) -> str:
    if not _NONCE.fullmatch(nonce) or not value or SEP in value:
        raise ValueError(f"answer token needs a nonce of 8 hex digits and a non-empty value without {SEP!r}")
    return _checked(SEP.join(("q", nonce, _number(question_id, lowest=0), value)))


def intro_request(sub_issue_id: int, kind: str, db_id: int) -> str:
    if kind not in INTRO_KINDS:
        raise ValueError(f"introductions are requested for {', '.join(INTRO_KINDS)}, not {kind!r}")
    return _checked(SEP.join(("ir", _number(sub_issue_id), kind, _number(db_id))))


def more_results(sub_issue_id: int, kind: str) -> str:
    if kind not in RESULT_KINDS:
        raise ValueError(f"more results exist for {', '.join(RESULT_KINDS)}, not {kind!r}")
    return _checked(SEP.join(("mr", _number(sub_issue_id), kind)))


def case_intro_request(sub_issue_id: int, case_id: int) -> str:
    return _checked(SEP.join(("ic", _number(sub_issue_id), _number(case_id, lowest=0))))


def intro_reply(introduction_id: int, *, accept: bool) -> str:
    return _checked(SEP.join(("ia" if accept else "id", _number(introduction_id))))


def group_answer(member_id: int, *, accept: bool) -> str:
    return _checked(SEP.join(("gj", _number(member_id), "y" if accept else "n")))


def event_rsvp(participant_id: int, *, attend: bool) -> str:
    return _checked(SEP.join(("ev", _number(participant_id), "y" if attend else "n")))


def adoption_answer(participant_id: int, technology_id: int, answer: str) -> str:
    code = next((c for c, a in ADOPTION.items() if a == answer), None)
    if code is None:
        raise ValueError(f"an adoption answer is {' or '.join(ADOPTION.values())}, not {answer!r}")
    return _checked(SEP.join(("ad", _number(participant_id), _number(technology_id), code)))


def _number(value: int, *, lowest: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= MAX_DB_ID:
        raise ValueError(f"a choice token's number must be an integer from {lowest} to {MAX_DB_ID}, not {value!r}")
    return str(value)


def _id(text: str, *, lowest: int = 1) -> int:
    """The number ``text`` stands for; ValueError unless it is one ``_number`` writes."""
    if not _NUMBER.fullmatch(text) or not lowest <= (value := int(text)) <= MAX_DB_ID:
        raise ValueError(text)
    return value


def followup_answer(introduction_id: int, side: str, rating: int | None) -> str:
    if side not in ("requester", "target"):
        raise ValueError(f"a follow-up is answered by the requester or the target, not {side!r}")
    if rating is not None and not (isinstance(rating, int) and not isinstance(rating, bool)
                                   and RATING_RANGE[0] <= rating <= RATING_RANGE[1]):
        raise ValueError(f"a follow-up rating is {RATING_RANGE[0]}–{RATING_RANGE[1]}, not {rating!r}")
    return _checked(SEP.join(("fu", _number(introduction_id), side, "-" if rating is None else str(rating))))


def _rating(text: str) -> int:
    """A rating ``followup_answer`` writes (one digit within the range); ValueError otherwise."""
    if not (len(text) == 1 and text.isdigit() and RATING_RANGE[0] <= int(text) <= RATING_RANGE[1]):
        raise ValueError(text)
    return int(text)


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
            case ["q", nonce, qid, ans] if _NONCE.fullmatch(nonce) and ans:
                return Answer(nonce, _id(qid, lowest=0), ans)
            case ["ir", sub, kind, db_id] if kind in INTRO_KINDS:
                return IntroRequest(_id(sub), kind, _id(db_id))
            case ["mr", sub, kind] if kind in RESULT_KINDS:
                return MoreResults(_id(sub), kind)
            case ["ic", sub, case_id]:
                return CaseIntroRequest(_id(sub), _id(case_id, lowest=0))
            case ["ia" | "id" as verb, intro_id]:
                return IntroReply(_id(intro_id), accept=verb == "ia")
            case ["fu", intro_id, "requester" | "target" as side, rating]:
                return FollowupAnswer(_id(intro_id), side, None if rating == "-" else _rating(rating))
            case ["gj", member_id, "y" | "n" as yes]:
                return GroupAnswer(_id(member_id), accept=YES_NO[yes])
            case ["ev", participant_id, "y" | "n" as yes]:
                return EventRsvp(_id(participant_id), attend=YES_NO[yes])
            case ["ad", participant_id, tech_id, "c" | "p" as code]:
                return AdoptionReply(_id(participant_id), _id(tech_id), ADOPTION[code])
    except ValueError:
        return None
    return None
