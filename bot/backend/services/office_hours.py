"""Office hours of the wijkteam: is a person available now, and if not, when again?

The hours per weekday come from the `OFFICE_HOURS` setting, e.g. ``ma-do 09:00-17:00, vr 09:00-12:30``
(days not named are closed; a day may have several periods: ``ma 09:00-12:00, ma 13:00-17:00``).
Holidays are the backend's closures without a location (`Closure.location_id IS NULL`): the whole
team is closed on those days. Times are local wall-clock times in the settings' time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Closure
from bot.shared.dutch_calendar import WEEKDAY_ABBREVIATIONS, day_label

DAY_KEYS = WEEKDAY_ABBREVIATIONS
#: How far ahead `next_open` is looked for (a long closure still gives an answer).
LOOKAHEAD_DAYS = 62

_ENTRY = re.compile(
    r"^(?P<first>[a-z]{2})(?:\s*-\s*(?P<last>[a-z]{2}))?\s+"
    r"(?P<start>\d{1,2}[:.]\d{2})\s*-\s*(?P<end>\d{1,2}[:.]\d{2})$"
)

#: Minutes since midnight, per weekday (0 = Monday): a list of (start, end) periods.
WeekHours = dict[int, list[tuple[int, int]]]


class OfficeHoursError(ValueError):
    """The OFFICE_HOURS setting cannot be read; the message says which part."""


def _minutes(text: str, where: str) -> int:
    hours, minutes = (int(part) for part in re.split(r"[:.]", text))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise OfficeHoursError(f"OFFICE_HOURS: {where}: {text} is not a time")
    return hours * 60 + minutes


def parse_office_hours(text: str) -> WeekHours:
    """Read ``ma-vr 09:00-17:00, za 10:00-12:00``; an empty text means never open."""
    week: WeekHours = {day: [] for day in range(7)}
    for raw in text.lower().split(","):
        entry = raw.strip()
        if not entry:
            continue
        match = _ENTRY.match(entry)
        if not match or match["first"] not in DAY_KEYS or (match["last"] or "ma") not in DAY_KEYS:
            raise OfficeHoursError(
                f"OFFICE_HOURS: {entry!r} is not like 'ma-vr 09:00-17:00' (days: {' '.join(DAY_KEYS)})"
            )
        first = DAY_KEYS.index(match["first"])
        last = DAY_KEYS.index(match["last"]) if match["last"] else first
        if last < first:
            raise OfficeHoursError(f"OFFICE_HOURS: {entry!r}: the day range runs backwards")
        start, end = _minutes(match["start"], entry), _minutes(match["end"], entry)
        if start >= end:
            raise OfficeHoursError(f"OFFICE_HOURS: {entry!r}: the period ends before it starts")
        for day in range(first, last + 1):
            week[day].append((start, end))
    for periods in week.values():
        periods.sort()
        for (_, end), (next_start, _) in zip(periods, periods[1:], strict=False):
            if next_start < end:
                raise OfficeHoursError("OFFICE_HOURS: two periods of one day overlap")
    return week


@dataclass(frozen=True)
class OfficeHoursStatus:
    open_now: bool
    #: When the team opens again (None while open, or when no opening is found ahead).
    next_open: datetime | None
    #: When the current period ends (None when closed).
    closes_at: datetime | None

    @property
    def next_open_label(self) -> str | None:
        return format_moment(self.next_open) if self.next_open else None

    @property
    def closes_at_label(self) -> str | None:
        return format_clock(self.closes_at) if self.closes_at else None


def format_clock(moment: datetime) -> str:
    """`9.00 uur`, `12.30 uur` (the Dutch way of writing times).

    A day that ends at 24:00 ends at `middernacht`.
    """
    if moment.hour == 0 and moment.minute == 0:
        return "middernacht"
    return f"{moment.hour}.{moment.minute:02d} uur"


def format_moment(moment: datetime) -> str:
    """`dinsdag 24 november om 9.00 uur`."""
    return f"{day_label(moment.date())} om {format_clock(moment)}"


def _holidays(session: Session, first: date, last: date) -> set[date]:
    closures = session.scalars(
        select(Closure).where(
            Closure.location_id.is_(None), Closure.date_from <= last, Closure.date_to >= first
        )
    )
    days: set[date] = set()
    for closure in closures:
        day = max(closure.date_from, first)
        while day <= min(closure.date_to, last):
            days.add(day)
            day += timedelta(days=1)
    return days


def _at(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minutes)


def office_hours_status(
    *, session: Session, hours: WeekHours, tz: ZoneInfo, now: datetime | None = None
) -> OfficeHoursStatus:
    """Whether the team is open at `now` (default: the current time), and when it opens next."""
    local_now = (now or datetime.now(tz)).astimezone(tz)
    today = local_now.date()
    holidays = _holidays(session, today, today + timedelta(days=LOOKAHEAD_DAYS))
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        if day in holidays:
            continue
        for start, end in hours.get(day.weekday(), []):
            opens, closes = _at(day, start, tz), _at(day, end, tz)
            if opens <= local_now < closes:
                return OfficeHoursStatus(open_now=True, next_open=None, closes_at=closes)
            if opens > local_now:
                return OfficeHoursStatus(open_now=False, next_open=opens, closes_at=None)
    return OfficeHoursStatus(open_now=False, next_open=None, closes_at=None)
