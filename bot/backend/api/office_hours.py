"""`GET /api/office-hours`: whether a staff member can take over a chat now, and when the team opens again.

Per municipality (`?municipality=<slug>`; left out: the default municipality): its own office hours, or the
`OFFICE_HOURS` setting when it has none. Closures without a location close every municipality's team.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bot.backend.api.deps import Sessions, SettingsDep, require_service_token
from bot.backend.api.openapi import API_ERRORS
from bot.backend.api.types import IsoDateTime
from bot.backend.services import municipalities
from bot.backend.services.office_hours import office_hours_status, parse_office_hours
from bot.shared.dutch_calendar import parts_of_day_in

router = APIRouter(prefix="/api", dependencies=[Depends(require_service_token)], responses=API_ERRORS)

MunicipalityQuery = Annotated[
    str | None,
    Query(max_length=40, json_schema_extra={"pattern": municipalities.SLUG_PATTERN},
          description="The resident's municipality (slug); left out: the default municipality"),
]  # fmt: skip


class OfficeHoursOut(BaseModel):
    municipality: str = Field(description="The municipality (slug) whose office hours these are")
    open_now: bool
    next_open: datetime | None
    next_open_label: str | None
    closes_at: datetime | None
    closes_at_label: str | None
    parts_of_day: list[str] = Field(
        description="The parts of the day the team works on some day (ochtend < 12, middag 12-18, avond "
        "from 18): when a callback can be asked for"
    )


@router.get("/office-hours", tags=["handovers"])
def get_office_hours(
    sessions: Sessions,
    settings: SettingsDep,
    at: Annotated[
        IsoDateTime | None,
        Query(description="Another moment than now (ISO 8601, years 2000-2100; without offset: local time)"),
    ] = None,
    municipality: MunicipalityQuery = None,
) -> OfficeHoursOut:
    """Open now? Else the next opening as ISO time and as Dutch text ("dinsdag 24 november om 9.00 uur").

    An unknown municipality is refused (422)."""
    tz = settings.tz
    moment = (at if at.tzinfo else at.replace(tzinfo=tz)) if at is not None else None
    with sessions.begin() as session:
        place = municipalities.resolve(
            session=session, slug=municipality, default=settings.default_municipality
        )
        hours = parse_office_hours(municipalities.office_hours_of(place, settings.office_hours))
        status = office_hours_status(session=session, hours=hours, tz=tz, now=moment)
        slug = place.slug
    return OfficeHoursOut(
        municipality=slug,
        open_now=status.open_now,
        next_open=status.next_open,
        next_open_label=status.next_open_label,
        closes_at=status.closes_at,
        closes_at_label=status.closes_at_label,
        parts_of_day=parts_of_day_in(period for periods in hours.values() for period in periods),
    )
