"""Log in (with lock-out after repeated failures) and log out; every attempt goes to the audit log."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services import audit, auth_lockout
from bot.backend.services.staff import verify_staff_password
from bot.backend.staff_web.deps import Staff, StaffPost, csrf_protect, staff_session
from bot.backend.staff_web.pages import redirect, render
from bot.backend.staff_web.session import StaffSession, password_fingerprint

router = APIRouter()
_NEXT = re.compile(r"^/staff/[A-Za-z0-9/_\-]{0,200}$")
HOME = "/staff/overdrachten"
WRONG = "Deze combinatie van gebruikersnaam en wachtwoord klopt niet."


def _next(value: str) -> str:
    return value if _NEXT.match(value) and "//" not in value else HOME


@router.get("/", include_in_schema=False)
def home(request: Request, _user: Staff) -> Response:
    return redirect(request, HOME)


@router.get("/login", include_in_schema=False)
def login_page(
    request: Request, _session: Annotated[StaffSession, Depends(staff_session)], volgende: str = ""
) -> Response:
    return render(request, "login.html", next_path=_next(volgende), username="")


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    sessions: Sessions,
    settings: SettingsDep,
    _csrf: Annotated[None, Depends(csrf_protect)],
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "",
) -> Response:
    username = username.strip()[:100]
    key = username.lower()
    with sessions.begin() as db:
        if auth_lockout.locked_until(session=db, username=key) is not None:
            audit.record(
                session=db, actor="login", action="staff.login_locked", entity="staff_user", username=key[:50]
            )
            outcome, user = "locked", None
        else:
            user = None
            if username and 0 < len(password) <= 1024:
                user = verify_staff_password(session=db, username=key, password=password)
            if user is not None:
                auth_lockout.reset(session=db, username=key)
                audit.record(
                    session=db,
                    actor=f"staff:{user.username}",
                    action="staff.login",
                    entity="staff_user",
                    entity_id=user.id,
                )
                outcome = "ok"
                request.state.staff_session = StaffSession(
                    user_id=user.id, fingerprint=password_fingerprint(user.password_hash), changed=True
                )
            else:
                locked = auth_lockout.record_failure(
                    session=db,
                    username=key,
                    max_failures=settings.staff_lockout_failures,
                    lock_minutes=settings.staff_lockout_minutes,
                )
                audit.record(
                    session=db,
                    actor="login",
                    action="staff.login_failed",
                    entity="staff_user",
                    username=key[:50],
                    locked=True if locked else None,
                )
                outcome = "locked" if locked else "wrong"
    if outcome == "ok":
        return redirect(request, _next(volgende))
    if outcome == "locked":
        error = (
            f"Te veel mislukte pogingen. Deze gebruikersnaam is {settings.staff_lockout_minutes} minuten "
            "geblokkeerd. Probeer het daarna opnieuw of vraag een beheerder om hulp."
        )
        return render(
            request, "login.html", status=429, error=error, next_path=_next(volgende), username=username
        )
    return render(
        request, "login.html", status=401, error=WRONG, next_path=_next(volgende), username=username
    )


@router.post("/logout", include_in_schema=False)
def logout(request: Request, sessions: Sessions, user: StaffPost) -> Response:
    with sessions.begin() as db:
        audit.record(
            session=db, actor=user.actor, action="staff.logout", entity="staff_user", entity_id=user.id
        )
    request.state.staff_session = StaffSession(changed=True)
    request.state.staff_user = None
    return redirect(request, "/staff/login", notice="uitgelogd")
