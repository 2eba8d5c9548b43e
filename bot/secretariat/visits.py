"""視察の束: hosts publish the days they take site visits; visitors join a day; one bundle per day.

A host body (a 先進自治体) offers a subject, topics and dates (place, capacity). The offer
waits as ``pending`` until the secretariat publishes it; the host manages it through a
secret link (only its sha256 is stored). Visitors ask to join one date; requests to the
same date form that date's bundle, which the host confirms or declines request by request
(one visit per date instead of visits arriving one by one). Capacity counts the
participants of requested and confirmed requests, under a row lock so two visitors cannot
both take the last place.

Privacy: the public pages show a host's subject, dates and free places, never visitors.
The host sees the bodies and numbers of a bundle; a visitor's name and contact only once it
confirmed that visitor, and the confirmed visitor gets the host's contact. Who is told is the
caller's to deliver through the relay (notices ``host_published``, ``visit_confirmed`` /
``visit_declined``, composed in bot.dialogue.portal_deliveries; chat, else the mail outbox).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.secretariat import outbox
from bot.secretariat.validation import describe_problems
from knowledge import audit
from knowledge.errors import ConflictError, NotFound, ValidationFailed
from knowledge.models import utcnow
from knowledge.municipalities import MunicipalityDirectory
from knowledge.records import Fields, LongText, OptContact, OptShortText, Place, Prefecture, Processes, ShortText
from knowledge.web_models import HOST_STATES, VisitDate, VisitHost, VisitRequest

OPEN_REQUESTS = ("requested", "confirmed")
MAX_DATES = 30
TopicList = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)]


class HostOffer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefecture: Prefecture
    municipality: Place
    department: OptShortText = None
    title: ShortText
    description: LongText
    topics: TopicList = Field(default_factory=list)
    fields: Fields = Field(default_factory=list)
    processes: Processes = Field(default_factory=list)
    contact_name: ShortText
    contact: Annotated[str, Field(min_length=3, max_length=256)]


class DateOffer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date
    place: ShortText
    capacity: int = Field(ge=1, le=500)
    note: OptShortText = None

    @field_validator("day")
    @classmethod
    def _not_past(cls, value: date) -> date:
        if value < utcnow().date():
            raise ValueError(f"{value.isoformat()} is in the past; offer a future date")
        return value


class JoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefecture: Prefecture
    municipality: Place
    department: OptShortText = None
    name: ShortText
    contact: Annotated[str, Field(min_length=3, max_length=256)]
    participants: int = Field(ge=1, le=50)
    message: OptContact = None   # a short note, 256 characters at most


@dataclass(frozen=True)
class Bundle:
    """One date of a host with every request to join it."""

    visit_date: VisitDate
    host: VisitHost
    requests: list[VisitRequest]

    @property
    def taken(self) -> int:
        return sum(r.participants for r in self.requests if r.state in OPEN_REQUESTS)

    @property
    def free(self) -> int:
        return max(self.visit_date.capacity - self.taken, 0)

    @property
    def bodies(self) -> int:
        return len({(r.prefecture, r.municipality) for r in self.requests if r.state in OPEN_REQUESTS})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _validate(model: type[BaseModel], data: dict[str, Any], prefix: str = "") -> Any:
    clean = {k: v for k, v in data.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
    try:
        return model.model_validate(clean)
    except ValidationError as exc:
        raise ValidationFailed([prefix + p for p in describe_problems(exc)]) from None


def _check_place(directory: MunicipalityDirectory, prefecture: str, municipality: str) -> list[str]:
    if directory.get(prefecture, municipality) is not None:
        return []
    near = directory.closest_names(municipality, prefecture)
    return [f"municipality: no municipality {municipality!r} in {prefecture}; closest names: {', '.join(near) or '—'}"]


def _place_problems(directory: MunicipalityDirectory, data: dict[str, Any], found: list[str]) -> list[str]:
    """The municipality checked against its prefecture, unless either already has a problem of its own."""
    prefecture, municipality = str(data.get("prefecture") or "").strip(), str(data.get("municipality") or "").strip()
    if not prefecture or not municipality or any(p.startswith(("prefecture:", "municipality:")) for p in found):
        return []
    return _check_place(directory, prefecture, municipality)


def offer(session: Session, data: dict[str, Any], dates: list[dict[str, Any]], *,
          directory: MunicipalityDirectory, actor: str) -> tuple[VisitHost, str]:
    """Record a host's offer (pending); returns the host and its secret management token."""
    problems: list[str] = []
    host_offer: HostOffer | None = None
    try:
        host_offer = _validate(HostOffer, data)
    except ValidationFailed as exc:
        problems += exc.problems
    problems += _place_problems(directory, data, problems)
    offered: list[DateOffer] = []
    if not dates:
        problems.append("dates: offer at least one date")
    if len(dates) > MAX_DATES:
        problems.append(f"dates: {len(dates)} dates; the limit is {MAX_DATES}")
    for number, item in enumerate(dates[:MAX_DATES], start=1):
        try:
            offered.append(_validate(DateOffer, item, prefix=f"date {number}: "))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems or host_offer is None:
        raise ValidationFailed(problems)
    token = secrets.token_urlsafe(32)
    host = VisitHost(ext_id=f"host-{secrets.token_hex(4)}", status="pending", manage_token_hash=_token_hash(token),
                     forgotten=False, **host_offer.model_dump())
    host.dates = [VisitDate(**d.model_dump()) for d in offered]
    session.add(host)
    session.flush()
    audit.record(session, actor=actor, action="offer", kind="visit_host", record_id=host.ext_id,
                 after={"title": host.title, "prefecture": host.prefecture, "dates": len(offered)})
    return host, token


