"""Quiet hours: when the assistant sends a resident nothing it was not asked for (issue 24).

Reminders and check-ins wait for the morning: no message between 20:00 and 09:00 local time (the
`QUIET_HOURS` setting) nor on a Sunday. A reminder "the day before" goes out at the last allowed moment
before its time instead (Saturday for a Monday spreekuur).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SUNDAY = 6


@dataclass(frozen=True)
class QuietHours:
    """Quiet from `start` until `end` the next morning (local wall-clock times), and all of Sunday."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """`"20:00-09:00"`; raises ValueError on an impossible time or an empty allowed window."""
        first, _, second = text.partition("-")
        quiet = cls(time.fromisoformat(first.strip()), time.fromisoformat(second.strip()))
        if quiet.start <= quiet.end:
            raise ValueError("quiet hours run from the evening to the next morning, e.g. 20:00-09:00")
        return quiet

    def allows(self, local: datetime) -> bool:
        return local.weekday() != SUNDAY and self.end <= local.time() < self.start

    def allowed_moment(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The earliest moment at or after `moment` when a message may go out (UTC)."""
        local = moment.astimezone(tz)
        for _ in range(4):  # at most: evening -> next morning -> (Sunday) -> Monday morning
            if self.allows(local):
                return local.astimezone(UTC)
            if local.time() >= self.start:
                local = _at(local.date() + timedelta(days=1), self.end, tz)
            elif local.time() < self.end:
                local = _at(local.date(), self.end, tz)
            else:  # a Sunday within the allowed hours
                local = _at(local.date() + timedelta(days=1), self.end, tz)
        raise AssertionError("no allowed moment found")  # pragma: no cover - start > end guarantees one

    def latest_allowed_before(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The last moment at or before `moment` when a message may go out (UTC)."""
        local = moment.astimezone(tz)
        for _ in range(4):
            if self.allows(local):
                return local.astimezone(UTC)
            just_before_start = (datetime.combine(local.date(), self.start) - timedelta(minutes=1)).time()
            if local.time() < self.end or local.weekday() == SUNDAY and local.time() < self.start:
                local = _at(local.date() - timedelta(days=1), just_before_start, tz)
            else:  # after the evening's start
                local = _at(local.date(), just_before_start, tz)
        raise AssertionError("no allowed moment found")  # pragma: no cover


def _at(day: date, wall: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=tz)
