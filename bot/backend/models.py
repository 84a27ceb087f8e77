"""The case backend's tables as SQLAlchemy 2.0 typed models. Change them only with a migration."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite keeps no offset, so we restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Enums are stored as short strings with a CHECK constraint (no native type to migrate)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class BookingStatus(str, enum.Enum):
    CONFIRMED = "bevestigd"
    CANCELLED = "geannuleerd"


class CaseStatus(str, enum.Enum):
    """Status of a handover or a callback request, as staff see it."""

    OPEN = "open"
    IN_PROGRESS = "in_behandeling"
    DONE = "afgerond"

    @property
    def label(self) -> str:
        return {"open": "open", "in_behandeling": "in behandeling", "afgerond": "afgerond"}[self.value]


class PartOfDay(str, enum.Enum):
    MORNING = "ochtend"
    AFTERNOON = "middag"
    EVENING = "avond"


class UrgentReason(str, enum.Enum):
    """A threatening situation in the sense of the Wgs (help within 3 working days)."""

    EVICTION = "ontruiming"
    CUT_OFF = "afsluiting"
    HEALTH_INSURANCE = "zorgverzekering"


class StaffRole(str, enum.Enum):
    STAFF = "medewerker"
    ADMIN = "beheerder"
    #: A content editor: reads the review page (feedback on answers, messages the bot missed), no cases.
    EDITOR = "redacteur"


class Municipality(Base):
    """A gemeente the installation serves; identified everywhere by its `slug` (e.g. `voorbeeldstad`).

    Locations, handovers, callback requests, conversations and staff belong to one or more; bookings
    belong to their slot's location's municipality.
    """

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The team's office hours in this municipality, written as `OFFICE_HOURS` (``ma-vr 09:00-17:00``);
    #: None: the `OFFICE_HOURS` setting (services/municipalities.py `set_office_hours`).
    office_hours: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaceKind(str, enum.Enum):
    POSTCODE = "postcode"
    PLACE = "place"


class MunicipalityPlace(Base):
    """A postcode (its 4 digits) or a place name of a municipality, for `GET /api/municipalities/lookup`.

    `key` is the normalised form looked up (services/municipalities.py); `value` as the CSV gave it.
    """

    __tablename__ = "municipality_places"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_municipality_places_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PlaceKind] = mapped_column(_enum(PlaceKind, "place_kind"))
    value: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))

    municipality: Mapped[Municipality] = relationship()


class StaffMunicipality(Base):
    """Which municipalities a staff member works for: a medewerker one, a regional beheerder several."""

    __tablename__ = "staff_municipalities"

    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(200))
    wijk: Mapped[str] = mapped_column(String(80), index=True)
    directions: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    schedules: Mapped[list[Schedule]] = relationship(back_populates="location")


class Schedule(Base):
    """A recurring spreekuur, e.g. "Inloopspreekuur Geldzaken", Friday 9:00-10:30 at one location.

    Without `slot_minutes` the whole block is one slot with `capacity` places (walk-in); with it the block is
    cut into appointments of that length, each with `capacity` places.
    """

    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("start_time < end_time", name="start_before_end"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("slot_minutes IS NULL OR slot_minutes > 0", name="slot_minutes_positive"),
        CheckConstraint("valid_until IS NULL OR valid_from <= valid_until", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    topic: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(120))
    weekday: Mapped[int]  # Monday = 0 ... Sunday = 6
    start_time: Mapped[time]
    end_time: Mapped[time]
    slot_minutes: Mapped[int | None]
    capacity: Mapped[int]
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    location: Mapped[Location] = relationship(back_populates="schedules")

    def is_valid_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class Slot(Base):
    """One bookable time on one day, made from a schedule; `booked` never exceeds `capacity`."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("schedule_id", "date", "start_time", name="uq_slots_schedule_date_start"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"), index=True)
    date: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time]
    end_time: Mapped[time]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)

    schedule: Mapped[Schedule] = relationship()

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Closure(Base):
    """A day or period a location (or, with no location, every location) is closed, e.g. a holiday."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("date_from <= date_to", name="date_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    date_from: Mapped[date] = mapped_column(index=True)
    date_to: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")

    location: Mapped[Location | None] = relationship()


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="has_contact"),
        Index("ix_bookings_slot_status", "slot_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"))
    topic: Mapped[str] = mapped_column(String(30))
    first_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    question: Mapped[str | None] = mapped_column(String(500))
    #: The conversation that made it (shown on its handover's page); None: made elsewhere.
    conversation_id: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[BookingStatus] = mapped_column(
        _enum(BookingStatus, "booking_status"), default=BookingStatus.CONFIRMED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cancelled_at: Mapped[datetime | None]
    #: When staff marked the appointment as done (the resident came, or it was dealt with); None = not yet.
    done_at: Mapped[datetime | None]
    #: When the resident answered the reminder with "Ik kom" (issue 24); None = not (yet).
    attendance_confirmed_at: Mapped[datetime | None]

    slot: Mapped[Slot] = relationship()


class CallbackRequest(Base):
    __tablename__ = "callback_requests"
    __table_args__ = (
        # The callback queue: the requests still to make, by due date (most requests are done).
        Index(
            "ix_callback_requests_queue",
            "due_date",
            "urgent",
            "id",
            postgresql_where=text("status <> 'afgerond'"),
            sqlite_where=text("status <> 'afgerond'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(30))
    first_name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    preferred_part_of_day: Mapped[PartOfDay | None] = mapped_column(_enum(PartOfDay, "part_of_day"))
    question: Mapped[str | None] = mapped_column(String(500))
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_reason: Mapped[UrgentReason | None] = mapped_column(_enum(UrgentReason, "urgent_reason"))
    threat_date: Mapped[date | None]
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "callback_status"), default=CaseStatus.OPEN)
    #: The conversation that made it (shown on its handover's page); None: made elsewhere.
    conversation_id: Mapped[str | None] = mapped_column(String(200), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    municipality: Mapped[Municipality] = relationship()


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"), default=StaffRole.STAFF)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    #: The municipalities whose cases this person sees and acts on (services/staff_scope.py).
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary="staff_municipalities", order_by="Municipality.name"
    )


class Handover(Base):
    """A conversation the bot hands to a person."""

    __tablename__ = "handovers"
    __table_args__ = (
        # The inbox's afgerond part: most recently closed first (services/inbox.py).
        Index("ix_handovers_status_closed_at", "status", text("closed_at DESC"), "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(30), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text, default="")
    contact_request: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[CaseStatus] = mapped_column(
        _enum(CaseStatus, "handover_status"), default=CaseStatus.OPEN, index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]

    assignee: Mapped[StaffUser | None] = relationship()
    municipality: Mapped[Municipality] = relationship()
    notes: Mapped[list[HandoverNote]] = relationship(
        back_populates="handover", order_by="HandoverNote.id", cascade="all, delete-orphan"
    )


class HandoverNote(Base):
    """An internal note by staff (or the integration) on a handover; never shown to the resident."""

    __tablename__ = "handover_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    handover: Mapped[Handover] = relationship(back_populates="notes")


class AuditEntry(Base):
    """Who did what, when; written by the services in the same transaction as the change.

    On PostgreSQL `actor` and `entity_id` also have trigram indexes for the log's search (migration 0007),
    as have the searched columns of handovers and bookings.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_at", "entity", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Conversation(Base):
    """One resident conversation as the bot reports it (`PUT /api/conversations/{id}`), for the dashboard."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    #: The last topic the bot reported (a later report without a topic keeps it).
    topic: Mapped[str | None] = mapped_column(String(30))
    #: True once a handover exists for this conversation (set when the bot reports it afterwards).
    handed_over: Mapped[bool] = mapped_column(default=False)
    #: True once the bot reported that it did not understand a message (`action_handle_nlu_fallback`);
    #: the dashboard counts such a conversation without a topic as "niet begrepen".
    misunderstood: Mapped[bool] = mapped_column(default=False)
    #: The resident's municipality as the bot last reported it (the default until it knows).
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship()


class DashboardDay(Base):
    """The dashboard's figures of one closed local day, kept so that a period's cost does not grow with
    the rows of its past days (services/dashboard_days.py: when a row is made, and when it goes again).
    """

    __tablename__ = "dashboard_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    #: The time zone the day was cut in (rows of another zone are made again) and its bounds in UTC.
    timezone: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: The conversations the bot reported first that day: [topic, with_person, misunderstood, count].
    conversations: Mapped[list[list[Any]]] = mapped_column(JSON)
    #: Conversations with a handover that day that the bot had not reported that day or later (the only
    #: ones that can count on that day through a handover); their ids, read again for every period.
    handover_only: Mapped[list[str]] = mapped_column(JSON)
    bookings: Mapped[int]
    callbacks: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DashboardChange(Base):
    """A change to the dashboard's figures of a day that may be summarised already: a handover or a
    report for a conversation first reported that day, or (`at` None) to any day, e.g. by retention.
    The dashboard drops the day's summary before it reads it again (services/dashboard_days.py)."""

    __tablename__ = "dashboard_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A moment of the changed day (the conversation's `first_seen_at`); None: every day.
    at: Mapped[datetime | None]


