"""Export one day's bookings as CSV for the people who hold the spreekuur."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from sqlalchemy import select, true
from sqlalchemy.orm import Session, contains_eager

from bot.backend.models import Booking, BookingStatus, Location, Schedule, Slot
from bot.shared.phone import format_national

EXPORT_COLUMNS = (
    "code", "datum", "begin", "eind", "locatie", "onderwerp", "spreekuur", "voornaam", "telefoon", "email",
    "vraag", "status",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str | None) -> str:
    """Keep a spreadsheet from running free text as a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def bookings_on(
    *, session: Session, day: date, include_cancelled: bool = False, scope: frozenset[int] | None = None
) -> list[Booking]:
    query = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.schedule)
        .join(Schedule.location)
        .options(contains_eager(Booking.slot).contains_eager(Slot.schedule).contains_eager(Schedule.location))
        .where(Slot.date == day)
        .where(Location.municipality_id.in_(scope) if scope is not None else true())
        .order_by(Location.name, Slot.start_time, Booking.created_at, Booking.id)
    )
    if not include_cancelled:
        query = query.where(Booking.status == BookingStatus.CONFIRMED)
    return list(session.scalars(query).unique())


def write_bookings_csv(bookings: Iterable[Booking], out: TextIO) -> int:
    """Write `;`-separated rows (what Dutch spreadsheet programs expect); returns the number of bookings."""
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for booking in bookings:
        slot = booking.slot
        writer.writerow(
            [
                booking.code,
                slot.date.isoformat(),
                slot.start_time.strftime("%H:%M"),
                slot.end_time.strftime("%H:%M"),
                _safe(slot.schedule.location.name),
                booking.topic,
                _safe(slot.schedule.title),
                _safe(booking.first_name),
                format_national(booking.phone) if booking.phone else "",
                _safe(booking.email),
                _safe(booking.question),
                booking.status.value,
            ]
        )
        count += 1
    return count
