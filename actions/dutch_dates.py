"""Understand the Dutch dates and times residents type: "morgen", "vrijdagochtend",
"volgende week dinsdag", "14 december om 10 uur", "27-11", "half 11".

Standard library only (dateparser does not know "volgende week dinsdag" or "half 11" reliably).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.shared.dutch_calendar import MONTHS, PART_HOURS, WEEKDAY_ABBREVIATIONS, WEEKDAYS, day_label

__all__ = ["MONTHS", "WEEKDAYS", "When", "day_label", "parse_when", "part_of_day"]

_WEEKDAY_SHORT = {name: index for index, name in enumerate(WEEKDAY_ABBREVIATIONS)}
_MONTH_SHORT = {name[:3]: index + 1 for index, name in enumerate(MONTHS)}
PARTS_OF_DAY = ("ochtend", "middag", "avond")
_PART_WORDS = {
    "ochtend": "ochtend",
    "ochtends": "ochtend",
    "morgens": "ochtend",
    "middag": "middag",
    "middags": "middag",
    "avond": "avond",
    "avonds": "avond",
}
# Where a part of the day starts and ends (a slot belongs to the part in which it starts).


@dataclass(frozen=True)
class When:
    """What the resident asked for; every field is optional."""

    day: dt.date | None = None
    part_of_day: str | None = None
    time: dt.time | None = None

    @property
    def empty(self) -> bool:
        return self.day is None and self.part_of_day is None and self.time is None


def _next_weekday(today: dt.date, weekday: int, next_week: bool) -> dt.date:
    if next_week:
        monday_next_week = today + dt.timedelta(days=7 - today.weekday())
        return monday_next_week + dt.timedelta(days=weekday)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _parse_day(text: str, today: dt.date) -> dt.date | None:
    if re.search(r"\bovermorgen", text):
        return today + dt.timedelta(days=2)
    # "morgen" is tomorrow, except as a part of the day after a weekday ("vrijdagmorgen") or "'s morgens".
    if re.search(r"(?<![a-z'])morgen(?!s)", text) and not re.search(r"(dag|s)\s?morgen", text):
        return today + dt.timedelta(days=1)
    if re.search(r"\bvandaag\b", text):
        return today
    next_week = bool(re.search(r"\bvolgende\s+week\b", text))
    match = re.search(r"(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?\b", text)
    if match:
        return _complete_date(today, int(match[1]), int(match[2]), match[3])
    month_names = "|".join(sorted([*MONTHS, *_MONTH_SHORT], key=len, reverse=True))
    match = re.search(rf"\b(\d{{1,2}})\s*({month_names})\b\.?(?:\s+(\d{{4}}))?", text)
    if match:
        month = MONTHS.index(match[2]) + 1 if match[2] in MONTHS else _MONTH_SHORT[match[2]]
        return _complete_date(today, int(match[1]), month, match[3])
    for index, name in enumerate(WEEKDAYS):
        if name in text:
            return _next_weekday(today, index, next_week)
    match = re.search(r"\b(ma|di|wo|do|vr|za|zo)\b", text)
    if match:
        return _next_weekday(today, _WEEKDAY_SHORT[match[1]], next_week)
    if next_week:
        return _next_weekday(today, 0, True)
    return None


def _complete_date(today: dt.date, day: int, month: int, year_text: str | None) -> dt.date | None:
    """A date without a year is the next one from today."""
    year = int(year_text) if year_text else today.year
    if year_text and year < 100:
        year += 2000
    try:
        found = dt.date(year, month, day)
        if not year_text and found < today:
            found = dt.date(year + 1, month, day)
    except ValueError:
        return None
    return found


_NUMBER_WORDS = {
    word: str(number)
    for number, word in enumerate(
        ("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"), 1
    )
}
_NUMBER_WORD = "|".join(_NUMBER_WORDS)
#: Before this hour, a time without "'s ochtends" is in the afternoon: a spreekuur is held by day
#: ("om 2 uur", "half 3" and "kwart over 4" are 14:00, 14:30 and 16:15).
_AFTERNOON_BEFORE = 8


def _hour_words_to_digits(text: str) -> str:
    """ "half drie", "om tien uur", "kwart over elf" -> "half 3", "om 10 uur", "kwart over 11"."""
    text = re.sub(
        rf"\b(half|over|voor|om)\s+({_NUMBER_WORD})\b", lambda m: f"{m[1]} {_NUMBER_WORDS[m[2]]}", text
    )
    return re.sub(rf"\b({_NUMBER_WORD})\s+uur\b", lambda m: f"{_NUMBER_WORDS[m[1]]} uur", text)


def _daytime(hour: int, minute: int, text: str) -> dt.time | None:
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    if 1 <= hour < _AFTERNOON_BEFORE and not re.search(r"ochtend|morgens|'s nachts", text):
        hour += 12
    return dt.time(hour, minute)


def _parse_time(text: str) -> dt.time | None:
    text = _hour_words_to_digits(text)
    match = re.search(r"\bhalf\s+(\d{1,2})\b", text)
    if match and 1 <= int(match[1]) <= 24:
        return _daytime((int(match[1]) - 1) % 24, 30, text)
    match = re.search(r"\bkwart\s+(over|voor)\s+(\d{1,2})\b", text)
    if match and 1 <= int(match[2]) <= 24:
        hour = int(match[2])
        return _daytime(hour, 15, text) if match[1] == "over" else _daytime((hour - 1) % 24, 45, text)
    match = re.search(r"\b(\d{1,2})[:.](\d{2})\b", text)
    if match:
        return _daytime(int(match[1]), int(match[2]), text)
    match = re.search(r"\b(?:om\s+)?(\d{1,2})\s*(?:uur|u)\b", text) or re.search(
        r"\bom\s+(\d{1,2})\b(?![-/])", text
    )
    if match:
        return _daytime(int(match[1]), 0, text)
    return None


def _parse_part(text: str) -> str | None:
    for word, part in _PART_WORDS.items():
        if re.search(rf"{word}\b", text):
            return part
    if re.search(r"(dag|s)\s?morgen", text):
        return "ochtend"
    return None


def parse_when(text: str, today: dt.date) -> When:
    """Read a day, a part of the day and a time from free text; what is missing stays None."""
    lowered = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
    time = _parse_time(lowered)
    # Remove the time before looking for a date, so "om 10.30" is not read as a day and month.
    without_time = re.sub(r"\b\d{1,2}[:.]\d{2}\b", " ", lowered)
    return When(day=_parse_day(without_time, today), part_of_day=_parse_part(lowered), time=time)


def part_of_day(time: dt.time) -> str:
    for part, (start, end) in PART_HOURS.items():
        if start <= time.hour < end:
            return part
    return "avond"
