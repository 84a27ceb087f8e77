"""Quiet hours (issue 24): no message between 20:00 and 09:00 local time nor on a Sunday; a message
planned in them moves to the next allowed moment, a reminder "the day before" to the last one before."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.backend.services.quiet_hours import QuietHours

AMS = ZoneInfo("Europe/Amsterdam")
QUIET = QuietHours.parse("20:00-09:00")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("planned", "sent"),
    [
        ("2026-12-08 10:00", "2026-12-08 10:00"),  # a Tuesday morning: as planned
        ("2026-12-08 19:59", "2026-12-08 19:59"),
        ("2026-12-08 20:00", "2026-12-09 09:00"),  # the evening: the next morning
        ("2026-12-09 06:30", "2026-12-09 09:00"),  # the night: that morning
        ("2026-12-12 21:00", "2026-12-14 09:00"),  # Saturday evening: Monday, not Sunday
        ("2026-12-13 12:00", "2026-12-14 09:00"),  # Sunday noon: Monday
        ("2027-03-28 08:00", "2027-03-29 09:00"),  # the Sunday clocks go forward
    ],
)
def test_a_message_in_quiet_hours_waits_for_the_next_allowed_moment(planned: str, sent: str) -> None:
    moved = QUIET.allowed_moment(local(planned), AMS)
    assert moved.astimezone(AMS) == local(sent)
    assert moved.utcoffset() is not None and moved.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("wanted", "sent"),
    [
        ("2026-12-08 10:00", "2026-12-08 10:00"),
        ("2026-12-09 07:00", "2026-12-08 19:59"),  # early morning: the evening before
        ("2026-12-13 10:00", "2026-12-12 19:59"),  # a Sunday (the day before a Monday): Saturday
        ("2026-12-14 08:00", "2026-12-12 19:59"),  # Monday before nine: back past the Sunday
    ],
)
def test_a_reminder_goes_out_at_the_last_allowed_moment_before(wanted: str, sent: str) -> None:
    assert QUIET.latest_allowed_before(local(wanted), AMS).astimezone(AMS) == local(sent)


@pytest.mark.parametrize("text", ["09:00-20:00", "25:00-09:00", "20:00", "avond"])
def test_impossible_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        QuietHours.parse(text)