class StaffLoginFailure(Base):
    """Failed logins per typed username (also unknown ones), for the lock-out after repeated failures."""

    __tablename__ = "staff_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class StaffSessionRecord(Base):
    """A logged-in staff session. The cookie carries a random token; only its SHA-256 is stored here.

    Ended by logout, a password reset or switching the account off (`revoked_at`), or by `expires_at`.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]


class StaffLoginThrottle(Base):
    """Failed staff logins per client address (IPv6: per /64) in a window, for the per-client throttle."""

    __tablename__ = "staff_login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64), unique=True)
    window_start: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)


class BookingLookup(Base):
    """One attempt to open a booking by its code and a second factor (services/booking_lookup.py).

    Failed attempts count towards the limits per client (a conversation) and per code; a successful one
    holds the hash of the short-lived ticket that cancelling or moving the booking needs. `client` is a
    hash, never the conversation id itself; `booking_id` is no foreign key, so retention can delete the
    booking first.
    """

    __tablename__ = "booking_lookups"
    __table_args__ = (
        Index("ix_booking_lookups_client_at", "client", "created_at"),
        Index("ix_booking_lookups_code_at", "code", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(12))
    booking_id: Mapped[int | None]
    succeeded: Mapped[bool] = mapped_column(default=False)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None]


class AnswerFeedback(Base):
    """An answer (or the end of a stappenplan) the bot showed a resident, and whether it helped (issue 23).

    The action server reports each shown answer (`helped` None); the resident's "Ja" or "Nee" fills
    `helped` of the latest row of that answer in that conversation, "Wat miste je?" its `remark` (masked,
    at most REMARK_MAX characters). The conversation is kept as a hash only, to find that row.
    """

    __tablename__ = "answer_feedback"
    __table_args__ = (
        Index("ix_answer_feedback_conversation_answer", "conversation_key", "answer_id"),
        Index("ix_answer_feedback_answer_municipality", "answer_id", "municipality_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The answer's intent (content/answers) or `plan:<id>` for a stappenplan.
    answer_id: Mapped[str] = mapped_column(String(100))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The content version the action server showed (a hash of content/).
    content_version: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(30))
    #: SHA-256 of the conversation id (never the id itself).
    conversation_key: Mapped[str] = mapped_column(String(64))
    helped: Mapped[bool | None]
    remark: Mapped[str | None] = mapped_column(String(300))
    shown_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]

    municipality: Mapped[Municipality] = relationship()


class MissedKind(str, enum.Enum):
    """How the bot met a message it did not understand well enough."""

    FALLBACK = "fallback"  # asked to rephrase
    CLARIFY = "verduidelijking"  # asked which of a few questions was meant


class MissedMessage(Base):
    """A resident's message that ended in a fallback or a clarifying question, masked, for the review page."""

    __tablename__ = "missed_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    kind: Mapped[MissedKind] = mapped_column(_enum(MissedKind, "missed_kind"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    #: The model's best guesses (intent names), best first.
    guesses: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: True once an editor added it as an example (it leaves the list).
    reviewed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    municipality: Mapped[Municipality] = relationship()


