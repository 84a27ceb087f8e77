"""Long lists: every spreekuur booking (`/staff/afspraken`) and the audit log (`/staff/beheer/logboek`,
beheerders only), each 50 a page with true counts, filters and a search (issue 21); both only of the
staff member's municipalities (issue 23)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services import audit_log, booking_list, staff_scope
from bot.backend.services.clock import local_today
from bot.backend.services.paging import page_number
from bot.backend.services.reminder_overview import reminder_overview
from bot.backend.staff_web.deps import Admin, Staff
from bot.backend.staff_web.pages import render
from bot.shared.phone import format_national

router = APIRouter()


@router.get("/afspraken", include_in_schema=False)
def bookings_page(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    user: Staff,
    periode: str = "",
    status: str = "",
    onderwerp: str = "",
    locatie: str = "",
    zoek: str = "",
    pagina: str = "1",
) -> Response:
    filters, dropped = booking_list.BookingFilter.parse(
        periode[:30], status[:30], onderwerp[:30], locatie[:30], zoek[:200]
    )
    filters = replace(filters, scope=user.scope)  # only the bookings of this person's municipalities
    today = local_today(settings.tz)
    with sessions.begin() as db:
        page = booking_list.booking_page(session=db, filters=filters, today=today, page=page_number(pagina))
        counts = booking_list.state_counts(session=db, filters=filters, today=today)
        reminders = reminder_overview(session=db, bookings=page.items)
        locations = [
            (location.id, location.name) for location in booking_list.locations(session=db, scope=user.scope)
        ]
    return render(
        request,
        "bookings.html",
        page=page,
        filters=filters,
        counts=counts,
        locations=locations,
        dropped=dropped,
        query=filters.query_string(),
        state_of=booking_list.state_of,
        PERIODS=booking_list.PERIODS,
        BOOKING_STATES=booking_list.STATES,
        order_text=booking_list.ORDER_TEXT[filters.period],
        phone=format_national,
        reminders=reminders,
    )


@router.get("/beheer/logboek", include_in_schema=False)
def audit_page(
    request: Request,
    sessions: Sessions,
    admin: Admin,
    soort: str = "",
    actie: str = "",
    zoek: str = "",
    pagina: str = "1",
) -> Response:
    filters, dropped = audit_log.AuditFilter.parse(soort[:30], actie[:60], zoek[:200])
    with sessions.begin() as db:
        if not set(staff_scope.all_municipality_ids(db)) <= admin.scope:
            filters = replace(filters, scope=admin.scope)  # only the lines about their municipalities
        page = audit_log.audit_page(session=db, filters=filters, page=page_number(pagina))
    return render(
        request,
        "audit.html",
        page=page,
        filters=filters,
        dropped=dropped,
        query=filters.query_string(),
        KINDS=audit_log.KINDS,
        ACTIONS=audit_log.ACTIONS,
        action_label=audit_log.action_label,
        detail_items=audit_log.detail_items,
    )
