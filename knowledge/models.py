"""SQLAlchemy models: the whole schema of gunmane.

Record kinds of the data-format contract (advisor, case, engineer, training)
carry their external ``ext_id``; the integer ``id`` is internal (FAISS ids map
to it). List-valued fields are JSON arrays. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


# ---------------------------------------------------------------- geography


class ConsultationWindow(Base):
    """自治体メンテ相談窓口: one per MLIT regional bureau."""

    __tablename__ = "consultation_windows"
    id: Mapped[int] = mapped_column(primary_key=True)
    bureau: Mapped[str] = mapped_column(String(64), unique=True)
    department: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(128))
    prefectures: Mapped[list[Prefecture]] = relationship(back_populates="window")


class Prefecture(Base):
    __tablename__ = "prefectures"
    name: Mapped[str] = mapped_column(String(8), primary_key=True)
    code: Mapped[int] = mapped_column(Integer, unique=True)
    capital: Mapped[str] = mapped_column(String(32))
    bureau: Mapped[str] = mapped_column(String(64))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_windows.id"))
    window: Mapped[ConsultationWindow | None] = relationship(back_populates="prefectures")


class Municipality(Base):
    """One of the 1,741 municipalities (市区町村) with coordinates."""

    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("prefecture", "name"), Index("ix_municipalities_name", "name"))
    id: Mapped[int] = mapped_column(primary_key=True)
    prefecture: Mapped[str] = mapped_column(ForeignKey("prefectures.name"))
    name: Mapped[str] = mapped_column(String(32))
    kana: Mapped[str | None] = mapped_column(String(64))
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)


# ---------------------------------------------------------------- records of the contract


class Advisor(Timestamped, Base):
    __tablename__ = "advisors"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(32))
    expertise: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    prefecture: Mapped[str | None] = mapped_column(String(8))
    municipality: Mapped[str | None] = mapped_column(String(32))
    regions: Mapped[list[str]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    contact: Mapped[str | None] = mapped_column(Text)
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)


class Case(Timestamped, Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    prefecture: Mapped[str | None] = mapped_column(String(8))
    municipalities: Mapped[list[str]] = mapped_column(default=list)
    scheme: Mapped[list[str]] = mapped_column(default=list)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    population: Mapped[int | None] = mapped_column(Integer)
    engineers: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    is_reference: Mapped[bool] = mapped_column(Boolean, default=False)


class Engineer(Timestamped, Base):
    __tablename__ = "engineers"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    prefecture: Mapped[str] = mapped_column(String(8))
    municipality: Mapped[str] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(Text)
    years: Mapped[int | None] = mapped_column(Integer)
    expertise: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    discoverable: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    contact: Mapped[str | None] = mapped_column(Text)
    forgotten: Mapped[bool] = mapped_column(Boolean, default=False)


class Training(Timestamped, Base):
    __tablename__ = "trainings"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))
    organizer: Mapped[str | None] = mapped_column(Text)
    prefecture: Mapped[str | None] = mapped_column(String(8))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    url: Mapped[str | None] = mapped_column(Text)


RECORD_MODELS: dict[str, type[Base]] = {
    "advisor": Advisor,
    "case": Case,
    "engineer": Engineer,
    "training": Training,
}


# ---------------------------------------------------------------- conversation and consultations


class UserProfile(Timestamped, Base):
    """What the bot remembers of a chat user: municipality and language."""

    __tablename__ = "user_profiles"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    prefecture: Mapped[str | None] = mapped_column(String(8))
    municipality: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    display_name: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ConversationState(Base):
    """Dialogue state per conversation key, saved after every turn.

    ``version`` increases on every save, so two workers never overwrite each
    other's turn silently (optimistic locking).
    """

    __tablename__ = "conversation_states"
    key: Mapped[str] = mapped_column(String(512), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(256))
    user_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __mapper_args__ = {"version_id_col": version}


class Consultation(Timestamped, Base):
    """One intake: the card (municipality, sub-issues) and what was recommended."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    conversation_key: Mapped[str | None] = mapped_column(String(512))
    prefecture: Mapped[str | None] = mapped_column(String(8), index=True)
    municipality: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    card: Mapped[dict[str, Any]] = mapped_column(default=dict)
    language: Mapped[str] = mapped_column(String(8), default="ja")
    status: Mapped[str] = mapped_column(String(16), default="open")
    sub_issues: Mapped[list[SubIssue]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="SubIssue.position"
    )


