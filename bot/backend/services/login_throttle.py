"""Throttle on the staff login form per client address, besides the lock-out per username.

`STAFF_LOGIN_CLIENT_FAILURES` failed logins from one client within `STAFF_LOGIN_CLIENT_WINDOW_MINUTES`
(counted from the first failure of the window) refuse further attempts from that client until the window
ends, whatever username is typed. A successful login does not reset the count (an attacker with one valid
account could otherwise keep guessing others). IPv6 clients count per /64 (one home or server gets a whole
/64). Stored in the database, like the lock-out, so restarts and several processes change nothing.

The address is the one uvicorn reports: behind a reverse proxy start uvicorn with `--proxy-headers` and
`FORWARDED_ALLOW_IPS` set to the proxy, or every resident shares the proxy's address (docs/staff.md).
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.models import StaffLoginThrottle

CLIENT_KEY_MAX = 64


def client_key(host: str | None) -> str:
    """`203.0.113.7`, `2001:db8:1:2::/64`; anything unreadable (or no address) as one shared key."""
    try:
        address = ipaddress.ip_address((host or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)[:CLIENT_KEY_MAX]


def _row(session: Session, client: str) -> StaffLoginThrottle | None:
    return session.scalars(select(StaffLoginThrottle).where(StaffLoginThrottle.client == client)).first()


def _forget_ended_windows(session: Session, window: timedelta, now: datetime) -> None:
    """Addresses are personal data: rows go at the first login attempt after their window ends."""
    session.execute(delete(StaffLoginThrottle).where(StaffLoginThrottle.window_start <= now - window))


def blocked_until(
    *, session: Session, client: str, max_failures: int, window_minutes: int, now: datetime | None = None
) -> datetime | None:
    """When the client may try again, if it is throttled now; else None."""
    now = now or datetime.now(UTC)
    _forget_ended_windows(session, timedelta(minutes=window_minutes), now)
    row = _row(session, client)
    if row is None or row.failures < max_failures:
        return None
    until = row.window_start + timedelta(minutes=window_minutes)
    return until if until > now else None


def record_failure(
    *, session: Session, client: str, max_failures: int, window_minutes: int, now: datetime | None = None
) -> datetime | None:
    """Count one failed login of this client; returns the end of the block when this failure starts one."""
    now = now or datetime.now(UTC)
    window = timedelta(minutes=window_minutes)
    _forget_ended_windows(session, window, now)
    row = _row(session, client)
    if row is None:
        try:
            with session.begin_nested():  # two first failures at once: the second counts on the first's row
                session.add(StaffLoginThrottle(client=client, window_start=now, failures=0))
        except IntegrityError:
            pass
        row = _row(session, client)
        assert row is not None
    row.failures += 1
    session.flush()
    return row.window_start + window if row.failures >= max_failures else None
