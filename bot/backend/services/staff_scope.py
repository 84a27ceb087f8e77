"""Which cases a staff member may see and act on: those of the municipalities they work for (issue 23).

A scope is a frozenset of municipality ids. A case outside it is answered as if it did not exist (the
staff pages show their 404 page), so its existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Booking, CallbackRequest, Handover, Location, Municipality, Schedule, Slot
from bot.backend.models import StaffMunicipality as Link
from bot.backend.services.errors import NotFound

Scope = frozenset[int]


def scope_of(*, session: Session, user_id: int) -> Scope:
    return frozenset(session.scalars(select(Link.municipality_id).where(Link.staff_user_id == user_id)))


def all_municipality_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Municipality.id)))


def municipality_names(*, session: Session, scope: Scope) -> dict[int, str]:
    """Names by id of the municipalities in the scope (for the pages)."""
    rows = session.execute(select(Municipality.id, Municipality.name).where(Municipality.id.in_(scope)))
    return dict(rows.tuples().all())


def _municipality_of(session: Session, kind: str, number: int) -> int | None:
    if kind == "handover":
        return session.scalar(select(Handover.municipality_id).where(Handover.id == number))
    if kind == "callback":
        return session.scalar(select(CallbackRequest.municipality_id).where(CallbackRequest.id == number))
    return session.scalar(
        select(Location.municipality_id)
        .join(Schedule, Schedule.location_id == Location.id)
        .join(Slot, Slot.schedule_id == Schedule.id)
        .join(Booking, Booking.slot_id == Slot.id)
        .where(Booking.id == number)
    )


_NOT_FOUND = {
    "handover": ("handover_not_found", "Deze overdracht bestaat niet."),
    "callback": ("callback_not_found", "Dit terugbelverzoek bestaat niet."),
    "booking": ("booking_not_found", "Deze afspraak bestaat niet."),
}


def require_in_scope(*, session: Session, kind: str, number: int, scope: Scope) -> None:
    """Raise the case's own NotFound when it does not exist or belongs to a municipality outside `scope`."""
    if _municipality_of(session, kind, number) not in scope:
        raise NotFound(*_NOT_FOUND[kind])
