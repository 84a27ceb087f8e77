"""`GET /calendar/{token}.ics`: a booking's calendar file, for the widget's "Zet in je agenda" link.

Public (a resident's browser or calendar app opens it), so no service token: the signed token in the
path opens one booking only (services/booking_calendar.py). A cancelled or deleted booking is gone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.api.openapi import NOT_FOUND
from bot.backend.models import Booking
from bot.backend.services import booking_calendar
from bot.backend.services.errors import NotFound

router = APIRouter(tags=["calendar"])

Token = Annotated[str, Path(min_length=3, max_length=40, pattern=r"^[0-9]{1,10}-[A-Za-z0-9_\-]{1,30}$")]


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The booking as an iCalendar file"},
        **NOT_FOUND,
    },
)
def booking_calendar_file(sessions: Sessions, settings: SettingsDep, token: Token) -> Response:
    """The booking's .ics file (Europe/Amsterdam with its VTIMEZONE); 404 when cancelled or unknown."""
    booking_id = booking_calendar.booking_id_of(settings, token)
    with sessions.begin() as session:
        booking = session.get(Booking, booking_id) if booking_id is not None else None
        try:
            body = booking_calendar.booking_ics(settings, booking) if booking is not None else None
        except NotFound:
            body = None
    if body is None:
        raise NotFound("booking_not_found", booking_calendar.CALENDAR_GONE)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="afspraak-wijkteam.ics"',
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
        },
    )
