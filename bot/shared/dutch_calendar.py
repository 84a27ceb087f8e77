"""Dutch names of weekdays and months, and the date labels residents and staff read.

Standard library only: the Rasa actions and the case backend both use it.
"""

from __future__ import annotations

from datetime import date

__all__ = ["MONTHS", "WEEKDAYS", "WEEKDAY_ABBREVIATIONS", "day_label", "full_date_label"]

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
