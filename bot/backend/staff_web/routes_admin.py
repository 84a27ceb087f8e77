"""Beheerder pages: staff accounts (create, role, deactivate, reset password) and spreekuur schedules.

A beheerder sees and changes only the spreekuren (and their locations) of the municipalities they work for
(`StaffIdentity.scope`); another municipality's spreekuur answers the 404 page, as one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.models import StaffRole
from bot.backend.services import locations, municipalities, schedules, staff
from bot.backend.services.clock import local_today
from bot.backend.services.errors import ServiceError, invalid
from bot.backend.staff_web.deps import Admin, AdminPost, StaffIdentity
from bot.backend.staff_web.ids import not_found, parse_id
from bot.backend.staff_web.pages import redirect, render

router = APIRouter(prefix="/beheer")
STAFF_PAGE = "/staff/beheer/medewerkers"
SCHEDULES_PAGE = "/staff/beheer/spreekuren"
Text = Annotated[str, Form()]
#: The municipalities (slugs) ticked in a form.
Places = Annotated[list[str], Form()]
# How the 404 page names what is missing.
AN_ACCOUNT = "Dit account"
A_SCHEDULE = "Dit spreekuur"


def _staff_page(
    request: Request,
    sessions: Sessions,
    user: StaffIdentity,
    *,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    with sessions.begin() as db:
        users = staff.list_staff_users(session=db, scope=user.scope)
        # The municipalities this beheerder may hand out: their own.
        places = [item for item in municipalities.list_municipalities(session=db) if item.id in user.scope]
    return render(
        request,
        "admin_staff.html",
        status=status,
        users=users,
        places=places,
        error=error,
        form=form or {},
        roles=list(StaffRole),
    )


@router.get("/medewerkers", include_in_schema=False)
def staff_page(request: Request, sessions: Sessions, admin: Admin) -> Response:
    return _staff_page(request, sessions, admin)


@router.post("/medewerkers", include_in_schema=False)
def create_staff(
    request: Request,
    sessions: Sessions,
    admin: AdminPost,
    username: Text = "",
    display_name: Text = "",
    role: Text = "",
    password: Text = "",
    gemeente: Places = [],  # noqa: B006 (FastAPI copies the default)
) -> Response:
    form = {"username": username[:100], "display_name": display_name[:200], "role": role}
    try:
        parsed_role = StaffRole(role)
    except ValueError:
        return _staff_page(request, sessions, admin, status=422, error="Kies een rol.", form=form)
    try:
        with sessions.begin() as db:
            gemeente = gemeente or _only_municipality(db, admin)
            _check_may_hand_out(db, gemeente, admin)
            staff.create_staff_user(
                session=db,
                username=username,
                display_name=display_name,
                password=password,
                role=parsed_role,
                actor=admin.actor,
                municipalities=gemeente[:50],
            )
    except ServiceError as error:
        return _staff_page(request, sessions, admin, status=error.status, error=error.message, form=form)
    return redirect(request, STAFF_PAGE, notice="account_aangemaakt")


@router.post("/medewerkers/{user_id}/{change}", include_in_schema=False)
def change_staff(
    request: Request,
    sessions: Sessions,
    admin: AdminPost,
    user_id: str,
    change: str,
    role: Text = "",
    active: Text = "",
    password: Text = "",
    gemeente: Places = [],  # noqa: B006 (FastAPI copies the default)
) -> Response:
    number = parse_id(user_id, AN_ACCOUNT)
    if change == "rol" and role not in {item.value for item in StaffRole}:
        return _staff_page(request, sessions, admin, status=422, error="Kies een rol.")
    try:
        with sessions.begin() as db:
            staff.require_account_in_scope(session=db, user_id=number, scope=admin.scope)
            if change == "rol":
                staff.set_staff_role(
                    session=db, user_id=number, role=StaffRole(role), actor=admin.actor, actor_id=admin.id
                )
                notice = "account_gewijzigd"
            elif change == "actief":
                staff.set_staff_active(
                    session=db, user_id=number, active=active == "ja", actor=admin.actor, actor_id=admin.id
                )
                notice = "account_gewijzigd"
            elif change == "wachtwoord":
                staff.reset_staff_password(session=db, user_id=number, password=password, actor=admin.actor)
                notice = "wachtwoord_gewijzigd"
            elif change == "gemeenten":
                _check_may_hand_out(db, gemeente, admin)
                staff.set_staff_municipalities(session=db, user_id=number, slugs=gemeente[:50],
                                               actor=admin.actor, allowed=admin.scope)  # fmt: skip
                notice = "account_gewijzigd"
            else:
                raise not_found()
    except ServiceError as error:
        if error.status == 404:
            raise not_found(AN_ACCOUNT) from None
        return _staff_page(request, sessions, admin, status=error.status, error=error.message)
    return redirect(request, STAFF_PAGE, notice=notice)


def _only_municipality(db: Session, admin: StaffIdentity) -> list[str]:
    """Nothing ticked: the beheerder's own municipality when they have one; else they must choose."""
    if len(admin.scope) != 1:
        raise invalid("municipalities", "Kies minstens een gemeente.")
    return [item.slug for item in municipalities.list_municipalities(session=db) if item.id in admin.scope]