def host_by_token(session: Session, token: str) -> VisitHost:
    host = session.scalar(select(VisitHost).where(VisitHost.manage_token_hash == _token_hash(token[:128])))
    if host is None or host.forgotten:
        raise NotFound("This management link is not valid. Ask the secretariat for a new one.")
    return host


def get_host(session: Session, ext_id: str) -> VisitHost:
    host = session.scalar(select(VisitHost).where(VisitHost.ext_id == ext_id))
    if host is None:
        raise NotFound(f"No site-visit host {ext_id!r}.")
    return host


def list_hosts(session: Session, *, status: str | None = None, prefecture: str | None = None) -> list[VisitHost]:
    query = select(VisitHost).order_by(VisitHost.id)
    if status:
        if status not in HOST_STATES:
            raise ValidationFailed([f"status: {status!r} is not allowed; use one of {', '.join(HOST_STATES)}"])
        query = query.where(VisitHost.status == status)
    if prefecture:
        query = query.where(VisitHost.prefecture == prefecture)
    return list(session.scalars(query))


def published_hosts(session: Session, *, today: date | None = None) -> list[VisitHost]:
    """Published hosts with at least one date today or later, soonest first."""
    today = today or utcnow().date()
    hosts = [h for h in list_hosts(session, status="published") if any(d.day >= today for d in h.dates)]
    return sorted(hosts, key=lambda h: min(d.day for d in h.dates if d.day >= today))


def set_status(session: Session, ext_id: str, status: str, *, actor: str) -> tuple[VisitHost, bool]:
    """publish / pause / close / reject an offer (the secretariat); returns whether it changed."""
    if status not in HOST_STATES or status == "pending":
        raise ValidationFailed([f"status: {status!r} is not allowed; use published, paused, closed or rejected"])
    host = get_host(session, ext_id)
    if host.forgotten and status == "published":
        raise ConflictError(f"The contact of host {ext_id} was erased; it cannot be published again.")
    if host.status == status:
        return host, False
    before, host.status = host.status, status
    session.flush()
    audit.record(session, actor=actor, action="status", kind="visit_host", record_id=ext_id,
                 before={"status": before}, after={"status": status})
    return host, True


def add_date(session: Session, host: VisitHost, data: dict[str, Any], *, actor: str) -> VisitDate:
    if len(host.dates) >= MAX_DATES:
        raise ConflictError(f"This offer already has {MAX_DATES} dates, the limit.")
    offered: DateOffer = _validate(DateOffer, data)
    visit_date = VisitDate(host_id=host.id, **offered.model_dump())
    host.dates.append(visit_date)
    session.flush()
    audit.record(session, actor=actor, action="add_date", kind="visit_host", record_id=host.ext_id,
                 after={"day": offered.day.isoformat(), "capacity": offered.capacity})
    return visit_date


def _locked_date(session: Session, date_id: int) -> VisitDate | None:
    """The date row held until commit, so capacity checks run one at a time (cf. introductions)."""
    query = select(VisitDate).where(VisitDate.id == date_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(VisitDate).where(VisitDate.id == date_id).values(capacity=VisitDate.capacity)
                        .execution_options(synchronize_session=False))
        return session.scalar(query)
    return session.scalar(query.with_for_update())


def bundle_of(visit_date: VisitDate) -> Bundle:
    return Bundle(visit_date, visit_date.host, list(visit_date.requests))