class SubIssue(Base):
    __tablename__ = "sub_issues"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    pains: Mapped[list[str]] = mapped_column(default=list)
    wanted: Mapped[list[str]] = mapped_column(default=list)
    recommendations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    best_score: Mapped[float | None] = mapped_column(Float)
    title: Mapped[str | None] = mapped_column(Text)
    schemes: Mapped[list[Any] | None] = mapped_column(JSON)          # [{code, why}] of the card
    # Nothing cleared the relevance floor: a need the secretariat has no answer for yet (counted by the report).
    unmet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consultation: Mapped[Consultation] = relationship(back_populates="sub_issues")


# "brokered": a request about a case or a body with nobody to ask yet; the secretariat finds and assigns a person.
INTRO_STATES = ("requested", "accepted", "declined", "expired", "completed", "brokered")
INTRO_OPEN_STATES = ("requested",)      # waiting for the person asked
INTRO_ACTIVE_STATES = ("accepted",)     # accepted and not completed: counts against an advisor's capacity


class Introduction(Timestamped, Base):
    """A request to introduce a user to an advisor or an engineer, and its outcome."""

    __tablename__ = "introductions"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id", ondelete="SET NULL"))
    sub_issue_id: Mapped[int | None] = mapped_column(ForeignKey("sub_issues.id", ondelete="SET NULL"))
    requester_platform: Mapped[str] = mapped_column(String(16))
    requester_id: Mapped[str] = mapped_column(String(128), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # advisor | engineer | case, body (brokered)
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    message: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acted_by: Mapped[str | None] = mapped_column(String(128))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    followup_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The precedent case the requester asked about (「三条市の事例の担当者と話したい」), whoever the target is.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))