def _check_may_hand_out(db: Session, slugs: list[str], admin: StaffIdentity) -> None:
    """A beheerder hands out only municipalities they work for themselves (a regional one: several)."""
    for slug in slugs[:50]:
        found = municipalities.find_by_slug(session=db, slug=slug)
        if found is None or found.id not in admin.scope:
            raise invalid("municipalities", "Je kunt alleen gemeenten kiezen waar je zelf voor werkt.")


def _form_input(fields: dict[str, str]) -> schedules.ScheduleInput:
    return schedules.ScheduleInput(**{key: value[:200] for key, value in fields.items()})


def _schedule_form(
    request: Request,
    sessions: Sessions,
    admin: StaffIdentity,
    *,
    schedule_id: int | None,
    data: schedules.ScheduleInput,
    status: int = 200,
    error: str = "",
) -> Response:
    with sessions.begin() as db:
        schedule = (
            schedules.get_schedule(session=db, schedule_id=schedule_id, scope=admin.scope)
            if schedule_id
            else None
        )
        location = schedule.location if schedule else None
        all_locations = locations.list_locations(session=db, scope=admin.scope)
    return render(
        request,
        "schedule_form.html",
        status=status,
        schedule=schedule,
        location=location,
        locations=all_locations,
        data=data,
        error=error,
    )


@router.get("/spreekuren", include_in_schema=False)
def schedules_page(request: Request, sessions: Sessions, settings: SettingsDep, admin: Admin) -> Response:
    today = local_today(settings.tz)
    with sessions.begin() as db:
        items = schedules.list_schedules(session=db, scope=admin.scope)
    return render(request, "admin_schedules.html", items=items, today=today, is_active=schedules.is_active)


@router.get("/spreekuren/nieuw", include_in_schema=False)
def new_schedule_page(request: Request, sessions: Sessions, admin: Admin) -> Response:
    return _schedule_form(
        request, sessions, admin, schedule_id=None, data=schedules.ScheduleInput(capacity="1")
    )


@router.post("/spreekuren", include_in_schema=False)
def create_schedule(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    admin: AdminPost,
    location_id: Text = "",
    topic: Text = "",
    title: Text = "",
    weekday: Text = "",
    start: Text = "",
    end: Text = "",
    capacity: Text = "",
    slot_minutes: Text = "",
    valid_from: Text = "",
    valid_until: Text = "",
) -> Response:
    data = _form_input(
        dict(
            location_id=location_id,
            topic=topic,
            title=title,
            weekday=weekday,
            start=start,
            end=end,
            capacity=capacity,
            slot_minutes=slot_minutes,
            valid_from=valid_from,
            valid_until=valid_until,
        )
    )
    try:
        with sessions.begin() as db:
            schedules.create_schedule(
                session=db,
                data=data,
                today=local_today(settings.tz),
                horizon_days=settings.slot_horizon_days,
                actor=admin.actor,
                scope=admin.scope,
            )
    except ServiceError as error:
        return _schedule_form(
            request, sessions, admin, schedule_id=None, data=data, status=error.status, error=error.message
        )
    return redirect(request, SCHEDULES_PAGE, notice="spreekuur_aangemaakt")


@router.get("/spreekuren/{schedule_id}", include_in_schema=False)
def edit_schedule_page(request: Request, sessions: Sessions, admin: Admin, schedule_id: str) -> Response:
    number = parse_id(schedule_id, A_SCHEDULE)
    with sessions.begin() as db:
        try:
            item = schedules.get_schedule(session=db, schedule_id=number, scope=admin.scope)
        except ServiceError:
            raise not_found(A_SCHEDULE) from None
        data = schedules.ScheduleInput(
            title=item.title,
            capacity=str(item.capacity),
            valid_until=item.valid_until.isoformat() if item.valid_until else "",
        )
    return _schedule_form(request, sessions, admin, schedule_id=number, data=data)


@router.post("/spreekuren/{schedule_id}", include_in_schema=False)
def update_schedule(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    admin: AdminPost,
    schedule_id: str,
    title: Text = "",
    capacity: Text = "",
    valid_until: Text = "",
) -> Response:
    number = parse_id(schedule_id, A_SCHEDULE)
    data = _form_input(dict(title=title, capacity=capacity, valid_until=valid_until))
    try:
        with sessions.begin() as db:
            schedules.update_schedule(
                session=db,
                schedule_id=number,
                data=data,
                today=local_today(settings.tz),
                horizon_days=settings.slot_horizon_days,
                actor=admin.actor,
                scope=admin.scope,
            )
    except ServiceError as error:
        if error.status == 404:
            raise not_found(A_SCHEDULE) from None
        return _schedule_form(
            request, sessions, admin, schedule_id=number, data=data, status=error.status, error=error.message
        )
    return redirect(request, SCHEDULES_PAGE, notice="spreekuur_gewijzigd")


@router.post("/spreekuren/{schedule_id}/stoppen", include_in_schema=False)
def deactivate_schedule(
    request: Request, sessions: Sessions, settings: SettingsDep, admin: AdminPost, schedule_id: str
) -> Response:
    number = parse_id(schedule_id, A_SCHEDULE)
    try:
        with sessions.begin() as db:
            schedules.deactivate_schedule(
                session=db,
                schedule_id=number,
                today=local_today(settings.tz),
                actor=admin.actor,
                scope=admin.scope,
            )
    except ServiceError:
        raise not_found(A_SCHEDULE) from None
    return redirect(request, SCHEDULES_PAGE, notice="spreekuur_gestopt")
