"""The staff session cookie: a signed, timestamped random token (itsdangerous); nothing else.

A logged-in session is a record on the server (`services/staff_sessions.py`, table `staff_sessions`) found
by that token's hash, so logout, a password reset and switching an account off end it everywhere at once.
Without a record the token is an anonymous session: it only carries the CSRF token of the login form.
The CSRF token is derived from the session token (HMAC with the secret), so a new login means a new token.

Cookie flags: HttpOnly, SameSite=Strict, path /staff, Secure outside development.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.backend.services.staff_sessions import new_token
from bot.backend.settings import BackendSettings

COOKIE_NAME = "voordeur_staff"
COOKIE_PATH = "/staff"
#: A login page's anonymous session (it only carries the CSRF token of the login form).
ANONYMOUS_MAX_AGE = 2 * 60 * 60
_TOKEN_MAX = 100


@lru_cache(maxsize=1)
def _process_secret() -> str:
    """Development without STAFF_SESSION_SECRET: a random secret for this process only."""
    return secrets.token_urlsafe(32)


def session_secret(settings: BackendSettings) -> str | None:
    """The signing secret; None when the staff pages are not configured (outside development, no secret)."""
    if settings.staff_session_secret:
        return settings.staff_session_secret
    return _process_secret() if settings.development else None


@dataclass(frozen=True)
class StaffSession:
    """The browser's session: its random token, the CSRF token derived from it, and whether to (re)send it."""

    token: str
    csrf: str
    changed: bool = False
    #: Set on the response of a login: the cookie then lasts as long as the login.
    logged_in: bool = False


def _csrf_for(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{token}".encode(), hashlib.sha256).hexdigest()


def new_session(secret: str, *, logged_in: bool = False) -> StaffSession:
    """A fresh token (login, logout, or a browser without a valid cookie)."""
    token = new_token()
    return StaffSession(token=token, csrf=_csrf_for(token, secret), changed=True, logged_in=logged_in)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="voordeur-staff-session")


def load_session(request: Request, settings: BackendSettings, secret: str) -> StaffSession:
    """The request's session, or a new anonymous one (marked changed, so the response sets the cookie)."""
    raw = request.cookies.get(COOKIE_NAME)
    if raw and len(raw) <= 4 * _TOKEN_MAX:
        try:
            payload = _serializer(secret).loads(raw, max_age=settings.staff_session_minutes * 60)
        except BadSignature:  # also SignatureExpired: the session is over
            payload = None
        token = payload.get("s") if isinstance(payload, dict) else None
        if isinstance(token, str) and 0 < len(token) <= _TOKEN_MAX:
            return StaffSession(token=token, csrf=_csrf_for(token, secret))
    return new_session(secret)


def write_session(response: Response, session: StaffSession, settings: BackendSettings, secret: str) -> None:
    max_age = settings.staff_session_minutes * 60 if session.logged_in else ANONYMOUS_MAX_AGE
    response.set_cookie(
        COOKIE_NAME,
        _serializer(secret).dumps({"s": session.token}),
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=not settings.development,
    )


def clear_session(response: Response, settings: BackendSettings) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="strict", secure=not settings.development
    )