class ReviewedExample(Base):
    """A resident's message an editor added as an NLU example of an intent: the queue that
    `review-export` writes as Rasa NLU YAML for the team to merge into data/nlu/."""

    __tablename__ = "reviewed_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    intent: Mapped[str] = mapped_column(String(100), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The missed message it came from (no foreign key: retention may delete the message first).
    missed_message_id: Mapped[int | None]
    added_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Keeping in touch (issue 24): later messages, the follow-up consent, one resident across channels ---


class MessageKind(str, enum.Enum):
    """What a scheduled message is."""

    REMINDER = "herinnering"  # the day before a spreekuur booking
    CHECKIN = "checkin"  # "Hoe gaat het nu?" some working days after help started (with consent)


class MessageStatus(str, enum.Enum):
    PENDING = "gepland"  # waiting for due_at
    CLAIMED = "bezig"  # a worker claimed it (claim once: a conditional UPDATE); being sent
    SENT = "verstuurd"
    CANCELLED = "geannuleerd"  # the booking was cancelled, the resident said "stop berichten", ...
    FAILED = "mislukt"  # the channel could not deliver it after the retries


class CheckinOutcome(str, enum.Enum):
    GOOD = "goed"  # "Goed, dank je"
    STUCK = "lukt_niet"  # "Het lukt niet"
    PERSON = "iemand_spreken"  # "Ik wil iemand spreken"


