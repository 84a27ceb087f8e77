"""Bookings: book, look up, cancel and move by code. A slot is never overbooked.

Capacity is claimed with one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`): the
database serialises concurrent claims on the slot's row (PostgreSQL re-checks the condition after the row
lock is released; SQLite writers run one at a time), so exactly `capacity` claims can succeed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.models import Booking, BookingStatus, Slot
from bot.backend.services import audit, booking_reminders
from bot.backend.services.clock import local_now
from bot.backend.services.codes import new_code, normalise_code
from bot.backend.services.errors import Conflict, NotFound, invalid
from bot.backend.services.handovers import checked_conversation_id
from bot.backend.services.municipalities import resolve
from bot.backend.services.slots import check_bookable, get_slot
from bot.backend.settings import BackendSettings
from bot.backend.validation import (
    InvalidPhoneNumber,
    clean_email,
    clean_first_name,
    clean_text,
    normalise_phone,
)
from bot.shared.fields import QUESTION_MAX

SLOT_FULL_MESSAGE = "Dit tijdstip is helaas vol. Kies een ander tijdstip."


def _claim_place(session: Session, slot_id: int) -> None:
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked < Slot.capacity)
        .values(booked=Slot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        raise Conflict("slot_full", SLOT_FULL_MESSAGE)


def _release_place(session: Session, slot_id: int) -> None:
    session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked > 0)
        .values(booked=Slot.booked - 1)
        .execution_options(synchronize_session=False)
    )


def _expire_slot(session: Session, slot_id: int) -> None:
    slot = session.get(Slot, slot_id)
    if slot is not None:
        session.expire(slot, ["booked"])


def validate_contact(
    *, first_name: str, phone: str | None, email: str | None, question: str | None
) -> tuple[str, str | None, str | None, str | None]:
    """Clean the resident's details; a first name and a phone number or e-mail address are needed."""
    try:
        name = clean_first_name(first_name)
    except ValueError as error:
        raise invalid("first_name", str(error)) from None
    clean_phone = None
    if phone is not None and phone.strip():
        try:
            clean_phone = normalise_phone(phone)
        except InvalidPhoneNumber as error:
            raise invalid("phone", str(error)) from None
    clean_mail = None
    if email is not None and email.strip():
        try:
            clean_mail = clean_email(email)
        except ValueError as error:
            raise invalid("email", str(error)) from None
    if clean_phone is None and clean_mail is None:
        raise invalid("phone", "Geef een telefoonnummer of een e-mailadres, zodat we je kunnen bereiken.")
    try:
        text = clean_text(question, max_length=QUESTION_MAX, label="je vraag")
    except ValueError as error:
        raise invalid("question", str(error)) from None
    return name, clean_phone, clean_mail, text


def book_slot(
    *,
    session: Session,
    slot_id: int,
    first_name: str,
    phone: str | None = None,
    email: str | None = None,
    question: str | None = None,
    conversation_id: str | None = None,
    municipality: str | None = None,
    default_municipality: str | None = None,
    actor: str = "api",
    tz: ZoneInfo | None = None,
    channel: str | None = None,
    settings: BackendSettings | None = None,
) -> Booking:
    """Book one place in a slot, or raise a ServiceError (nothing written).

    The booking belongs to the slot's location's municipality; a `municipality` (slug) given must be it.
    `channel` is the booking conversation's channel: its reminder goes there when it can (Telegram).
    """
    name, clean_phone, clean_mail, text = validate_contact(
        first_name=first_name, phone=phone, email=email, question=question
    )
    checked_conversation_id(conversation_id)
    named = (
        resolve(session=session, slug=municipality, default=default_municipality) if municipality else None
    )
    slot = get_slot(session=session, slot_id=slot_id)
    if named is not None and slot.schedule.location.municipality_id != named.id:
        raise invalid(
            "municipality",
            f"Dit tijdstip is niet in de gemeente {named.name}. Kies een tijdstip in je eigen gemeente.",
        )
    check_bookable(session=session, slot=slot, tz=tz)
    _claim_place(session, slot.id)
    booking = Booking(
        slot_id=slot.id,
        topic=slot.schedule.topic,
        first_name=name,
        phone=clean_phone,
        email=clean_mail,
        question=text,
        conversation_id=conversation_id,
        status=BookingStatus.CONFIRMED,
    )
    _insert_with_unique_code(session, booking)
    _expire_slot(session, slot.id)
    audit.record(session=session, actor=actor, action="booking.create", entity="booking",
                 entity_id=booking.code, slot_id=slot.id)  # fmt: skip
    booking_reminders.schedule_reminders(session=session, booking=booking, channel=channel, settings=settings)
    return booking


