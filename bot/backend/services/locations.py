"""Locations of the wijkteam's spreekuren."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Location
from bot.backend.services.errors import NotFound


def list_locations(
    *,
    session: Session,
    wijk: str | None = None,
    municipality_id: int | None = None,
    scope: frozenset[int] | None = None,
) -> list[Location]:
    """The locations, by name; of one municipality, or of those in `scope` (a staff member's), when given."""
    query = select(Location).order_by(Location.name)
    if scope is not None:
        query = query.where(Location.municipality_id.in_(scope))
    if wijk is not None:
        query = query.where(Location.wijk == wijk)
    if municipality_id is not None:
        query = query.where(Location.municipality_id == municipality_id)
    return list(session.scalars(query))


def get_location(*, session: Session, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        raise NotFound("location_not_found", "Deze locatie bestaat niet.")
    return location


def find_location_by_name(*, session: Session, name: str) -> Location | None:
    return session.scalars(select(Location).where(Location.name == name)).first()
