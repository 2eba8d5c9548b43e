"""Who is told what after the secretariat decides in the web console: the portal's notices.

- ``supporter_certified`` / ``supporter_rejected`` (subject: the application's number):
  the applicant hears the decision — in chat when their contact names a chat user
  (``slack:U…``, ``teams:…``), else by mail through the secretariat's outbox.
- ``submission_approved`` / ``submission_rejected`` (subject: the training submission's number):
  the organiser hears that the training is published (with its id) or why it is not;
- ``visit_confirmed`` / ``visit_declined`` (subject: the visit request's number): the visitor
  hears the host's decision — once confirmed, with the host's contact (both sides agreed: the
  host published its dates and confirmed this visitor);
- ``host_published`` (subject: the host's number): the host hears its dates are on the portal.
  Each goes to the contact on record: in chat when it names a chat user, else by mail (outbox).
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
from knowledge.web_models import SupporterApplication, TrainingSubmission, VisitHost, VisitRequest

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


def _to(notice: Notice, address: str | None, key: str, role: str, **values: object) -> list[Delivery]:
    """One person (the contact on record: a chat user, else the outbox) hears ``key`` in Japanese."""
    text = messages.say(APPLICANT_LANGUAGE, key, **values)
    return [Delivery(notice, (parse_contact(address or ""),), (Text(text),), APPLICANT_LANGUAGE, role)]


def _submission(session: Session, notice: Notice) -> TrainingSubmission:
    submission = session.get(TrainingSubmission, notice.subject_id)
    if submission is None:
        raise NotFound(f"No training submission {notice.subject_id}.")
    return submission


def submission_approved(session: Session, notice: Notice) -> list[Delivery]:
    submission = _submission(session, notice)
    return _to(notice, submission.submitter_contact, "submission_approved", "organiser",
               name=submission.submitter_name, title=str(submission.data.get("title", "")),
               id=submission.training_ext_id or "")


def submission_rejected(session: Session, notice: Notice) -> list[Delivery]:
    submission = _submission(session, notice)
    return _to(notice, submission.submitter_contact, "submission_rejected", "organiser",
               name=submission.submitter_name, title=str(submission.data.get("title", "")),
               reason=submission.reason or "")


def _visit(session: Session, notice: Notice) -> VisitRequest:
    request = session.get(VisitRequest, notice.subject_id)
    if request is None:
        raise NotFound(f"No visit request {notice.subject_id}.")
    return request


def visit_decided(session: Session, notice: Notice) -> list[Delivery]:
    request = _visit(session, notice)
    host, day = request.visit_date.host, request.visit_date.day.isoformat()
    confirmed = request.state == "confirmed"
    return _to(notice, request.contact, "visit_confirmed" if confirmed else "visit_declined", "visitor",
               name=request.name, body=f"{host.prefecture}{host.municipality}", title=host.title, day=day,
               place=request.visit_date.place, contact_name=host.contact_name or "",
               contact=host.contact if confirmed and not host.forgotten else "")


def host_published(session: Session, notice: Notice) -> list[Delivery]:
    host = session.get(VisitHost, notice.subject_id)
    if host is None:
        raise NotFound(f"No visit host {notice.subject_id}.")
    if not host.contact:
        return []   # erased or never given: nobody to tell
    return _to(notice, host.contact, "host_published", "host", name=host.contact_name or "", title=host.title)


COMPOSERS: dict[str, Composer] = {
    "supporter_certified": supporter_certified,
    "supporter_rejected": supporter_rejected,
    "submission_approved": submission_approved,
    "submission_rejected": submission_rejected,
    "visit_confirmed": visit_decided,
    "visit_declined": visit_decided,
    "host_published": host_published,
}