class ProcessedEvent(Base):
    """Platform event ids already handled (Slack retries, Teams redeliveries)."""

    __tablename__ = "processed_events"
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConversationReference(Timestamped, Base):
    """How to reach a chat user proactively (Teams conversation reference, Slack DM channel)."""

    __tablename__ = "conversation_references"
    __table_args__ = (UniqueConstraint("platform", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(255))
    reference: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))  # import, add, edit, status, delete, forget, intro …
    kind: Mapped[str] = mapped_column(String(16), index=True)
    record_id: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class EmbeddingCacheEntry(Base):
    __tablename__ = "embedding_cache"
    model_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Meta(Base):
    """Small key/value facts, e.g. ``version:advisor`` bumped on every change of that kind."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


JOB_OUTCOMES = ("running", "ok", "failed", "abandoned")


class JobRun(Base):
    """One run of a scheduled job (bot/scheduler): who ran it, when, and how it ended.

    ``outcome`` is ``running`` until the run ends; a run whose worker died is
    marked ``abandoned`` by the next worker that takes the job's lock.
    ``message`` is a one-line summary (counts and ids, never a contact).
    """

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_name_started", "name", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    message: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(String(128))


# ---------------------------------------------------------------- 新技術, imported consultations, groups, events
# (migration 0003_groups)


class Technology(Timestamped, Base):
    """新技術 of the data-format contract; ``contact`` is shown only after the vendor accepts."""

    __tablename__ = "technologies"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    catalogue: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)


RECORD_MODELS["technology"] = Technology


class ConsultationImport(Base):
    """What an imported consultation (mail, phone, meeting) carries beyond the chat's columns.

    The consultation itself is an ordinary ``Consultation`` (platform ``import``) with its
    sub-issues, so it counts in groups and in the report like a chat one.
    """

    __tablename__ = "consultation_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str] = mapped_column(String(64), unique=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    received_on: Mapped[date] = mapped_column(Date)
    contact: Mapped[str | None] = mapped_column(Text)   # shown only after an introduction is accepted
    source_text: Mapped[str] = mapped_column(Text)      # the text as imported, to tell a changed row
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupSuggestion(Base):
    """The last computed suggestions (``groups suggest``), so ``groups create --from`` and
    ``groups techs`` can refer to one by its stable id."""

    __tablename__ = "group_suggestions"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)     # the suggest --json object, plus db ids
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


GROUP_MEMBER_STATES = ("not_invited", "invited", "accepted", "declined", "no_answer")


class MunicipalGroup(Timestamped, Base):
    """A group (群) the secretariat formed from a suggestion: bodies sharing a need."""

    __tablename__ = "municipal_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    suggestion_id: Mapped[str | None] = mapped_column(String(16))
    fields: Mapped[list[str]] = mapped_column(default=list)
    processes: Mapped[list[str]] = mapped_column(default=list)
    why: Mapped[str] = mapped_column(Text, default="")
    schemes: Mapped[list[Any]] = mapped_column(default=list)
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id"
    )


class GroupMember(Timestamped, Base):
    """One body in a group, its consultations and the consent state of its engineer."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "prefecture", "municipality"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("municipal_groups.id", ondelete="CASCADE"), index=True)
    prefecture: Mapped[str] = mapped_column(String(8))
    municipality: Mapped[str] = mapped_column(String(32))
    consultation_ids: Mapped[list[Any]] = mapped_column(default=list)   # Consultation.id of this body's needs
    state: Mapped[str] = mapped_column(String(16), default="not_invited", index=True)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The engineers of the body who accepted, by the Consultation.id that names each (0006_groups2): only they
    # are shown to the group and invited to its events; None (rows from before) is nobody.
    accepted_by: Mapped[list[Any] | None] = mapped_column(JSON)
    group: Mapped[MunicipalGroup] = relationship(back_populates="members")


VENDOR_STATES = ("not_invited", "invited", "accepted", "declined")
RSVP_STATES = ("not_invited", "invited", "attending", "not_attending")
ADOPTION_ANSWERS = ("consider", "pass")


class TechEvent(Timestamped, Base):
    """A new-technology matching event (新技術の束) for one group."""

    __tablename__ = "tech_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("municipal_groups.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    online_url: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    technologies: Mapped[list[EventTechnology]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventTechnology.position"
    )
    participants: Mapped[list[EventParticipant]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventParticipant.id"
    )


class EventTechnology(Base):
    """A technology presented at an event, and its vendor's invitation."""

    __tablename__ = "event_technologies"
    __table_args__ = (UniqueConstraint("event_id", "technology_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("tech_events.id", ondelete="CASCADE"), index=True)
    technology_id: Mapped[int] = mapped_column(ForeignKey("technologies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    vendor_state: Mapped[str] = mapped_column(String(16), default="not_invited")
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    event: Mapped[TechEvent] = relationship(back_populates="technologies")


class EventParticipant(Base):
    """A group member's invitation to an event and the RSVP (参加 / 不参加)."""

    __tablename__ = "event_participants"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("tech_events.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("group_members.id", ondelete="CASCADE"))
    rsvp: Mapped[str] = mapped_column(String(16), default="not_invited")
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))         # the day-before reminder
    adoption_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))   # after the event, once
    event: Mapped[TechEvent] = relationship(back_populates="participants")


class AdoptionAnswer(Base):
    """After the event: should the group consider adopting this technology together?"""

    __tablename__ = "adoption_answers"
    __table_args__ = (UniqueConstraint("event_id", "member_id", "technology_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("tech_events.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("group_members.id", ondelete="CASCADE"))
    technology_id: Mapped[int] = mapped_column(ForeignKey("technologies.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(16))   # consider (共同導入を検討したい) | pass (見送る)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
