"""Slots: made from schedules, listed when free, checked before every booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Exists, and_, exists, or_, select
from sqlalchemy.orm import Session, contains_eager

from bot.backend.models import Closure, Location, Schedule, Slot
from bot.backend.services.clock import local_now
from bot.backend.services.errors import Conflict, NotFound, invalid
from bot.backend.services.workdays import closure_on
from bot.shared.dutch_calendar import full_date_label
from bot.shared.topics import TOPICS

MAX_RANGE_DAYS = 366


def slot_times(schedule: Schedule) -> list[tuple[time, time]]:
    """The (start, end) pairs one day of `schedule` is cut into."""
    if not schedule.slot_minutes:
        return [(schedule.start_time, schedule.end_time)]
    step = timedelta(minutes=schedule.slot_minutes)
    day = date(2000, 1, 3)
    current = datetime.combine(day, schedule.start_time)
    end = datetime.combine(day, schedule.end_time)
    pairs = []
    while current + step <= end:
        pairs.append((current.time(), (current + step).time()))
        current += step
    return pairs


def generate_slots(*, session: Session, start: date, end: date, schedule_ids: list[int] | None = None) -> int:
    """Create the missing slots of every valid schedule between `start` and `end`; returns how many.

    Existing slots are left alone, so running this again is harmless. Closed days get slots too: a closure
    is checked when slots are listed and booked, so adding or lifting one later needs no regeneration.
    """
    query = select(Schedule).where(
        Schedule.valid_from <= end, or_(Schedule.valid_until.is_(None), Schedule.valid_until >= start)
    )
    if schedule_ids is not None:
        query = query.where(Schedule.id.in_(schedule_ids))
    created = 0
    for schedule in session.scalars(query):
        existing = {
            (row.date, row.start_time)
            for row in session.execute(
                select(Slot.date, Slot.start_time).where(
                    Slot.schedule_id == schedule.id, Slot.date >= start, Slot.date <= end
                )
            )
        }
        day = start
        while day <= end:
            if schedule.is_valid_on(day):
                for begin, finish in slot_times(schedule):
                    if (day, begin) not in existing:
                        session.add(
                            Slot(
                                schedule_id=schedule.id,
                                date=day,
                                start_time=begin,
                                end_time=finish,
                                capacity=schedule.capacity,
                                booked=0,
                            )
                        )
                        created += 1
            day += timedelta(days=1)
    session.flush()
    return created


def _closed_condition() -> Exists:
    """SQL condition: a closure covers the slot's day for its location or for every location."""
    return exists().where(
        Closure.date_from <= Slot.date,
        Closure.date_to >= Slot.date,
        or_(Closure.location_id.is_(None), Closure.location_id == Schedule.location_id),
    )


@dataclass(frozen=True)
class SlotQuery:
    topic: str | None = None
    location_id: int | None = None
    wijk: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 50
    municipality_id: int | None = None


def list_free_slots(*, session: Session, query: SlotQuery, tz: ZoneInfo | None = None) -> list[Slot]:
    """Bookable slots: in the future, with a free place, inside a valid schedule, not on a closed day."""
    now = local_now(tz)
    today = now.date()
    if query.topic is not None and query.topic not in TOPICS:
        raise invalid("topic", f"Onbekend onderwerp. Kies uit: {', '.join(TOPICS)}.")
    date_from = max(query.date_from or today, today)
    date_to = query.date_to or date_from + timedelta(days=28)
    if date_to < date_from:
        if query.date_to is not None and query.date_to < today:
            return []
        raise invalid("date_to", "De einddatum ligt voor de begindatum.")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise invalid("date_to", "Zoek in een periode van hoogstens een jaar.")

    statement = (
        select(Slot)
        .join(Slot.schedule)
        .join(Schedule.location)
        .options(contains_eager(Slot.schedule).contains_eager(Schedule.location))
        .where(
            Slot.date >= date_from,
            Slot.date <= date_to,
            Slot.booked < Slot.capacity,
            Schedule.valid_from <= Slot.date,
            or_(Schedule.valid_until.is_(None), Schedule.valid_until >= Slot.date),
            ~_closed_condition(),
            or_(
                Slot.date > today, and_(Slot.date == today, Slot.start_time > now.time().replace(tzinfo=None))
            ),
        )
        .order_by(Slot.date, Slot.start_time, Slot.id)
        .limit(query.limit)
    )
    if query.topic is not None:
        statement = statement.where(Schedule.topic == query.topic)
    if query.location_id is not None:
        statement = statement.where(Schedule.location_id == query.location_id)
    if query.wijk is not None:
        statement = statement.where(Location.wijk == query.wijk)
    if query.municipality_id is not None:
        statement = statement.where(Location.municipality_id == query.municipality_id)
    return list(session.scalars(statement).unique())


def get_slot(*, session: Session, slot_id: int) -> Slot:
    slot = session.get(Slot, slot_id)
    if slot is None:
        raise NotFound("slot_not_found", "Dit tijdstip bestaat niet. Kies een ander tijdstip.")
    return slot


def check_bookable(*, session: Session, slot: Slot, tz: ZoneInfo | None = None) -> None:
    """Refuse a slot in the past, outside its schedule or on a closed day (capacity is checked atomically)."""
    now = local_now(tz)
    if (slot.date, slot.start_time) <= (now.date(), now.time().replace(tzinfo=None)):
        raise Conflict("slot_in_past", "Dit tijdstip is al voorbij. Kies een tijdstip in de toekomst.")
    schedule = slot.schedule
    if not schedule.is_valid_on(slot.date) or not (
        schedule.start_time <= slot.start_time and slot.end_time <= schedule.end_time
    ):
        raise Conflict(
            "outside_schedule", "Op dit tijdstip is er geen spreekuur meer. Kies een ander tijdstip."
        )
    closure = closure_on(session=session, day=slot.date, location_id=schedule.location_id)
    if closure is not None:
        reason = f" ({closure.reason})" if closure.reason else ""
        raise Conflict(
            "closed",
            f"Op {full_date_label(slot.date)} is {schedule.location.name} gesloten{reason}. "
            "Kies een andere dag.",
        )