def _insert_with_unique_code(session: Session, booking: Booking) -> None:
    for _ in range(20):
        code = new_code()
        if session.scalar(select(Booking.id).where(Booking.code == code)) is not None:
            continue
        booking.code = code
        try:
            with session.begin_nested():
                session.add(booking)
                session.flush()
        except IntegrityError:
            continue  # the savepoint rolled back and dropped the pending booking
        return
    raise Conflict(
        "no_code", "Er ging iets mis bij het maken van een code. Probeer het nog eens.", status=503
    )


def get_booking(*, session: Session, code: str, for_update: bool = False) -> Booking:
    normalised = normalise_code(code)
    booking = None
    if normalised is not None:
        query = select(Booking).where(Booking.code == normalised)
        if for_update:
            query = query.with_for_update()
        booking = session.scalars(query).first()
    if booking is None:
        raise NotFound(
            "booking_not_found",
            "Er is geen afspraak met deze code. Controleer de code, bijvoorbeeld VD-7K3P-X9QA.",
        )
    return booking


def check_changeable(booking: Booking, tz: ZoneInfo | None) -> None:
    """Raise Conflict when the booking is cancelled or its spreekuur has begun."""
    if booking.status is BookingStatus.CANCELLED:
        raise Conflict("booking_cancelled", "Deze afspraak is al geannuleerd.")
    now = local_now(tz)
    slot = booking.slot
    if (slot.date, slot.start_time) <= (now.date(), now.time().replace(tzinfo=None)):
        raise Conflict(
            "booking_in_past", "Deze afspraak is al begonnen of voorbij en kan niet meer veranderen."
        )


def cancel_booking(*, session: Session, code: str, actor: str = "api", tz: ZoneInfo | None = None) -> Booking:
    """Cancel by code and free the place."""
    booking = get_booking(session=session, code=code, for_update=True)
    check_changeable(booking, tz)
    _release_place(session, booking.slot_id)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = datetime.now(UTC)
    session.flush()
    booking_reminders.cancel_reminders(session=session, booking=booking)
    _expire_slot(session, booking.slot_id)
    audit.record(session=session, actor=actor, action="booking.cancel", entity="booking",
                 entity_id=booking.code, slot_id=booking.slot_id)  # fmt: skip
    return booking


def move_booking(
    *,
    session: Session,
    code: str,
    slot_id: int,
    actor: str = "api",
    tz: ZoneInfo | None = None,
    settings: BackendSettings | None = None,
) -> Booking:
    """Move a booking to another slot of the same topic; the old place is freed, the code stays."""
    booking = get_booking(session=session, code=code, for_update=True)
    check_changeable(booking, tz)
    if booking.slot_id == slot_id:
        raise Conflict("same_slot", "Je afspraak staat al op dit tijdstip.")
    new_slot = get_slot(session=session, slot_id=slot_id)
    if new_slot.schedule.topic != booking.topic:
        raise Conflict(
            "other_topic",
            "Dit tijdstip hoort bij een ander onderwerp. Kies een tijdstip voor hetzelfde spreekuur.",
        )
    check_bookable(session=session, slot=new_slot, tz=tz)
    _claim_place(session, new_slot.id)
    old_slot_id = booking.slot_id
    _release_place(session, old_slot_id)
    booking.slot_id = new_slot.id
    session.flush()
    session.expire(booking, ["slot"])
    _expire_slot(session, old_slot_id)
    _expire_slot(session, new_slot.id)
    audit.record(session=session, actor=actor, action="booking.move", entity="booking",
                 entity_id=booking.code, from_slot_id=old_slot_id, to_slot_id=new_slot.id)  # fmt: skip
    booking.attendance_confirmed_at = None  # "Ik kom" was said for the old time
    booking_reminders.reschedule_reminders(session=session, booking=booking, settings=settings)
    return booking


def mark_booking_done(*, session: Session, booking_id: int, actor: str) -> Booking:
    """Staff mark a confirmed appointment as done (`done_at`); again changes nothing."""
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("booking_not_found", "Deze afspraak bestaat niet.")
    if booking.status is BookingStatus.CANCELLED:
        raise Conflict("booking_cancelled", "Deze afspraak is geannuleerd.")
    if booking.done_at is None:
        booking.done_at = datetime.now(UTC)
        audit.record(session=session, actor=actor, action="booking.done", entity="booking",
                     entity_id=booking.id)  # fmt: skip
        session.flush()
    return booking
