"""Closures and working days (weekends and closures for every location are not working days)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.backend.models import Closure


def closure_on(*, session: Session, day: date, location_id: int | None) -> Closure | None:
    """The closure that closes `location_id` (or every location) on `day`, if any."""
    query = select(Closure).where(Closure.date_from <= day, Closure.date_to >= day)
    if location_id is None:
        query = query.where(Closure.location_id.is_(None))
    else:
        query = query.where(or_(Closure.location_id.is_(None), Closure.location_id == location_id))
    return session.scalars(query.order_by(Closure.location_id.is_(None).desc(), Closure.id).limit(1)).first()


def general_closed_days(*, session: Session, start: date, end: date) -> set[date]:
    """Days between `start` and `end` (inclusive) on which every location is closed."""
    closures = session.scalars(
        select(Closure).where(
            Closure.location_id.is_(None), Closure.date_from <= end, Closure.date_to >= start
        )
    )
    days: set[date] = set()
    for closure in closures:
        day = max(closure.date_from, start)
        while day <= min(closure.date_to, end):
            days.add(day)
            day += timedelta(days=1)
    return days


def add_working_days(*, session: Session, start: date, days: int) -> date:
    """The working day `days` working days after `start`; with 0, `start` itself or the next working day."""
    closed = general_closed_days(session=session, start=start, end=start + timedelta(days=days * 3 + 60))

    def is_working(day: date) -> bool:
        return day.weekday() < 5 and day not in closed

    current = start
    while not is_working(current):
        current += timedelta(days=1)
    remaining = days
    if not is_working(start):
        remaining = max(days - 1, 0)  # the first working day after a weekend counts as day one
    while remaining > 0:
        current += timedelta(days=1)
        if is_working(current):
            remaining -= 1
    return current
