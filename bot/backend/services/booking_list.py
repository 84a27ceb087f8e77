"""The staff list of spreekuur bookings: every booking, not only today's, a page at a time (issue 21).

Order, per period:
- komend (the default): from today on, the first appointment first;
- voorbij: before today, the most recent appointment first;
- alle: the most recently made booking first.

A booking's state as staff read it: bevestigd (confirmed, not yet marked done), afgevinkt (marked done)
or geannuleerd. Filters: period, state, topic, location; a search finds the first name, the booking code
(also typed as `vd 7k3p x9qa`), the e-mail address and the question. Above the list the page shows the
true number per state for the other filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from bot.backend.models import Booking, BookingStatus, Location, Schedule, Slot
from bot.backend.services.codes import normalise_code
from bot.backend.services.paging import PAGE_SIZE, Page, clean_search, contains_any, page_of
from bot.shared.topics import TOPICS

#: Period filter: value in the URL -> label.
PERIODS: dict[str, str] = {"komend": "vanaf vandaag", "voorbij": "voorbij", "alle": "alle"}
#: What the order is, per period, in the words the page shows.
ORDER_TEXT: dict[str, str] = {
    "komend": "Vanaf vandaag: de eerstvolgende afspraak bovenaan.",
    "voorbij": "Voorbij: de laatste afspraak bovenaan.",
    "alle": "Alle: de laatst gemaakte afspraak bovenaan.",
}
#: State filter: value in the URL -> label.
STATES: dict[str, str] = {"bevestigd": "bevestigd", "afgevinkt": "afgevinkt", "geannuleerd": "geannuleerd"}


def state_of(booking: Booking) -> str:
    """bevestigd, afgevinkt or geannuleerd (the keys of `STATES`)."""
    if booking.status is BookingStatus.CANCELLED:
        return "geannuleerd"
    return "afgevinkt" if booking.done_at is not None else "bevestigd"


def _state_condition(state: str) -> ColumnElement[bool]:
    if state == "geannuleerd":
        return Booking.status == BookingStatus.CANCELLED
    done = Booking.done_at.is_not(None) if state == "afgevinkt" else Booking.done_at.is_(None)
    return (Booking.status == BookingStatus.CONFIRMED) & done


@dataclass(frozen=True)
class BookingFilter:
    period: str = "komend"
    state: str | None = None
    topic: str | None = None
    location_id: int | None = None
    search: str | None = None
    #: The municipalities (ids) whose bookings are listed (the staff member's); None: all.
    scope: frozenset[int] | None = None

    @classmethod
    def parse(
        cls, period: str = "", state: str = "", topic: str = "", location: str = "", search: str = ""
    ) -> tuple[BookingFilter, bool]:
        """From query strings; unknown values are dropped. Returns the filter and whether one was dropped."""
        dropped = False
        if period and period not in PERIODS:
            period, dropped = "", True
        if state and state not in STATES:
            state, dropped = "", True
        if topic and topic not in TOPICS:
            topic, dropped = "", True
        location_id = None
        if location:
            if location.isdigit() and len(location) < 10:
                location_id = int(location)
            else:
                dropped = True
        return cls(
            period or "komend", state or None, topic or None, location_id, clean_search(search)
        ), dropped

    def query_string(self) -> dict[str, str]:
        """The filter as query parameters for links (the default period and empty values left out)."""
        values = {
            "periode": "" if self.period == "komend" else self.period,
            "status": self.state or "",
            "onderwerp": self.topic or "",
            "locatie": "" if self.location_id is None else str(self.location_id),
            "zoek": self.search or "",
        }
        return {key: value for key, value in values.items() if value}

    def conditions(self, today: date, *, with_state: bool = True) -> list[ColumnElement[bool]]:
        """The WHERE conditions; those on the slot or schedule need the query to join them."""
        found: list[ColumnElement[bool]] = []
        if self.period == "komend":
            found.append(Slot.date >= today)
        elif self.period == "voorbij":
            found.append(Slot.date < today)
        if with_state and self.state is not None:
            found.append(_state_condition(self.state))
        if self.topic is not None:
            found.append(Booking.topic == self.topic)
        if self.location_id is not None:
            found.append(Schedule.location_id == self.location_id)
        if self.scope is not None:
            found.append(Location.municipality_id.in_(self.scope))
        if self.search is not None:
            matches = contains_any(
                (Booking.first_name, Booking.code, Booking.email, Booking.question), self.search
            )
            code = normalise_code(self.search)
            found.append(or_(matches, Booking.code == code) if code else matches)
        return found

    def with_joins(self, query: Select[Any]) -> Select[Any]:
        """Only the joins the conditions need (a count over needless joins costs the database the joins)."""
        scoped = self.scope is not None
        if self.period != "alle" or self.location_id is not None or scoped:
            query = query.join(Slot, Slot.id == Booking.slot_id)
        if self.location_id is not None or scoped:
            query = query.join(Schedule, Schedule.id == Slot.schedule_id)
        if scoped:
            query = query.join(Location, Location.id == Schedule.location_id)
        return query


def booking_query(filters: BookingFilter, today: date) -> Select[Booking]:
    """The bookings that match, in the order of their period (the module's docstring)."""
    query = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.schedule)
        .join(Schedule.location)
        .options(contains_eager(Booking.slot).contains_eager(Slot.schedule).contains_eager(Schedule.location))
        .where(*filters.conditions(today))
    )
    if filters.period == "komend":
        return query.order_by(Slot.date, Slot.start_time, Booking.id)
    if filters.period == "voorbij":
        return query.order_by(Slot.date.desc(), Slot.start_time.desc(), Booking.id.desc())
    return query.order_by(Booking.created_at.desc(), Booking.id.desc())


def booking_page(
    *, session: Session, filters: BookingFilter, today: date, page: int = 1, size: int = PAGE_SIZE
) -> Page[Booking]:
    """One page of bookings, with the true number of matches."""
    count = filters.with_joins(select(Booking.id)).where(*filters.conditions(today))
    return page_of(session, booking_query(filters, today), page, size, count_query=count)


def state_counts(*, session: Session, filters: BookingFilter, today: date) -> dict[str, int]:
    """How many bookings of each state match the other filters (all of them, not a page)."""
    state = case(
        (Booking.status == BookingStatus.CANCELLED, "geannuleerd"),
        (Booking.done_at.is_not(None), "afgevinkt"),
        else_="bevestigd",
    )
    query = filters.with_joins(select(state, func.count())).where(
        *filters.conditions(today, with_state=False)
    )
    found: dict[str, int] = dict(session.execute(query.group_by(state)).tuples().all())
    return {key: found.get(key, 0) for key in STATES}


def locations(*, session: Session, scope: frozenset[int] | None = None) -> list[Location]:
    """Every location (of the municipalities in `scope`), by name (the location filter)."""
    query = select(Location).order_by(Location.name)
    if scope is not None:
        query = query.where(Location.municipality_id.in_(scope))
    return list(session.scalars(query))