def join(session: Session, date_id: int, data: dict[str, Any], *, directory: MunicipalityDirectory,
         actor: str) -> VisitRequest:
    """A visitor asks to join a date of a published host; refused when the date is full or past."""
    try:
        joining: JoinRequest = _validate(JoinRequest, data)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.problems + _place_problems(directory, data, exc.problems)) from None
    problems = _check_place(directory, joining.prefecture, joining.municipality)
    if problems:
        raise ValidationFailed(problems)
    visit_date = _locked_date(session, date_id)
    if visit_date is None or visit_date.host.status != "published":
        raise NotFound("This date does not take visitors. The portal's 視察の束 page lists the open dates.")
    if visit_date.day < utcnow().date():
        raise ConflictError("This date has passed; choose another date.")
    free = bundle_of(visit_date).free
    if joining.participants > free:
        raise ConflictError(f"Only {free} place(s) are left on this date; ask for fewer people or choose another date.")
    request = VisitRequest(date_id=visit_date.id, state="requested", **joining.model_dump())
    session.add(request)
    session.flush()
    audit.record(session, actor=actor, action="join", kind="visit_host", record_id=visit_date.host.ext_id,
                 after={"date": visit_date.day.isoformat(), "participants": joining.participants,
                        "request": request.id})
    return request


def decide(session: Session, host: VisitHost, request_id: int, *, confirm: bool, actor: str) -> VisitRequest:
    """The host (or the secretariat) confirms or declines one request of its bundles."""
    request = session.get(VisitRequest, request_id)
    if request is None or request.visit_date.host_id != host.id:
        raise NotFound(f"No request {request_id} for this host.")
    if request.state != "requested":
        raise ConflictError(f"Request {request_id} is already {request.state}.")
    request.state = "confirmed" if confirm else "declined"
    day = request.visit_date.day.isoformat()
    session.flush()
    audit.record(session, actor=actor, action=f"visit_{request.state}", kind="visit_host", record_id=host.ext_id,
                 after={"request": request.id, "date": day})
    return request


def bundles(session: Session, host: VisitHost | None = None, *, upcoming_only: bool = False) -> list[Bundle]:
    """Every date (of one host, or of all) with its requests, by date."""
    query = select(VisitDate).order_by(VisitDate.day, VisitDate.id)
    if host is not None:
        query = query.where(VisitDate.host_id == host.id)
    if upcoming_only:
        query = query.where(VisitDate.day >= utcnow().date())
    return [bundle_of(d) for d in session.scalars(query)]


EDITABLE = ("department", "title", "description", "topics", "fields", "processes", "contact_name", "contact")


def edit_host(session: Session, ext_id: str, changes: dict[str, Any], *, directory: MunicipalityDirectory,
              actor: str) -> tuple[VisitHost, list[str]]:
    """Change what a host offers (validated like the offer); returns the host and the changed fields.

    The audit entry names the changed fields; the contact person's values stay out of it.
    """
    host = get_host(session, ext_id)
    if host.forgotten:
        raise ConflictError(f"The contact of host {ext_id} was erased; make a new offer instead.")
    current = {"prefecture": host.prefecture, "municipality": host.municipality,
               **{name: getattr(host, name) for name in EDITABLE}}
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed([f"{name}: unknown field" for name in unknown])
    offer_data: HostOffer = _validate(HostOffer, {**current, **changes})
    changed = [name for name in EDITABLE if getattr(offer_data, name) != getattr(host, name)]
    for name in changed:
        setattr(host, name, getattr(offer_data, name))
    session.flush()
    if changed:
        audit.record(session, actor=actor, action="edit", kind="visit_host", record_id=ext_id,
                     after={"changed": changed})
    return host, changed


def reissue_token(session: Session, ext_id: str, *, actor: str) -> str:
    """A new management link for a host that lost theirs; the old one stops working."""
    host = get_host(session, ext_id)
    token = secrets.token_urlsafe(32)
    host.manage_token_hash = _token_hash(token)
    session.flush()
    audit.record(session, actor=actor, action="reissue_link", kind="visit_host", record_id=ext_id)
    return token


def forget_host(session: Session, ext_id: str, *, actor: str) -> list[str]:
    """Erase the host's contact person and contact; close the offer. Returns the erased fields."""
    host = get_host(session, ext_id)
    erased = [name for name in ("contact_name", "contact") if getattr(host, name)]
    outbox.scrub(session, [s for s in (host.contact_name, host.contact) if s and len(s.strip()) >= 2])
    host.contact_name, host.contact = None, None
    host.forgotten, host.status = True, "closed"
    session.flush()
    audit.record(session, actor=actor, action="forget", kind="visit_host", record_id=ext_id,
                 after={"forgotten": True, "erased_fields": erased})
    return erased
