"""Log in (lock-out per username and throttle per client after repeated failures) and log out (the
server-side session record is revoked); every attempt goes to the audit log (services/staff_login.py)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services import staff_login
from bot.backend.services.staff_login import LoginOutcome
from bot.backend.settings import BackendSettings
from bot.backend.staff_web.deps import REVIEW_PAGE, AnyStaff, AnyStaffPost, csrf_protect, staff_session
from bot.backend.staff_web.pages import redirect, render
from bot.backend.staff_web.session import StaffSession, new_session

router = APIRouter()
_NEXT = re.compile(r"^/staff/[A-Za-z0-9/_\-]{0,200}$")
HOME = "/staff/overdrachten"
WRONG = "Deze combinatie van gebruikersnaam en wachtwoord klopt niet."


def _next(value: str) -> str:
    return value if _NEXT.match(value) and "//" not in value else HOME


@router.get("/", include_in_schema=False)
def home(request: Request, user: AnyStaff) -> Response:
    return redirect(request, REVIEW_PAGE if user.is_editor else HOME)


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
    fresh = new_session(request.state.staff_secret, logged_in=True)  # never the token from before
    with sessions.begin() as db:
        outcome = staff_login.attempt_login(
            session=db,
            username=username,
            password=password,
            client_host=request.client.host if request.client else None,
            token=fresh.token,
            settings=settings,
        )
    if outcome is LoginOutcome.OK:
        request.state.staff_session = fresh
        return redirect(request, _next(volgende))
    if outcome is LoginOutcome.WRONG:
        return render(request, "login.html", status=401, error=WRONG, next_path=_next(volgende),
                      username=username)  # fmt: skip
    minutes, error = _refusal(outcome, settings)
    response = render(request, "login.html", status=429, error=error, next_path=_next(volgende),
                      username=username)  # fmt: skip
    response.headers["Retry-After"] = str(60 * minutes)
    return response


def _refusal(outcome: LoginOutcome, settings: BackendSettings) -> tuple[int, str]:
    """How many minutes to wait, and the kind Dutch message, for a locked username or a throttled client."""
    if outcome is LoginOutcome.THROTTLED:
        minutes = settings.staff_login_client_window_minutes
        return minutes, (
            f"Vanaf dit apparaat of netwerk is te vaak verkeerd ingelogd. Wacht {minutes} minuten en probeer "
            "het dan opnieuw. Lukt het dan nog niet? Vraag een beheerder om hulp."
        )
    minutes = settings.staff_lockout_minutes
    return minutes, (
        f"Te veel mislukte pogingen. Deze gebruikersnaam is {minutes} minuten geblokkeerd. "
        "Probeer het daarna opnieuw of vraag een beheerder om hulp."
    )


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request,
    sessions: Sessions,
    user: AnyStaffPost,
    session: Annotated[StaffSession, Depends(staff_session)],
) -> Response:
    with sessions.begin() as db:
        staff_login.log_out(session=db, token=session.token, user_id=user.id, actor=user.actor)
    request.state.staff_session = new_session(request.state.staff_secret)
    request.state.staff_user = None
    return redirect(request, "/staff/login", notice="uitgelogd")
