"""The staff session: a signed, time-limited cookie (itsdangerous) holding the user id and the CSRF token.

Cookie flags: HttpOnly, SameSite=Strict, path /staff, Secure outside development. The cookie also holds a
fingerprint of the user's password hash, so resetting a password ends that user's other sessions. Each
request re-reads the account, so a deactivated account or a changed role takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.backend.settings import BackendSettings

COOKIE_NAME = "voordeur_staff"
COOKIE_PATH = "/staff"
#: A login page's anonymous session (it only carries the CSRF token of the login form).
ANONYMOUS_MAX_AGE = 2 * 60 * 60


@lru_cache(maxsize=1)
def _process_secret() -> str:
    """Development without STAFF_SESSION_SECRET: a random secret for this process only."""
    return secrets.token_urlsafe(32)


def session_secret(settings: BackendSettings) -> str | None:
    """The signing secret; None when the staff pages are not configured (outside development, no secret)."""
    if settings.staff_session_secret:
        return settings.staff_session_secret
    return _process_secret() if settings.development else None


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass
class StaffSession:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user_id: int | None = None
    fingerprint: str = ""
    changed: bool = False

    def as_payload(self) -> dict[str, Any]:
        return {"c": self.csrf, "u": self.user_id, "f": self.fingerprint}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="voordeur-staff-session")


def load_session(request: Request, settings: BackendSettings, secret: str) -> StaffSession:
    """The request's session, or a new anonymous one (marked changed, so the response sets the cookie)."""
    raw = request.cookies.get(COOKIE_NAME)
    if raw:
        try:
            payload = _serializer(secret).loads(raw, max_age=settings.staff_session_minutes * 60)
            if isinstance(payload, dict) and isinstance(payload.get("c"), str):
                user_id = payload.get("u")
                return StaffSession(
                    csrf=payload["c"],
                    user_id=user_id if isinstance(user_id, int) else None,
                    fingerprint=str(payload.get("f") or ""),
                )
        except BadSignature:  # also SignatureExpired: the session is over
            pass
    return StaffSession(changed=True)


def write_session(response: Response, session: StaffSession, settings: BackendSettings, secret: str) -> None:
    max_age = settings.staff_session_minutes * 60 if session.user_id else ANONYMOUS_MAX_AGE
    response.set_cookie(
        COOKIE_NAME,
        _serializer(secret).dumps(session.as_payload()),
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
