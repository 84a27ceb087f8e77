"""Request and response bodies of the REST API (pydantic 2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from bot.backend.api.types import IsoDate
from bot.backend.models import (
    Booking,
    CallbackRequest,
    CaseStatus,
    Handover,
    Location,
    Municipality,
    PartOfDay,
    Slot,
    UrgentReason,
)
from bot.backend.services.abuse_limits import CLIENT_KEY_PATTERN
from bot.backend.services.municipalities import SLUG_PATTERN
from bot.backend.services.reminder_answers import ReminderAnswer
from bot.shared.booking_codes import MAX_RAW_LENGTH
from bot.shared.dutch_calendar import full_date_label
from bot.shared.fields import EMAIL_MAX, FIRST_NAME_MAX, QUESTION_MAX, SUMMARY_MAX
from bot.shared.topics import TOPICS, topic_label

MAX_ID = 2**31 - 1
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
#: The spec lists the rules the services check (bot/backend/services/handovers.py, bot/shared/); the
#: services stay the one place that enforces them, with their Dutch messages.
Topic = Annotated[StrictStr, Field(max_length=30, json_schema_extra={"enum": list(TOPICS)})]
CONVERSATION_ID_PATTERN = r"^[\w.:@+\-]{1,200}$"
CHANNEL_PATTERN = r"^[a-z][a-z0-9_\-]{0,29}$"
ConversationId = Annotated[
    StrictStr, Field(min_length=1, max_length=200, json_schema_extra={"pattern": CONVERSATION_ID_PATTERN})
]
Channel = Annotated[
    StrictStr, Field(min_length=1, max_length=30, json_schema_extra={"pattern": CHANNEL_PATTERN})
]

#: A municipality's slug (`GET /api/municipalities`); left out: the default municipality.
MunicipalitySlug = Annotated[
    StrictStr,
    Field(min_length=1, max_length=40, json_schema_extra={"pattern": SLUG_PATTERN},
          description="The resident's municipality (its slug); left out: the default municipality",
          examples=["voorbeeldstad"]),
]  # fmt: skip


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BookingCreate(Request):
    slot_id: Id
    first_name: Annotated[StrictStr, Field(max_length=FIRST_NAME_MAX)]
    phone: Annotated[StrictStr | None, Field(max_length=30)] = None
    email: Annotated[StrictStr | None, Field(max_length=EMAIL_MAX)] = None
    question: Annotated[StrictStr | None, Field(max_length=QUESTION_MAX)] = None
    conversation_id: ConversationId | None = Field(default=None, description="The conversation that books")
    channel: Channel | None = Field(
        default=None, description="The conversation's channel: the reminder goes there when it can (telegram)"
    )
    municipality: MunicipalitySlug | None = Field(
        default=None, description="Must be the slot's location's municipality when given"
    )


Ticket = Annotated[
    StrictStr,
    Field(min_length=1, max_length=100, description="From `POST /api/bookings/lookup`; valid for 30 minutes"),
]


class BookingLookupRequest(Request):
    code: Annotated[StrictStr, Field(min_length=1, max_length=MAX_RAW_LENGTH, examples=["VD-7K3P-X9QA"])]
    verification: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=EMAIL_MAX,
            description="The last 4 digits of the phone number, or the e-mail address, given at booking",
        ),
    ]
    client: Annotated[
        StrictStr,
        Field(
            min_length=1,
            max_length=200,
            description="Who asks (the conversation id): failed lookups are limited per client",
        ),
    ]


class BookingChange(Request):
    ticket: Ticket


class ReminderAnswerRequest(Request):
    conversation_id: ConversationId = Field(description="The conversation the reminder went to")
    answer: ReminderAnswer = Field(description="The button the resident pressed")


class BookingMove(Request):
    slot_id: Id
    ticket: Ticket


class CallbackCreate(Request):
    topic: Topic
    first_name: Annotated[StrictStr, Field(max_length=FIRST_NAME_MAX)]
    phone: Annotated[StrictStr, Field(max_length=30)]
    preferred_part_of_day: PartOfDay | None = None
    question: Annotated[StrictStr | None, Field(max_length=QUESTION_MAX)] = None
    urgent_reason: UrgentReason | None = None
    threat_date: IsoDate | None = Field(default=None, description="Eviction or cut-off date from the letter")
    conversation_id: ConversationId | None = Field(default=None, description="The conversation that asks")
    municipality: MunicipalitySlug | None = None


class CallbackUpdate(Request):
    status: CaseStatus


#: The hashed client address a resident channel makes (bot/assistant/channels/client_limits.py);
#: never an address.
ClientKey = Annotated[
    StrictStr,
    Field(min_length=16, max_length=64, json_schema_extra={"pattern": CLIENT_KEY_PATTERN},
          description="The channel's keyed hash of the resident's address (abuse limits)"),
]  # fmt: skip


class HandoverCreate(Request):
    conversation_id: ConversationId
    channel: Channel
    reason: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    topic: Topic | None = None
    summary: Annotated[StrictStr | None, Field(max_length=SUMMARY_MAX)] = None
    contact_request: Annotated[StrictStr | None, Field(max_length=500)] = None
    client: ClientKey | None = None
    municipality: MunicipalitySlug | None = None


class HandoverUpdate(Request):
    status: CaseStatus | None = None
    assignee_id: Id | None = None
    unassign: StrictBool = False
    note: Annotated[StrictStr | None, Field(max_length=2000)] = None

    @model_validator(mode="after")
    def _something_to_change(self) -> HandoverUpdate:
        if self.status is None and self.assignee_id is None and not self.unassign and not self.note:
            raise ValueError("Geef een status, een medewerker of een notitie")
        if self.unassign and self.assignee_id is not None:
            raise ValueError("Kies een medewerker of haal de medewerker weg, niet allebei")
        return self


class MunicipalityOut(BaseModel):
    slug: str = Field(examples=["voorbeeldstad"])
    name: str = Field(examples=["Voorbeeldstad"])

    @classmethod
    def of(cls, municipality: Municipality) -> MunicipalityOut:
        return cls(slug=municipality.slug, name=municipality.name)


class LocationOut(BaseModel):
    id: int
    name: str
    address: str
    wijk: str
    directions: str
    municipality: str = Field(description="The municipality's slug", examples=["voorbeeldstad"])

    @classmethod
    def of(cls, location: Location) -> LocationOut:
        return cls(id=location.id, name=location.name, address=location.address, wijk=location.wijk,
                   directions=location.directions, municipality=location.municipality.slug)  # fmt: skip


class SlotOut(BaseModel):
    id: int
    date: date
    start_time: str = Field(examples=["09:00"])
    end_time: str = Field(examples=["10:30"])
    label: str = Field(
        description="Dutch text for the resident", examples=["vrijdag 27 november 2026, 09:00-10:30"]
    )
    topic: str
    topic_label: str
    title: str
    capacity: int
    free: int
    location: LocationOut

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        start, end = slot.start_time.strftime("%H:%M"), slot.end_time.strftime("%H:%M")
        schedule = slot.schedule
        return cls(
            id=slot.id,
            date=slot.date,
            start_time=start,
            end_time=end,
            label=f"{full_date_label(slot.date)}, {start}-{end}",
            topic=schedule.topic,
            topic_label=topic_label(schedule.topic),
            title=schedule.title,
            capacity=slot.capacity,
            free=slot.free,
            location=LocationOut.of(schedule.location),
        )


class BookingOut(BaseModel):
    code: str
    status: str
    topic: str
    first_name: str
    phone: str | None
    email: str | None
    question: str | None
    created_at: datetime
    slot: SlotOut
    municipality: str = Field(description="The slot's location's municipality (slug)")
    calendar_url: str | None = Field(
        default=None, description="The booking's calendar file (.ics), a public signed link"
    )

    @classmethod
    def of(cls, booking: Booking, calendar_url: str | None = None) -> BookingOut:
        return cls(
            code=booking.code,
            status=booking.status.value,
            topic=booking.topic,
            first_name=booking.first_name,
            phone=booking.phone,
            email=booking.email,
            question=booking.question,
            created_at=booking.created_at,
            slot=SlotOut.of(booking.slot),
            municipality=booking.slot.schedule.location.municipality.slug,
            calendar_url=calendar_url,
        )


class BookingLookupOut(BaseModel):
    booking: BookingOut
    ticket: str = Field(description="Needed to cancel or move this booking; valid for 30 minutes")


class ReminderAnswerOut(BaseModel):
    answer: str
    booking: BookingOut
    ticket: str | None = Field(
        default=None, description="Only for `verzetten`: the change ticket for the move (30 minutes)"
    )


class CallbackOut(BaseModel):
    id: int
    topic: str
    first_name: str
    phone: str
    preferred_part_of_day: str | None
    question: str | None
    urgent: bool
    urgent_reason: str | None
    threat_date: date | None
    due_date: date
    due_label: str = Field(description="Dutch text for the resident", examples=["woensdag 25 november 2026"])
    status: str
    status_label: str
    created_at: datetime
    municipality: str = Field(description="The municipality's slug")

    @classmethod
    def of(cls, callback: CallbackRequest) -> CallbackOut:
        return cls(
            id=callback.id,
            topic=callback.topic,
            first_name=callback.first_name,
            phone=callback.phone,
            preferred_part_of_day=callback.preferred_part_of_day.value
            if callback.preferred_part_of_day
            else None,
            question=callback.question,
            urgent=callback.urgent,
            urgent_reason=callback.urgent_reason.value if callback.urgent_reason else None,
            threat_date=callback.threat_date,
            due_date=callback.due_date,
            due_label=full_date_label(callback.due_date),
            status=callback.status.value,
            status_label=callback.status.label,
            created_at=callback.created_at,
            municipality=callback.municipality.slug,
        )


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: datetime


class HandoverOut(BaseModel):
    id: int
    conversation_id: str
    channel: str
    reason: str
    topic: str | None
    summary: str
    contact_request: str | None
    status: str
    status_label: str
    assignee_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    notes: list[NoteOut]
    municipality: str = Field(description="The municipality's slug")

    @classmethod
    def of(cls, handover: Handover) -> HandoverOut:
        return cls(
            id=handover.id,
            conversation_id=handover.conversation_id,
            channel=handover.channel,
            reason=handover.reason,
            topic=handover.topic,
            summary=handover.summary,
            contact_request=handover.contact_request,
            status=handover.status.value,
            status_label=handover.status.label,
            assignee_id=handover.assignee_id,
            created_at=handover.created_at,
            updated_at=handover.updated_at,
            closed_at=handover.closed_at,
            municipality=handover.municipality.slug,
            notes=[
                NoteOut(id=n.id, author=n.author, text=n.text, created_at=n.created_at)
                for n in handover.notes
            ],
        )
