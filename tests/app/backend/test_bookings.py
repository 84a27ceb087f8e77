"""Booking rules in the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import AuditEntry, Booking, BookingStatus, Slot
from bot.backend.services.bookings import book_slot, cancel_booking, get_booking, move_booking
from bot.backend.services.clock import local_today
from bot.backend.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from bot.backend.services.slots import SlotQuery, generate_slots, list_free_slots
from tests.app.backend_helpers import Factory, World, count_rows


def book(session: Session, slot: Slot, **overrides: str) -> Booking:
    values = {"first_name": "Anna", "phone": "06-12345678"}
    values.update(overrides)
    booking = book_slot(session=session, slot_id=slot.id, **values)
    session.commit()
    return booking


def test_booking_takes_a_place_and_gets_a_code(session: Session, world: World) -> None:
    booking = book(session, world.slot, question="Ik heb een brief van de deurwaarder.")
    session.refresh(world.slot)
    assert booking.code.startswith("VD-") and booking.status is BookingStatus.CONFIRMED
    assert booking.phone == "+31612345678" and booking.topic == "schulden"
    assert world.slot.booked == 1
    assert get_booking(session=session, code=booking.code.lower()).id == booking.id
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.create")).all()
    assert [entry.entity_id for entry in audit] == [booking.code]
    assert "Anna" not in str(audit[0].details)  # no personal data in the audit log


def test_a_slot_is_never_overbooked(session: Session, world: World) -> None:
    book(session, world.slot)
    book(session, world.slot, first_name="Bram", email="bram@voorbeeld.nl", phone="")
    before = count_rows(session)
    with pytest.raises(Conflict) as error:
        book(session, world.slot, first_name="Cor")
    assert error.value.code == "slot_full" and "vol" in error.value.message
    session.rollback()
    assert count_rows(session) == before


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("past_slot", "slot_in_past"),
        ("closed", "closed"),
        ("closed_everywhere", "closed"),
        ("outside", "outside_schedule"),
        ("ended", "outside_schedule"),
    ],
)
def test_refused_bookings_say_why_and_change_nothing(
    session: Session, world: World, make: Factory, which: str, code: str
) -> None:
    slot = world.slot
    if which == "past_slot":
        slot = world.past_slot
    elif which == "closed":
        make.closure(slot.date, world.location, "Studiedag")
    elif which == "closed_everywhere":
        make.closure(slot.date, None, "Tweede Kerstdag")
    elif which == "outside":
        slot = make.slot(
            world.schedule, slot.date + timedelta(days=1)
        )  # a Saturday: not the schedule's weekday
    elif which == "ended":
        world.schedule.valid_until = world.today
        session.commit()
    before = count_rows(session)
    with pytest.raises(ServiceError) as error:
        book(session, slot)
    session.rollback()
    assert error.value.code == code
    assert error.value.status == 409
    assert count_rows(session) == before
    if which.startswith("closed"):
        assert "gesloten" in error.value.message


def test_closure_for_another_location_does_not_matter(session: Session, world: World, make: Factory) -> None:
    make.closure(world.slot.date, world.other_location)
    assert book(session, world.slot).status is BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "<script>"}, "first_name"),
        ({"phone": "", "email": None}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"email": "nope", "phone": ""}, "email"),
        ({"question": "x" * 501}, "question"),
    ],
)
def test_bad_details_are_refused(session: Session, world: World, fields: dict, field: str) -> None:
    before = count_rows(session)
    with pytest.raises(InvalidInput) as error:
        book(session, world.slot, **fields)
    session.rollback()
    assert error.value.details["field"] == field
    assert count_rows(session) == before


def test_unknown_slot_and_code(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        book_slot(session=session, slot_id=999_999, first_name="Anna", phone="0612345678")
    for code in ["VD-AAAA", "nonsense", "", "' OR 1=1 --"]:
        with pytest.raises(NotFound):
            get_booking(session=session, code=code)


def test_cancel_frees_the_place(session: Session, world: World) -> None:
    first = book(session, world.slot)
    book(session, world.slot, first_name="Bram")
    cancelled = cancel_booking(session=session, code=first.code)
    session.commit()
    session.refresh(world.slot)
    assert cancelled.status is BookingStatus.CANCELLED and cancelled.cancelled_at is not None
    assert world.slot.booked == 1
    assert book(session, world.slot, first_name="Cor").status is BookingStatus.CONFIRMED
    with pytest.raises(Conflict) as error:
        cancel_booking(session=session, code=first.code)
    assert error.value.code == "booking_cancelled"


def test_move_frees_the_old_place_and_keeps_the_code(session: Session, world: World) -> None:
    booking = book(session, world.slot)
    moved = move_booking(session=session, code=booking.code, slot_id=world.second_slot.id)
    session.commit()
    session.refresh(world.slot)
    session.refresh(world.second_slot)
    assert moved.code == booking.code and moved.slot_id == world.second_slot.id
    assert (world.slot.booked, world.second_slot.booked) == (0, 1)


def test_move_is_refused_when_full_other_topic_or_same(session: Session, world: World) -> None:
    booking = book(session, world.slot)
    book(session, world.second_slot, first_name="Bram")
    book(session, world.second_slot, first_name="Cor")
    for slot_id, code in [
        (world.second_slot.id, "slot_full"),
        (world.other_topic_slot.id, "other_topic"),
        (world.slot.id, "same_slot"),
        (world.past_slot.id, "slot_in_past"),
    ]:
        before = count_rows(session)
        with pytest.raises(ServiceError) as error:
            move_booking(session=session, code=booking.code, slot_id=slot_id)
        session.rollback()
        assert error.value.code == code
        assert count_rows(session) == before
    session.refresh(world.slot)
    assert world.slot.booked == 1


def test_free_slots_filters(session: Session, world: World, make: Factory) -> None:
    def ids(**filters: object) -> set[int]:
        return {slot.id for slot in list_free_slots(session=session, query=SlotQuery(**filters))}  # type: ignore[arg-type]

    everything = ids(date_to=world.today + timedelta(days=40))
    assert world.past_slot.id not in everything
    assert {world.slot.id, world.second_slot.id, world.other_topic_slot.id} <= everything
    assert world.other_topic_slot.id not in ids(topic="schulden")
    assert ids(wijk="Zuid") == {world.other_location_slot.id}
    assert ids(location_id=world.other_location.id) == {world.other_location_slot.id}
    assert world.second_slot.id not in ids(date_to=world.slot.date)
    make.closure(world.slot.date, None)
    assert world.slot.id not in ids()
    book(session, world.second_slot)
    book(session, world.second_slot, first_name="Bram")
    assert world.second_slot.id not in ids(date_to=world.today + timedelta(days=40))
    with pytest.raises(InvalidInput):
        ids(topic="onbekend")


def test_generate_slots_is_idempotent_and_cuts_appointments(session: Session, make: Factory) -> None:
    location = make.location("Generator (test)")
    make.schedule(location, topic="huisvesting", weekday=1, slot_minutes=30, capacity=1)
    start = make.next_weekday(local_today(), 0)
    created = generate_slots(session=session, start=start, end=start + timedelta(days=13))
    assert created == 2 * 3  # two Tuesdays, 9:00-10:30 in three half hours
    assert generate_slots(session=session, start=start, end=start + timedelta(days=13)) == 0
