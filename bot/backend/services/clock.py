"""Local "now" and "today" of the wijkteam (slot times are local wall-clock times)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.backend.settings import get_settings


def local_now(tz: ZoneInfo | None = None) -> datetime:
    """Aware local time; `tz` defaults to the settings' time zone."""
    return datetime.now(tz or get_settings().tz)


def local_today(tz: ZoneInfo | None = None) -> date:
    return local_now(tz).date()
