"""Who is told what about an introduction: the composers of its notices.

One composer per notice event, each ``(session, notice) -> list[Delivery]``:

- ``intro_requested``: the person asked gets the issue card with Accept / Decline
  (never the requester's contact); the secretariat hears whether chat reached
  them, and the requester is told when it did not.
- ``intro_accepted``: both people, together, get the card with both contacts.
- ``intro_declined`` / ``intro_expired``: the requester gets the news and the
  next candidate with 紹介を依頼; the secretariat gets a note.
- ``intro_reminder``: the person asked, again, with Accept / Decline.
- ``intro_followup``: each side is asked whether it helped (a rating, then a
  comment), answered through the engine on any platform.
- ``intro_brokered``: a request about a case or a body with nobody to ask yet;
  the secretariat is told to find someone and assign them.

Secretariat notes name the record and the requester's place, never a contact.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue import choices, messages, recommend
from bot.dialogue.replies import (
    Card,
    ChatUser,
    Choice,
    Composer,
    Delivery,
    Notice,
    Outbox,
    Question,
    Recipient,
    Reply,
    ResultList,
    Secretariat,
    Text,
)
from bot.secretariat.contacts import parse_contact
from bot.secretariat.feedback import RATING_MAX, RATING_MIN, SIDES
from bot.secretariat.introductions import (
    Target,
    days_since,
    is_available,
    person,
    requester_of,
    requester_place,
    target_label,
    target_of,
)
from knowledge.errors import ConflictError, NotFound
from knowledge.models import Introduction, SubIssue, UserProfile

NOTE_LANGUAGE = "ja"   # the secretariat works in Japanese


# ---------------------------------------------------------------- what every composer reads


def _load(session: Session, intro_id: int) -> tuple[Introduction, Target, SubIssue | None]:
    intro = session.get(Introduction, intro_id)
    if intro is None:
        raise NotFound(f"Introduction {intro_id} does not exist. `gunmane intros list` shows the existing ones.")
    target = target_of(session, intro)
    if target is None:
        raise NotFound(f"The {intro.target_kind} of introduction {intro_id} no longer exists.")
    sub = session.get(SubIssue, intro.sub_issue_id) if intro.sub_issue_id else None
    return intro, target, sub


def _requester_language(intro: Introduction) -> str:
    return str((intro.extra or {}).get("language") or "ja")


def _language_of(session: Session, recipient: Recipient) -> str:
    """The language a chat user last talked to the bot in (Japanese when unknown)."""
    if not isinstance(recipient, ChatUser):
        return "ja"
    language = session.scalar(select(UserProfile.language).where(
        UserProfile.platform == recipient.platform, UserProfile.user_id == recipient.user_id))
    return language or "ja"


def _place(session: Session, intro: Introduction, lang: str) -> str:
    return requester_place(session, intro) or ("自治体" if lang != "en" else "a municipality")


def _issue_rows(session: Session, intro: Introduction, sub: SubIssue | None, lang: str) -> list[tuple[str, str]]:
    rows = [(messages.say(lang, "card_municipality"), _place(session, intro, lang))]
    if sub is not None:
        rows.append((messages.say(lang, "card_issue", n="").strip(), messages.shorten(sub.text, 300)))
        for item in ("fields", "processes", "pains", "wanted"):
            rows.append((messages.say(lang, f"card_{item}"), messages.labels(item, list(getattr(sub, item)), lang)))
    return rows


def _request_card(session: Session, intro: Introduction, sub: SubIssue | None, lang: str) -> Card:
    actions = (
        Choice(messages.say(lang, "intro_accept"), choices.intro_reply(intro.id, accept=True), "primary"),
        Choice(messages.say(lang, "intro_decline"), choices.intro_reply(intro.id, accept=False), "danger"),
    )
    return Card(messages.say(lang, "intro_request_card"), tuple(_issue_rows(session, intro, sub, lang)), actions)


def _note(session: Session, notice: Notice, intro: Introduction, target: Target, *keys: str,
          **values: str) -> Delivery:
    """A note for the secretariat: the record and the requester's place, never a contact or a chat id."""
    place = requester_place(session, intro)
    requester = (messages.say(NOTE_LANGUAGE, "note_requester_from", place=place) if place
                 else messages.say(NOTE_LANGUAGE, "note_requester_unknown"))
    common = {"id": str(intro.id), "requester": requester, "target": f"{target.name}（{target.ext_id}）",
              "kind": messages.label("kind", intro.target_kind, NOTE_LANGUAGE), **values}
    text = "".join(messages.say(NOTE_LANGUAGE, key, **common) for key in keys)
    return Delivery(notice, (Secretariat(),), (Text(text),), NOTE_LANGUAGE, "secretariat")


