"""Log in (lock-out per username and throttle per client after repeated failures) and log out (the
server-side session record is revoked); every attempt goes to the audit log."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bot.backend.api.deps import Sessions, SettingsDep
from bot.backend.services import audit, auth_lockout, login_throttle, staff_sessions
from bot.backend.services.staff import verify_staff_password
from bot.backend.settings import BackendSettings
from bot.backend.staff_web.deps import Staff, StaffPost, csrf_protect, staff_session
from bot.backend.staff_web.pages import redirect, render
from bot.backend.staff_web.session import StaffSession, new_session

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


def _attempt(request: Request, db: Session, settings: BackendSettings, key: str, password: str) -> str:
    """One login attempt in one transaction: "throttled", "locked", "ok" or "wrong"."""
    client = login_throttle.client_key(request.client.host if request.client else None)
    max_failures = settings.staff_login_client_failures
    window_minutes = settings.staff_login_client_window_minutes
    blocked = login_throttle.blocked_until(
        session=db, client=client, max_failures=max_failures, window_minutes=window_minutes
    )
    if blocked is not None:
        audit.record(session=db, actor="login", action="staff.login_throttled", entity="staff_user",
                     username=key[:50])  # fmt: skip
        return "throttled"
    if auth_lockout.locked_until(session=db, username=key) is not None:
        audit.record(session=db, actor="login", action="staff.login_locked", entity="staff_user",
                     username=key[:50])  # fmt: skip
        return "locked"
    user = None
    if key and 0 < len(password) <= 1024:
        user = verify_staff_password(session=db, username=key, password=password)
    if user is not None:
        auth_lockout.reset(session=db, username=key)
        audit.record(session=db, actor=f"staff:{user.username}", action="staff.login", entity="staff_user",
                     entity_id=user.id)  # fmt: skip
        fresh = new_session(request.state.staff_secret, logged_in=True)  # never the token from before
        staff_sessions.start_session(
            session=db, user_id=user.id, minutes=settings.staff_session_minutes, token=fresh.token
        )
        request.state.staff_session = fresh
        return "ok"
    locked = auth_lockout.record_failure(
        session=db,
        username=key,
        max_failures=settings.staff_lockout_failures,
        lock_minutes=settings.staff_lockout_minutes,
    )
    throttled = login_throttle.record_failure(
        session=db, client=client, max_failures=max_failures, window_minutes=window_minutes
    )
    flags = {"locked": True if locked else None, "throttled": True if throttled else None}
    audit.record(session=db, actor="login", action="staff.login_failed", entity="staff_user",
                 username=key[:50], **flags)  # fmt: skip
    return "throttled" if throttled else "locked" if locked else "wrong"


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
    with sessions.begin() as db:
        outcome = _attempt(request, db, settings, username.lower(), password)
    if outcome == "ok":
        return redirect(request, _next(volgende))
    if outcome == "wrong":
        return render(request, "login.html", status=401, error=WRONG, next_path=_next(volgende),
                      username=username)  # fmt: skip
    minutes, error = _refusal(outcome, settings)
    response = render(request, "login.html", status=429, error=error, next_path=_next(volgende),
                      username=username)  # fmt: skip
    response.headers["Retry-After"] = str(60 * minutes)
    return response


def _refusal(outcome: str, settings: BackendSettings) -> tuple[int, str]:
    """How many minutes to wait, and the kind Dutch message, for a locked username or a throttled client."""
    if outcome == "throttled":
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
    user: StaffPost,
    session: Annotated[StaffSession, Depends(staff_session)],
) -> Response:
    with sessions.begin() as db:
        staff_sessions.revoke(session=db, token=session.token)
        audit.record(
            session=db, actor=user.actor, action="staff.logout", entity="staff_user", entity_id=user.id
        )
    request.state.staff_session = new_session(request.state.staff_secret)
    request.state.staff_user = None
    return redirect(request, "/staff/login", notice="uitgelogd")
