"""Staff sessions on the server: started at login, ended at logout, password reset, deactivation or expiry.

The browser holds only a random token (in a signed cookie); the table holds its SHA-256, so a copy of the
database opens no session. A session counts only while its record exists, is not revoked, has not expired
and its account is active.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from bot.backend.models import StaffSessionRecord, StaffUser


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    *, session: Session, user_id: int, minutes: int, token: str, now: datetime | None = None
) -> StaffSessionRecord:
    """Record a new login with `token`; also deletes the records that expired (housekeeping)."""
    now = now or datetime.now(UTC)
    session.execute(delete(StaffSessionRecord).where(StaffSessionRecord.expires_at <= now))
    expires_at = now + timedelta(minutes=minutes)
    record = StaffSessionRecord(
        token_hash=token_hash(token), user_id=user_id, created_at=now, expires_at=expires_at
    )
    session.add(record)
    session.flush()
    return record


def active_user(*, session: Session, token: str, now: datetime | None = None) -> StaffUser | None:
    """The active account of a live session with this token, else None."""
    now = now or datetime.now(UTC)
    return session.scalars(
        select(StaffUser)
        .join(StaffSessionRecord, StaffSessionRecord.user_id == StaffUser.id)
        .where(
            StaffSessionRecord.token_hash == token_hash(token),
            StaffSessionRecord.revoked_at.is_(None),
            StaffSessionRecord.expires_at > now,
            StaffUser.active.is_(True),
        )
    ).first()


def revoke(*, session: Session, token: str, now: datetime | None = None) -> None:
    """End one session (logout)."""
    session.execute(
        update(StaffSessionRecord)
        .where(StaffSessionRecord.token_hash == token_hash(token), StaffSessionRecord.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )


def revoke_all(*, session: Session, user_id: int, now: datetime | None = None) -> int:
    """End every session of an account (password reset, switched off); returns how many were live."""
    result = session.execute(
        update(StaffSessionRecord)
        .where(StaffSessionRecord.user_id == user_id, StaffSessionRecord.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC))
    )
    assert isinstance(result, CursorResult)  # an UPDATE's result (typed as a plain Result)
    return result.rowcount or 0
