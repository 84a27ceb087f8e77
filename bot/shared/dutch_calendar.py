"""Dutch names of weekdays and months, and the date labels residents and staff read.

Standard library only: the Rasa actions and the case backend both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

__all__ = [
    "MONTHS", "PART_HOURS", "WEEKDAYS", "WEEKDAY_ABBREVIATIONS",
    "day_label", "full_date_label", "parts_of_day_in",
]  # fmt: skip

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
#: The two-letter abbreviations, in the same order (`ma` is Monday, index 0 like `date.weekday()`).
WEEKDAY_ABBREVIATIONS = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def day_label(day: date) -> str:
    """`vrijdag 27 november`."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def full_date_label(day: date) -> str:
    """`vrijdag 27 november 2026`."""
    return f"{day_label(day)} {day.year}"


#: The parts of the day residents name, as [start, end) hours.
PART_HOURS = {"ochtend": (0, 12), "middag": (12, 18), "avond": (18, 24)}


def parts_of_day_in(periods: Iterable[tuple[int, int]]) -> list[str]:
    """The parts of the day that overlap any of `periods` (minutes after midnight, [start, end)), in order.

    `ma-vr 09:00-17:00` gives ochtend and middag: a team that works those hours never calls in the evening.
    """
    spans = list(periods)
    return [
        part
        for part, (first, last) in PART_HOURS.items()
        if any(start < last * 60 and end > first * 60 for start, end in spans)
    ]
