"""Spreekuur schedules as a beheerder manages them on the staff page: list, add, edit, deactivate.

Weekday and times of an existing schedule do not change (its slots and bookings hang on them): to move a
spreekuur, deactivate it and add a new one. New and edited schedules get their slots at once.

A beheerder manages only the spreekuren of the municipalities they work for (issue 23): `scope` (a set of
municipality ids; None: all) leaves the others out, and one outside it is answered as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.backend.models import Booking, BookingStatus, Location, Schedule, Slot
from bot.backend.services import audit
from bot.backend.services.errors import NotFound, invalid
from bot.backend.services.slots import generate_slots
from bot.shared.topics import TOPICS

TITLE_MAX = 120
CAPACITY_MAX = 500


@dataclass(frozen=True)
class ScheduleInput:
    """What the form sends, as text; `parse` checks it and answers in Dutch."""

    location_id: str = ""
    topic: str = ""
    title: str = ""
    weekday: str = ""
    start: str = ""
    end: str = ""
    capacity: str = ""
    slot_minutes: str = ""
    valid_from: str = ""
    valid_until: str = ""


def _int(value: str, field: str, message: str, low: int, high: int) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise invalid(field, message) from None
    if not low <= number <= high:
        raise invalid(field, message)
    return number


def _time(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise invalid(field, "Vul een tijd in als 09:30.") from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise invalid(field, "Vul een datum in als 2026-12-01.") from None


def _title(value: str) -> str:
    title = " ".join(value.split())
    if not title or len(title) > TITLE_MAX:
        raise invalid("title", f"Vul een titel in van hoogstens {TITLE_MAX} tekens.")
    return title


def _capacity(value: str) -> int:
    return _int(value, "capacity", f"Vul een aantal plaatsen in van 1 tot {CAPACITY_MAX}.", 1, CAPACITY_MAX)


def _valid_until(value: str, valid_from: date) -> date | None:
    if not value.strip():
        return None
    until = _date(value, "valid_until")
    if until < valid_from:
        raise invalid("valid_until", "'Geldig tot' ligt voor 'geldig van'.")
    return until


def list_schedules(*, session: Session, scope: frozenset[int] | None = None) -> list[Schedule]:
    query = select(Schedule).options(selectinload(Schedule.location))
    if scope is not None:
        query = query.join(Schedule.location).where(Location.municipality_id.in_(scope))
    return list(session.scalars(query.order_by(Schedule.location_id, Schedule.weekday, Schedule.start_time)))


def get_schedule(*, session: Session, schedule_id: int, scope: frozenset[int] | None = None) -> Schedule:
    schedule = session.get(Schedule, schedule_id)
    if schedule is None or (scope is not None and schedule.location.municipality_id not in scope):
        raise NotFound("schedule_not_found", "Dit spreekuur bestaat niet.")
    return schedule


def create_schedule(
    *,
    session: Session,
    data: ScheduleInput,
    today: date,
    horizon_days: int,
    actor: str,
    scope: frozenset[int] | None = None,
) -> Schedule:
    """Check every field, then add the schedule and its slots for the horizon."""
    location_id = _int(data.location_id, "location_id", "Kies een locatie.", 1, 2**31 - 1)
    location = session.get(Location, location_id)
    if location is None or (scope is not None and location.municipality_id not in scope):
        raise invalid("location_id", "Kies een locatie.")
    if data.topic not in TOPICS:
        raise invalid("topic", "Kies een onderwerp.")
    weekday = _int(data.weekday, "weekday", "Kies een weekdag.", 0, 6)
    start, end = _time(data.start, "start"), _time(data.end, "end")
    if start >= end:
        raise invalid("end", "De eindtijd ligt na de begintijd.")
    slot_minutes = None
    if data.slot_minutes.strip():
        slot_minutes = _int(
            data.slot_minutes, "slot_minutes", "Vul een duur in van 5 tot 240 minuten.", 5, 240
        )
    valid_from = _date(data.valid_from, "valid_from") if data.valid_from.strip() else today
    schedule = Schedule(
        location_id=location_id,
        topic=data.topic,
        title=_title(data.title),
        weekday=weekday,
        start_time=start,
        end_time=end,
        slot_minutes=slot_minutes,
        capacity=_capacity(data.capacity),
        valid_from=valid_from,
        valid_until=_valid_until(data.valid_until, valid_from),
    )
    session.add(schedule)
    session.flush()
    slots = generate_slots(
        session=session, start=today, end=today + timedelta(days=horizon_days), schedule_ids=[schedule.id]
    )
    audit.record(
        session=session,
        actor=actor,
        action="schedule.create",
        entity="schedule",
        entity_id=schedule.id,
        slots=slots,
    )
    return schedule


def update_schedule(
    *,
    session: Session,
    schedule_id: int,
    data: ScheduleInput,
    today: date,
    horizon_days: int,
    actor: str,
    scope: frozenset[int] | None = None,
) -> Schedule:
    """Title, places and 'valid until'. Future slots get the new number of places where the bookings fit."""
    schedule = get_schedule(session=session, schedule_id=schedule_id, scope=scope)
    title = _title(data.title)
    capacity = _capacity(data.capacity)
    valid_until = _valid_until(data.valid_until, schedule.valid_from)
    schedule.title, schedule.capacity, schedule.valid_until = title, capacity, valid_until
    session.execute(
        update(Slot)
        .where(Slot.schedule_id == schedule.id, Slot.date >= today, Slot.booked <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    generate_slots(
        session=session, start=today, end=today + timedelta(days=horizon_days), schedule_ids=[schedule.id]
    )
    audit.record(
        session=session,
        actor=actor,
        action="schedule.update",
        entity="schedule",
        entity_id=schedule.id,
        capacity=capacity,
    )
    return schedule


def deactivate_schedule(
    *, session: Session, schedule_id: int, today: date, actor: str, scope: frozenset[int] | None = None
) -> int:
    """No more bookings from today on (valid until yesterday); returns the bookings from today on to move."""
    schedule = get_schedule(session=session, schedule_id=schedule_id, scope=scope)
    last_day = today - timedelta(days=1)
    if schedule.valid_until is None or schedule.valid_until > last_day:
        if schedule.valid_from > last_day:
            schedule.valid_from = last_day
        schedule.valid_until = last_day
        audit.record(
            session=session,
            actor=actor,
            action="schedule.deactivate",
            entity="schedule",
            entity_id=schedule.id,
        )
        session.flush()
    return (
        session.scalar(
            select(func.count())
            .select_from(Booking)
            .join(Booking.slot)
            .where(
                Slot.schedule_id == schedule.id, Slot.date >= today, Booking.status == BookingStatus.CONFIRMED
            )
        )
        or 0
    )


def is_active(schedule: Schedule, today: date) -> bool:
    return schedule.valid_until is None or schedule.valid_until >= today
