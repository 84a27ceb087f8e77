"""Today's spreekuur bookings per location and the callback queue, each markable as done."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.models import CaseStatus
from bot.backend.services import bookings, callbacks, checkins, staff_scope
from bot.backend.services.booking_export import bookings_on
from bot.backend.services.clock import local_today
from bot.backend.services.errors import ServiceError
from bot.backend.services.paging import page_number
from bot.backend.services.reminder_overview import reminder_overview
from bot.backend.staff_web.deps import Staff, StaffPost
from bot.backend.staff_web.errors import StaffPageError
from bot.backend.staff_web.ids import not_found, parse_id
from bot.backend.staff_web.pages import redirect, render
from bot.backend.staff_web.rasa_client import RasaClient, RasaUnavailable
from bot.shared.phone import format_national

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/vandaag", include_in_schema=False)
def today_page(
    request: Request, sessions: Sessions, settings: SettingsDep, user: Staff, pagina: str = "1"
) -> Response:
    today = local_today(settings.tz)
    with sessions.begin() as db:  # only this person's municipalities
        todays = bookings_on(session=db, day=today, scope=user.scope)
        per_location = [
            (name, list(items))
            for name, items in groupby(todays, key=lambda b: b.slot.schedule.location.name)
        ]
        queue = callbacks.callback_queue(session=db, page=page_number(pagina), scope=user.scope)
        reminders = reminder_overview(session=db, bookings=todays)
        attention = checkins.answers_needing_attention(session=db, now=datetime.now(UTC), scope=user.scope)
    return render(
        request,
        "today.html",
        today=today,
        per_location=per_location,
        queue=queue.items,
        attention=attention,
        page=queue,
        phone=format_national,
        reminders=reminders,
    )


@router.post("/afspraken/{booking_id}/klaar", include_in_schema=False)
def booking_done(request: Request, sessions: Sessions, user: StaffPost, booking_id: str) -> Response:
    number = parse_id(booking_id, "Deze afspraak")
    try:
        with sessions.begin() as db:
            staff_scope.require_in_scope(session=db, kind="booking", number=number, scope=user.scope)
            bookings.mark_booking_done(session=db, booking_id=number, actor=user.actor)
    except ServiceError as error:
        if error.status == 404:
            raise not_found("Deze afspraak") from None
        raise StaffPageError(error.status, "Niet gelukt", error.message) from None
    return redirect(request, "/staff/vandaag", notice="afspraak_klaar")


@router.post("/terugbellen/{callback_id}/klaar", include_in_schema=False)
def callback_done(
    request: Request, sessions: Sessions, settings: SettingsDep, user: StaffPost, callback_id: str
) -> Response:
    number = parse_id(callback_id, "Dit terugbelverzoek")
    try:
        with sessions.begin() as db:
            staff_scope.require_in_scope(session=db, kind="callback", number=number, scope=user.scope)
            was_done = callbacks.get_callback(session=db, callback_id=number).status is CaseStatus.DONE
            callback = callbacks.set_callback_status(
                session=db, callback_id=number, status=CaseStatus.DONE, actor=user.actor
            )
            follow_up = None if was_done else checkins.callback_follow_up(session=db, callback=callback)
    except ServiceError:
        raise not_found("Dit terugbelverzoek") from None
    if follow_up is not None:  # the bot offers the resident a check-in (issue 24); best effort
        try:
            RasaClient.from_settings(settings).callback_done(
                follow_up.conversation_id, callback_id=follow_up.callback_id, channel=follow_up.channel
            )
        except RasaUnavailable as error:
            logger.warning("The bot was not told that callback %d was done: %s", number, error)
    return redirect(request, "/staff/vandaag", notice="terugbellen_klaar")