def _platform(user: ChatUser, lang: str) -> str:
    return messages.label("platform", user.platform, lang)


# ---------------------------------------------------------------- the composers


def requested(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, sub = _load(session, notice.subject_id)
    asked = parse_contact(target.contact)
    lang = _language_of(session, asked)
    replies: tuple[Reply, ...] = (
        Text(messages.say(lang, "intro_ask_target", name=target.name, place=_place(session, intro, lang))),
        _request_card(session, intro, sub, lang),
    )
    reached: tuple[Delivery, ...] = ()
    if isinstance(asked, ChatUser):
        requester_lang = _requester_language(intro)
        told = Delivery(notice, (requester_of(intro),), (Text(messages.say(
            requester_lang, "intro_unreachable", platform=_platform(asked, requester_lang))),), requester_lang,
            "requester")
        reached = (_note(session, notice, intro, target, "note_requested", "note_reached",
                         platform=_platform(asked, NOTE_LANGUAGE)),)
        unreached: tuple[Delivery, ...] = (
            told, _note(session, notice, intro, target, "note_requested", "note_not_reached"))
    else:
        unreached = (_note(session, notice, intro, target, "note_requested", "note_by_mail"),)
    return [Delivery(notice, (asked,), replies, lang, "target", reached, unreached)]


def accepted(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, sub = _load(session, notice.subject_id)
    if intro.state not in ("accepted", "completed"):
        raise ConflictError(f"Introduction {intro.id} is {intro.state}; contacts are shared only once it is accepted.")
    lang = _requester_language(intro)
    requester, asked = requester_of(intro), parse_contact(target.contact)
    recipients: tuple[Recipient, ...] = (requester,) + ((asked,) if asked != requester else ())
    affiliation = getattr(target, "affiliation", None) or getattr(target, "municipality", None) or ""
    rows = _issue_rows(session, intro, sub, lang) + [
        (messages.say(lang, "intro_requester"), _place(session, intro, lang)),
        (messages.say(lang, "intro_requester_contact"),
         messages.say(lang, "contact_on", platform=_platform(requester, lang), user=requester.user_id)),
        (messages.say(lang, "intro_target"), target.name + (f"（{affiliation}）" if affiliation else "")),
        (messages.say(lang, "intro_target_contact"), target.contact or "—"),
    ]
    replies: tuple[Reply, ...] = (
        Text(messages.say(lang, "intro_accepted_news", target=target.name)),
        Card(messages.say(lang, "intro_card_title"), tuple(rows)),
    )
    reached = (_note(session, notice, intro, target, "note_accepted"),)
    unreached = (_note(session, notice, intro, target, "note_accepted_by_mail"),)
    return [Delivery(notice, recipients, replies, lang, "participants", reached, unreached)]


def _news_with_next(
    session: Session, intro: Introduction, sub: SubIssue | None, news: str, lang: str,
) -> tuple[Reply, ...]:
    candidate = _next_candidate(session, intro, sub)
    if candidate is None or sub is None:
        return Text(news), Text(messages.say(lang, "intro_no_next"))
    item = recommend.result_item(lang, sub.id, intro.target_kind, candidate)
    return Text(news), ResultList(messages.say(lang, "intro_next_candidate"), (item,))


def declined(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, sub = _load(session, notice.subject_id)
    lang = _requester_language(intro)
    news = messages.say(lang, "intro_declined_news", target=target.name)
    told = _news_with_next(session, intro, sub, news, lang)
    return [Delivery(notice, (requester_of(intro),), told, lang, "requester"),
            _note(session, notice, intro, target, "note_declined")]


def expired(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, sub = _load(session, notice.subject_id)
    lang = _requester_language(intro)
    waited = days_since(intro.requested_at, intro.expired_at)
    news = messages.say(lang, "intro_expired_news", target=target.name, days=waited)
    told = _news_with_next(session, intro, sub, news, lang)
    return [Delivery(notice, (requester_of(intro),), told, lang, "requester"),
            _note(session, notice, intro, target, "note_expired")]


def reminder(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, sub = _load(session, notice.subject_id)
    if target.forgotten:
        return []
    asked = parse_contact(target.contact)
    lang = _language_of(session, asked)
    text = messages.say(lang, "intro_reminder", place=_place(session, intro, lang), id=intro.id,
                        days=days_since(intro.requested_at))
    return [Delivery(notice, (asked,), (Text(text), _request_card(session, intro, sub, lang)), lang, "target")]


def followup(session: Session, notice: Notice) -> list[Delivery]:
    intro, target, _sub = _load(session, notice.subject_id)
    days = days_since(intro.accepted_at or intro.requested_at)
    out = []
    for side in SIDES:
        asked: Recipient = requester_of(intro) if side == "requester" else (
            Outbox(None) if target.forgotten else parse_contact(target.contact))
        lang = _requester_language(intro) if side == "requester" else _language_of(session, asked)
        who = (messages.say(lang, "followup_who_target") if side == "requester"
               else messages.say(lang, "followup_who_requester", place=_place(session, intro, lang)))
        ratings = tuple(Choice(str(n), choices.followup_answer(intro.id, side, n))
                        for n in range(RATING_MAX, RATING_MIN - 1, -1))
        replies: tuple[Reply, ...] = (
            Text(messages.say(lang, "followup_ask", id=intro.id, days=days, who=who)),
            Question(messages.say(lang, "followup_scale"), ratings, messages.say(lang, "followup_hint")),
        )
        out.append(Delivery(notice, (asked,), replies, lang, side))
    return out


def _next_candidate(session: Session, intro: Introduction, sub: SubIssue | None) -> dict[str, Any] | None:
    """The best recommendation of the same kind for that sub-issue the requester has not asked yet."""
    if sub is None:
        return None
    asked = set(session.scalars(select(Introduction.target_id).where(
        Introduction.requester_platform == intro.requester_platform,
        Introduction.requester_id == intro.requester_id,
        Introduction.target_kind == intro.target_kind,
    )))
    for rec in (sub.recommendations or {}).get(intro.target_kind, []):
        db_id = int(rec["db_id"])
        if db_id not in asked and is_available(person(session, intro.target_kind, db_id)):
            return dict(rec)
    return None


def brokered(session: Session, notice: Notice) -> list[Delivery]:
    """A request about a case or a body with nobody to ask yet: only the secretariat is told, to find someone."""
    intro = session.get(Introduction, notice.subject_id)
    if intro is None:
        raise NotFound(f"Introduction {notice.subject_id} does not exist. "
                       "`gunmane intros list` shows the existing ones.")
    place = requester_place(session, intro)
    requester = (messages.say(NOTE_LANGUAGE, "note_requester_from", place=place) if place
                 else messages.say(NOTE_LANGUAGE, "note_requester_unknown"))
    text = messages.say(NOTE_LANGUAGE, "note_brokered", id=str(intro.id), requester=requester,
                        target=target_label(session, intro))
    return [Delivery(notice, (Secretariat(),), (Text(text),), NOTE_LANGUAGE, "secretariat")]


COMPOSERS: dict[str, Composer] = {
    "intro_requested": requested,
    "intro_accepted": accepted,
    "intro_declined": declined,
    "intro_expired": expired,
    "intro_reminder": reminder,
    "intro_followup": followup,
    "intro_brokered": brokered,
}
