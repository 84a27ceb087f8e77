"""Lock-out after repeated failed staff logins, per typed username (also names that do not exist).

`STAFF_LOCKOUT_FAILURES` failures in a row lock the username for `STAFF_LOCKOUT_MINUTES`; a successful
login resets the count. Stored in the database, so a restart or a second backend process changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import StaffLoginFailure

USERNAME_KEY_MAX = 100


def _key(username: str) -> str:
    return username.strip().lower()[:USERNAME_KEY_MAX]


def _row(session: Session, username: str) -> StaffLoginFailure | None:
    return session.scalars(
        select(StaffLoginFailure).where(StaffLoginFailure.username == _key(username))
    ).first()


def locked_until(*, session: Session, username: str, now: datetime | None = None) -> datetime | None:
    """When the username is locked: until when; else None."""
    now = now or datetime.now(UTC)
    row = _row(session, username)
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def record_failure(
    *, session: Session, username: str, max_failures: int, lock_minutes: int, now: datetime | None = None
) -> datetime | None:
    """Count one failure; returns the lock's end when this failure locks the username."""
    now = now or datetime.now(UTC)
    row = _row(session, username)
    if row is None:
        row = StaffLoginFailure(username=_key(username), failures=0)
        session.add(row)
    if row.locked_until is not None and row.locked_until <= now:  # an expired lock starts a new count
        row.failures, row.locked_until = 0, None
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= max_failures:
        row.locked_until = now + timedelta(minutes=lock_minutes)
    session.flush()
    return row.locked_until


def reset(*, session: Session, username: str) -> None:
    row = _row(session, username)
    if row is not None:
        session.delete(row)
        session.flush()
