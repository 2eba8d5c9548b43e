"""Tables of the web application: accounts and sessions of the secretariat's console,
and what the public portal collects (training submissions, site-visit hosts and their
dates, join requests, supporter applications, engineers' profile links, the mail outbox).

Imported at the bottom of ``knowledge.models``, so these tables are part of the one
``Base.metadata`` that migrations and the schema check see.

Privacy: a visitor's name and contact (``VisitRequest``), an applicant's contact
(``SupporterApplication.data``) and a host's contact are shown only to the secretariat
and, for a visitor, to the host once the host has confirmed the visit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from knowledge.models import Base, Timestamped, utcnow

WEB_ROLES = ("secretariat", "viewer")
SUBMISSION_STATES = ("pending", "approved", "rejected")
APPLICATION_STATES = ("pending", "certified", "rejected")
HOST_STATES = ("pending", "published", "paused", "closed", "rejected")
VISIT_REQUEST_STATES = ("requested", "confirmed", "declined", "cancelled")


# ---------------------------------------------------------------- console accounts


class WebUser(Timestamped, Base):
    """A secretariat console account; the password is an argon2 hash, never the password."""

    __tablename__ = "web_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSession(Base):
    """A logged-in browser. ``token_hash`` is the sha256 of the cookie's random value, so a copy
    of the database cannot be replayed as a login."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WebLoginAttempt(Base):
    """Failed logins, counted per account name and per client address for the rate limit."""

    __tablename__ = "web_login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


# ---------------------------------------------------------------- review queues


class TrainingSubmission(Timestamped, Base):
    """A training or site visit sent in by an organiser; published as a training once approved.

    ``data`` is the record in the contract's shape, validated like an imported row.
    """

    __tablename__ = "training_submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitter_name: Mapped[str | None] = mapped_column(Text)
    submitter_contact: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    training_ext_id: Mapped[str | None] = mapped_column(String(64))


class SupporterApplication(Timestamped, Base):
    """An application to become a 群マネサポーター (advisor); never recommended until certified.

    ``data`` holds the advisor record (contract shape, without ``id`` until certification).
    """

    __tablename__ = "supporter_applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consent_recommend: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    advisor_ext_id: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- 視察の束


class VisitHost(Timestamped, Base):
    """A body that takes site visits (先進自治体): what it shows, and how to reach its contact person."""

    __tablename__ = "visit_hosts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    prefecture: Mapped[str] = mapped_column(String(8))
    municipality: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    processes: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_name: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)
    dates: Mapped[list[VisitDate]] = relationship(
        back_populates="host", cascade="all, delete-orphan", order_by="VisitDate.day"
    )


class VisitDate(Base):
    """One day a host takes visitors: where, how many, and the requests that form its bundle."""

    __tablename__ = "visit_dates"
    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("visit_hosts.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(Text)
    capacity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    host: Mapped[VisitHost] = relationship(back_populates="dates")
    requests: Mapped[list[VisitRequest]] = relationship(
        back_populates="visit_date", cascade="all, delete-orphan", order_by="VisitRequest.id"
    )


class VisitRequest(Timestamped, Base):
    """A visitor's request to join one date of a host."""

    __tablename__ = "visit_requests"
    __table_args__ = (Index("ix_visit_requests_date_state", "date_id", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    date_id: Mapped[int] = mapped_column(ForeignKey("visit_dates.id", ondelete="CASCADE"))
    prefecture: Mapped[str] = mapped_column(String(8))
    municipality: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text)
    participants: Mapped[int] = mapped_column(Integer, default=1)
    message: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    visit_date: Mapped[VisitDate] = relationship(back_populates="requests")


# ---------------------------------------------------------------- engineers' own profiles


class ProfileOwner(Timestamped, Base):
    """Which chat user registered which engineer record through a signed profile link."""

    __tablename__ = "profile_owners"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    engineer_ext_id: Mapped[str] = mapped_column(String(64), unique=True)


# ---------------------------------------------------------------- mail outbox


class OutboxMessage(Base):
    """A message for someone the bot cannot reach in chat; the secretariat sends it and marks it sent."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    address: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(32))
    related: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(128))
