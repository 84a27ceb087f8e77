"""Logging in to and out of the staff pages: each one transaction (the caller's), each audited.

A login attempt is refused without looking at the password when the client is throttled
(services/login_throttle.py) or the username locked (services/auth_lockout.py). Otherwise the password is
checked; a failure counts against both, a success starts a server-side session with the token the caller
made for the browser's new cookie (services/staff_sessions.py).
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy.orm import Session

from bot.backend.services import audit, auth_lockout, login_throttle, staff_sessions
from bot.backend.services.staff import verify_staff_password
from bot.backend.settings import BackendSettings

#: Longer passwords are not even hashed (a cheap way to make the server work hard).
PASSWORD_MAX = 1024


class LoginOutcome(Enum):
    OK = "ok"
    WRONG = "wrong"  # unknown username or wrong password
    LOCKED = "locked"  # this username, for `STAFF_LOCKOUT_MINUTES`
    THROTTLED = "throttled"  # this client, for `STAFF_LOGIN_CLIENT_WINDOW_MINUTES`


def attempt_login(
    *,
    session: Session,
    username: str,
    password: str,
    client_host: str | None,
    token: str,
    settings: BackendSettings,
) -> LoginOutcome:
    """One login attempt; on OK the session record for `token` exists when the transaction commits."""
    key = username.lower()
    client = login_throttle.client_key(client_host)
    max_failures = settings.staff_login_client_failures
    window_minutes = settings.staff_login_client_window_minutes
    blocked = login_throttle.blocked_until(
        session=session, client=client, max_failures=max_failures, window_minutes=window_minutes
    )
    if blocked is not None:
        audit.record(session=session, actor="login", action="staff.login_throttled", entity="staff_user",
                     username=key[:50])  # fmt: skip
        return LoginOutcome.THROTTLED
    if auth_lockout.locked_until(session=session, username=key) is not None:
        audit.record(session=session, actor="login", action="staff.login_locked", entity="staff_user",
                     username=key[:50])  # fmt: skip
        return LoginOutcome.LOCKED
    user = None
    if key and 0 < len(password) <= PASSWORD_MAX:
        user = verify_staff_password(session=session, username=key, password=password)
    if user is not None:
        auth_lockout.reset(session=session, username=key)
        audit.record(session=session, actor=f"staff:{user.username}", action="staff.login",
                     entity="staff_user", entity_id=user.id)  # fmt: skip
        staff_sessions.start_session(
            session=session, user_id=user.id, minutes=settings.staff_session_minutes, token=token
        )
        return LoginOutcome.OK
    locked = auth_lockout.record_failure(
        session=session,
        username=key,
        max_failures=settings.staff_lockout_failures,
        lock_minutes=settings.staff_lockout_minutes,
    )
    throttled = login_throttle.record_failure(
        session=session, client=client, max_failures=max_failures, window_minutes=window_minutes
    )
    flags = {"locked": True if locked else None, "throttled": True if throttled else None}
    audit.record(session=session, actor="login", action="staff.login_failed", entity="staff_user",
                 username=key[:50], **flags)  # fmt: skip
    if throttled:
        return LoginOutcome.THROTTLED
    return LoginOutcome.LOCKED if locked else LoginOutcome.WRONG


def log_out(*, session: Session, token: str, user_id: int, actor: str) -> None:
    """End the session record of this token (audited); the account's sessions in other browsers stay."""
    staff_sessions.revoke(session=session, token=token)
    audit.record(session=session, actor=actor, action="staff.logout", entity="staff_user", entity_id=user_id)
