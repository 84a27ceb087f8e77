"""The `/api` routes: parse, call one service, shape the answer. Rules live in the services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from bot.backend.api.deps import AbuseLimitsDep, Sessions, SettingsDep, require_service_token
from bot.backend.api.openapi import (
    API_ERRORS,
    BODY_ERRORS,
    CONFLICT,
    NOT_FOUND,
    TICKET_REFUSED,
    TOO_MANY_LOOKUPS,
    TOO_MANY_REQUESTS,
)
from bot.backend.api.schemas import (
    MAX_ID,
    BookingChange,
    BookingCreate,
    BookingLookupOut,
    BookingLookupRequest,
    BookingMove,
    BookingOut,
    CallbackCreate,
    CallbackOut,
    CallbackUpdate,
    HandoverCreate,
    HandoverOut,
    HandoverUpdate,
    LocationOut,
    ReminderAnswerOut,
    ReminderAnswerRequest,
    SlotOut,
    Topic,
)
from bot.backend.api.types import IsoDate
from bot.backend.models import CaseStatus
from bot.backend.services import (
    booking_calendar,
    booking_lookup,
    bookings,
    callbacks,
    handovers,
    locations,
    municipalities,
    reminder_answers,
    slots,
)

router = APIRouter(prefix="/api", dependencies=[Depends(require_service_token)], responses=API_ERRORS)

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Code = Annotated[
    str,
    Path(
        min_length=1,
        max_length=20,
        json_schema_extra={"pattern": r"^[A-Za-z0-9 _.\-]{1,20}$"},
        description="Booking code, e.g. VD-7K3P-X9QA or an old VD-7K3P (any case, with other separators)",
    ),
]
Limit = Annotated[int, Query(ge=1, le=200)]
MunicipalityQuery = Annotated[
    str | None,
    Query(max_length=40, json_schema_extra={"pattern": municipalities.SLUG_PATTERN},
          description="Only this municipality's (slug); left out: all"),
]  # fmt: skip


@router.get("/locations", tags=["locations"])
def list_locations(
    sessions: Sessions,
    wijk: Annotated[str | None, Query(max_length=80)] = None,
    municipality: MunicipalityQuery = None,
) -> list[LocationOut]:
    """All locations, optionally of one wijk or one municipality."""
    with sessions.begin() as session:
        municipality_id = (
            municipalities.resolve(session=session, slug=municipality).id
            if municipality is not None
            else None
        )
        found = locations.list_locations(session=session, wijk=wijk, municipality_id=municipality_id)
        return [LocationOut.of(item) for item in found]


@router.get("/locations/{location_id}", tags=["locations"], responses=NOT_FOUND)
def get_location(sessions: Sessions, location_id: PathId) -> LocationOut:
    with sessions.begin() as session:
        return LocationOut.of(locations.get_location(session=session, location_id=location_id))


@router.get("/slots", tags=["slots"])
def list_free_slots(
    sessions: Sessions,
    settings: SettingsDep,
    topic: Annotated[Topic | None, Query()] = None,
    location_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    wijk: Annotated[str | None, Query(max_length=80)] = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    limit: Limit = 50,
    municipality: MunicipalityQuery = None,
) -> list[SlotOut]:
    """Free slots from today (default: the coming four weeks), earliest first; optionally of one
    municipality (slug)."""
    with sessions.begin() as session:
        municipality_id = (
            municipalities.resolve(session=session, slug=municipality).id
            if municipality is not None
            else None
        )
        query = slots.SlotQuery(topic=topic, location_id=location_id, wijk=wijk, date_from=date_from,
                                date_to=date_to, limit=limit, municipality_id=municipality_id)  # fmt: skip
        return [
            SlotOut.of(slot) for slot in slots.list_free_slots(session=session, query=query, tz=settings.tz)
        ]


@router.post(
    "/bookings", status_code=201, tags=["bookings"], responses={**BODY_ERRORS, **NOT_FOUND, **CONFLICT}
)
def create_booking(sessions: Sessions, settings: SettingsDep, body: BookingCreate) -> BookingOut:
    """Book a place; 409 `slot_full` when the slot is full, 409 `closed`/`slot_in_past`/`outside_schedule`."""
    with sessions.begin() as session:
        booking = bookings.book_slot(session=session, tz=settings.tz, settings=settings,
                                     default_municipality=settings.default_municipality,
                                     **body.model_dump())  # fmt: skip
        return BookingOut.of(booking, booking_calendar.calendar_url(settings, booking))


@router.post(
    "/bookings/lookup", tags=["bookings"], responses={**BODY_ERRORS, **NOT_FOUND, **TOO_MANY_LOOKUPS}
)
def lookup_booking(sessions: Sessions, body: BookingLookupRequest) -> BookingLookupOut:
    """Open a booking with its code and the second factor; returns it with a change ticket.

    404 `booking_not_verified` for an unknown code and for a wrong factor alike; 429 `too_many_lookups`
    after too many failures for this client or this code. Failures are recorded and audited.
    """
    with sessions.begin() as session:
        result = booking_lookup.lookup_booking(session=session, **body.model_dump())
        found = None
        if result.booking is not None and result.ticket is not None:
            found = BookingLookupOut(booking=BookingOut.of(result.booking), ticket=result.ticket)
    if found is None:  # the attempt and its audit entry are committed; now refuse
        assert result.refusal is not None
        raise result.refusal
    return found


@router.post(
    "/bookings/{code}/cancel",
    tags=["bookings"],
    responses={**BODY_ERRORS, **TICKET_REFUSED, **NOT_FOUND, **CONFLICT},
)
def cancel_booking(sessions: Sessions, settings: SettingsDep, code: Code, body: BookingChange) -> BookingOut:
    """Cancel; needs the ticket of a lookup of this booking (403 `ticket_refused` without it)."""
    with sessions.begin() as session:
        booking_lookup.check_ticket(session=session, code=code, ticket=body.ticket)
        return BookingOut.of(bookings.cancel_booking(session=session, code=code, tz=settings.tz))


@router.post(
    "/bookings/{code}/move",
    tags=["bookings"],
    responses={**BODY_ERRORS, **TICKET_REFUSED, **NOT_FOUND, **CONFLICT},
)
def move_booking(sessions: Sessions, settings: SettingsDep, code: Code, body: BookingMove) -> BookingOut:
    """Move to another slot of the same topic; needs the ticket of a lookup of this booking."""
    with sessions.begin() as session:
        booking_lookup.check_ticket(session=session, code=code, ticket=body.ticket)
        booking = bookings.move_booking(
            session=session, code=code, slot_id=body.slot_id, tz=settings.tz, settings=settings
        )
        return BookingOut.of(booking, booking_calendar.calendar_url(settings, booking))


@router.get("/bookings/{code}/reminder", tags=["bookings"], responses=NOT_FOUND)
def reminder_booking(
    sessions: Sessions,
    settings: SettingsDep,
    code: Code,
    conversation_id: Annotated[str, Query(min_length=1, max_length=200)],
) -> BookingOut:
    """The booking a reminder is about, for the reminder's text; only for the booking's own (or a linked)
    conversation: any other gets 404 `booking_not_found`, as an unknown code does."""
    with sessions.begin() as session:
        booking = reminder_answers.booking_of_conversation(
            session=session, code=code, conversation_id=conversation_id
        )
        return BookingOut.of(booking, booking_calendar.calendar_url(settings, booking))


@router.post(
    "/bookings/{code}/reminder-answer",
    tags=["bookings"],
    responses={**BODY_ERRORS, **NOT_FOUND, **CONFLICT},
)
def answer_reminder(
    sessions: Sessions, settings: SettingsDep, code: Code, body: ReminderAnswerRequest
) -> ReminderAnswerOut:
    """The resident's button under a reminder: `komt`, `afzeggen` (frees the place, cancels the pending
    reminders) or `verzetten` (answers a change ticket for the move). Only from the booking's own
    conversation or one linked to it: any other gets 404 `booking_not_found`, as an unknown code does.
    """
    with sessions.begin() as session:
        result = reminder_answers.answer_reminder(
            session=session, code=code, conversation_id=body.conversation_id, answer=body.answer,
            tz=settings.tz,
        )  # fmt: skip
        return ReminderAnswerOut(
            answer=result.answer.value,
            booking=BookingOut.of(result.booking, booking_calendar.calendar_url(settings, result.booking)),
            ticket=result.ticket,
        )


@router.post("/callbacks", status_code=201, tags=["callbacks"], responses=BODY_ERRORS)
def create_callback(sessions: Sessions, settings: SettingsDep, body: CallbackCreate) -> CallbackOut:
    """Record a callback request; `urgent_reason` or `threat_date` shortens the due date."""
    with sessions.begin() as session:
        return CallbackOut.of(
            callbacks.create_callback(session=session, settings=settings, **body.model_dump())
        )


@router.get("/callbacks", tags=["callbacks"])
def list_callbacks(
    sessions: Sessions,
    status: CaseStatus | None = None,
    urgent: bool | None = None,
    limit: Limit = 100,
) -> list[CallbackOut]:
    with sessions.begin() as session:
        items = callbacks.list_callbacks(session=session, status=status, urgent=urgent, limit=limit)
        return [CallbackOut.of(item) for item in items]


@router.get("/callbacks/{callback_id}", tags=["callbacks"], responses=NOT_FOUND)
def get_callback(sessions: Sessions, callback_id: PathId) -> CallbackOut:
    with sessions.begin() as session:
        return CallbackOut.of(callbacks.get_callback(session=session, callback_id=callback_id))


@router.patch("/callbacks/{callback_id}", tags=["callbacks"], responses={**BODY_ERRORS, **NOT_FOUND})
def update_callback(sessions: Sessions, callback_id: PathId, body: CallbackUpdate) -> CallbackOut:
    with sessions.begin() as session:
        callback = callbacks.set_callback_status(session=session, callback_id=callback_id, status=body.status)
        return CallbackOut.of(callback)


@router.post(
    "/handovers",
    status_code=201,
    tags=["handovers"],
    responses={200: {"model": HandoverOut, "description": "The conversation's handover that is still open"},
               **BODY_ERRORS, **TOO_MANY_REQUESTS},
)  # fmt: skip
def create_handover(
    sessions: Sessions,
    settings: SettingsDep,
    limits: AbuseLimitsDep,
    body: HandoverCreate,
    response: Response,
) -> HandoverOut:
    """Record a handover (201), or answer the conversation's handover that is still open (200).

    `client` (the channel's hashed address) counts against the hourly limit per client: 429
    `too_many_handovers` with `Retry-After` when it is over (docs/security.md, "Abuse limits").
    """
    with sessions.begin() as session:
        handover, created = handovers.open_or_create_handover(
            session=session, limits=limits, default_municipality=settings.default_municipality,
            **body.model_dump(),
        )  # fmt: skip
        if not created:
            response.status_code = 200
        return HandoverOut.of(handover)


@router.get("/handovers", tags=["handovers"])
def list_handovers(
    sessions: Sessions,
    status: CaseStatus | None = None,
    conversation_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
) -> list[HandoverOut]:
    with sessions.begin() as session:
        items = handovers.list_handovers(
            session=session, status=status, conversation_id=conversation_id, limit=limit
        )
        return [HandoverOut.of(item) for item in items]


@router.get("/handovers/{handover_id}", tags=["handovers"], responses=NOT_FOUND)
def get_handover(sessions: Sessions, handover_id: PathId) -> HandoverOut:
    with sessions.begin() as session:
        return HandoverOut.of(handovers.get_handover(session=session, handover_id=handover_id))


@router.patch("/handovers/{handover_id}", tags=["handovers"], responses={**BODY_ERRORS, **NOT_FOUND})
def update_handover(sessions: Sessions, handover_id: PathId, body: HandoverUpdate) -> HandoverOut:
    """Change the status (open / in_behandeling / afgerond), the assignee, or add an internal note."""
    with sessions.begin() as session:
        handover = handovers.update_handover(session=session, handover_id=handover_id, **body.model_dump())
        return HandoverOut.of(handover)