class FollowUpSource(str, enum.Enum):
    """What the resident agreed to be asked about later."""

    PLAN = "stappenplan"
    HANDOVER = "overdracht"
    CALLBACK = "terugbelverzoek"


class ScheduledMessage(Base):
    """A message the worker sends later: a booking reminder (Telegram, or e-mail to the booking's address)
    or a follow-up check-in. The row is the truth; the job queue only carries the work of sending it, and a
    worker claims a row with a conditional UPDATE, so with several workers each message goes out once."""

    __tablename__ = "scheduled_messages"
    __table_args__ = (Index("ix_scheduled_messages_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "message_kind"))
    #: Where it goes: `telegram` (the conversation id is the chat), `email` (the booking's address), ...
    channel: Mapped[str] = mapped_column(String(30))
    conversation_id: Mapped[str | None] = mapped_column(String(200), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    #: For a check-in: what the resident agreed to (a plan, a closed handover, a done callback).
    source: Mapped[FollowUpSource | None] = mapped_column(_enum(FollowUpSource, "follow_up_source"))
    #: The handover's or callback's id, for the staff page (no foreign key: retention may delete it first).
    source_id: Mapped[int | None]
    topic: Mapped[str | None] = mapped_column(String(30))
    #: The stappenplan's id (content/plans), whose check-in question is asked.
    plan_id: Mapped[str | None] = mapped_column(String(60))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    due_at: Mapped[datetime]
    status: Mapped[MessageStatus] = mapped_column(
        _enum(MessageStatus, "message_status"), default=MessageStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: A check-in's answer, and when it came.
    outcome: Mapped[CheckinOutcome | None] = mapped_column(_enum(CheckinOutcome, "checkin_outcome"))
    outcome_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    booking: Mapped[Booking | None] = relationship()


class MessageOptOut(Base):
    """A conversation whose resident said "stop berichten": no reminders or check-ins are planned or sent."""

    __tablename__ = "message_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LinkCode(Base):
    """A one-time code that carries a conversation to another channel ("Verder op Telegram"): valid 15
    minutes, one use. Only its SHA-256 is stored."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationLink(Base):
    """One resident across channels: every conversation with the same `resident_key` is the same person
    (the web chat and the Telegram chat a link code joined)."""

    __tablename__ = "conversation_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    #: Random; the same for all conversations of one resident.
    resident_key: Mapped[str] = mapped_column(String(40), index=True)
    linked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
