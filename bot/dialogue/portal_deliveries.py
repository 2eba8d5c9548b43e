"""Who is told what after the secretariat decides in the web console: the portal's notices.

- ``supporter_certified`` / ``supporter_rejected`` (subject: the application's number):
  the applicant hears the decision — in chat when their contact names a chat user
  (``slack:U…``, ``teams:…``), else by mail through the secretariat's outbox.
- ``profile_link(…)``: the message that carries an engineer's own profile link when the
  secretariat sends it (the link is made per sending, so it is not read back from the
  database like a notice's subject).

No secretariat note follows: the secretariat made the decision in the console itself.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.dialogue import messages
from bot.dialogue.replies import ChatUser, Composer, Delivery, Notice, Outbox, Text
from bot.secretariat.contacts import parse_contact
from knowledge.errors import NotFound
from knowledge.web_models import SupporterApplication

APPLICANT_LANGUAGE = "ja"   # the application form is Japanese; the applicant answered it in Japanese


def _application(session: Session, notice: Notice) -> SupporterApplication:
    application = session.get(SupporterApplication, notice.subject_id)
    if application is None:
        raise NotFound(f"No supporter application {notice.subject_id}.")
    return application


def supporter_certified(session: Session, notice: Notice) -> list[Delivery]:
    application = _application(session, notice)
    data = application.data or {}
    text = messages.say(APPLICANT_LANGUAGE, "supporter_certified", name=str(data.get("name") or ""),
                        id=application.advisor_ext_id or "")
    return [Delivery(notice, (parse_contact(str(data.get("contact") or "")),), (Text(text),), APPLICANT_LANGUAGE,
                     "applicant")]


def supporter_rejected(session: Session, notice: Notice) -> list[Delivery]:
    application = _application(session, notice)
    data = application.data or {}
    text = messages.say(APPLICANT_LANGUAGE, "supporter_rejected", name=str(data.get("name") or ""),
                        reason=application.reason or "")
    return [Delivery(notice, (parse_contact(str(data.get("contact") or "")),), (Text(text),), APPLICANT_LANGUAGE,
                     "applicant")]


def profile_link(engineer_id: int, name: str, recipient: ChatUser | Outbox, url: str, days: int,
                 lang: str = "ja") -> Delivery:
    """The secretariat's message with an engineer's profile link (``url`` from ``make_profile_link``)."""
    text = messages.say(lang, "profile_link_from_secretariat", name=name, url=url, days=days)
    return Delivery(Notice("profile_link", engineer_id), (recipient,), (Text(text),), lang, "engineer")


COMPOSERS: dict[str, Composer] = {
    "supporter_certified": supporter_certified,
    "supporter_rejected": supporter_rejected,
}
