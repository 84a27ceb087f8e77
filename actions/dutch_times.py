"""Understand the Dutch times and parts of the day residents type: "half 3", "tien over half 3",
"kwart voor 1", "om 10.30", "'s middags", "vanavond", "morgen vroeg", "tussen 2 en 3 uur".

Standard library only. `actions.dutch_dates.parse_when` combines this with the day.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.shared.dutch_calendar import MONTHS, PART_HOURS

__all__ = ["PARTS_OF_DAY", "parse_part", "parse_time", "part_of_day", "without_range"]

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
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        ("een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"), 1
    )
}
#: An hour or a number of minutes, in digits or as a word.
_N = rf"(?:\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})"
#: One clock time as people say it: "3", "half 3", "kwart over 3", "tien over half 3", "14.30".
_CLOCK = rf"(?:(?:{_N}|kwart)\s+(?:over|voor)\s+)?(?:half\s+)?{_N}(?:[:.]\d{{2}})?"
_CLOCK_PARTS = re.compile(rf"(?:({_N}|kwart)\s+(over|voor)\s+)?(half\s+)?({_N})(?:[:.](\d{{2}}))?")
#: Before this hour, a time without "'s ochtends" is in the afternoon: a spreekuur is held by day
#: ("om 2 uur", "half 3" and "kwart over 4" are 14:00, 14:30 and 16:15).
_AFTERNOON_BEFORE = 8
_MORNING = re.compile(r"ochtend|morgens|(?:van|dag)\s?morgen|(?:morgen|dag)\s?vroeg|'s nachts")
#: "over een uur", "over twee weken": a stretch of time from now, not a clock time.
_DURATION = re.compile(
    rf"\bover\s+(?:een\s+paar|een\s+half|anderhalf|{_N})\s+"
    r"(?:uur|uurtje|kwartier|minuten|minuutjes|dagen|dag|dagje|weken|week|weekje|maanden|maand)\b"
)
_MONTHS = "|".join(name[:3] for name in MONTHS)
#: The day a spreekuur is held; an open range ("na 3 uur", "voor 11 uur") stops at its edge.
_DAY_START, _DAY_END = 9 * 60, 17 * 60


def _number(token: str) -> int:
    if token == "kwart":
        return 15
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _daytime(minutes: int, text: str) -> dt.time | None:
    hour, minute = divmod(minutes, 60)
    if not 0 <= hour < 24:
        return None
    if 1 <= hour < _AFTERNOON_BEFORE and not _MORNING.search(text):
        hour += 12
    return dt.time(hour, minute)


def _clock(expression: str, text: str) -> dt.time | None:
    """One clock time; a bare hour counts as one. "half 1" is 12:30 and "tien voor 1" 12:50."""
    match = _CLOCK_PARTS.fullmatch(expression)
    if match is None:
        return None
    offset, direction, half, hour_text, minute = match.groups()
    hour = _number(hour_text)
    if minute is not None:
        return None if offset or half or int(minute) > 59 else _daytime(hour * 60 + int(minute), text)
    shift = _number(offset) if offset else 0
    if not 1 <= hour <= 24 or not 0 <= shift < 30:
        return None
    before = 12 if hour == 1 else hour - 1  # the hour before: "half 1" and "kwart voor 1" are after noon
    if half:
        base = before * 60 + 30
        return _daytime(base - shift if direction == "voor" else base + shift, text)
    if direction == "voor":
        return _daytime(before * 60 + 60 - shift, text)
    return _daytime(hour * 60 + shift, text)


_TIMES = (
    re.compile(rf"\b(?:(?:{_N}|kwart)\s+(?:over|voor)\s+)?half\s+{_N}\b"),
    re.compile(rf"(?<![-/])\b(?:{_N}|kwart)\s+(?:over|voor)\s+{_N}\b"),  # not "27-11 voor 11"
    re.compile(r"\b\d{1,2}[:.]\d{2}\b"),
    re.compile(rf"\b{_N}(?=\s*(?:uur|u)\b)"),
    re.compile(rf"(?<=\bom )(?!een\b){_N}\b(?![-/])"),  # "om een afspraak" is no time
)


def parse_time(text: str) -> dt.time | None:
    """The first clock time in lowered text; "over een uur" is a stretch of time, not 13:00."""
    text = _DURATION.sub(" ", text)
    for pattern in _TIMES:
        for match in pattern.finditer(text):
            found = _clock(match[0], text)
            if found is not None:
                return found
    return None


_BETWEEN = re.compile(
    rf"\b(?:tussen\s+)?({_CLOCK})(?:\s*uur)?\s*(?:\ben\b|-|\btot\b)\s*({_CLOCK})\s*(?:uur|u)\b"
    rf"|\btussen\s+({_CLOCK})\s+en\s+({_CLOCK})\b(?!\s*(?:{_MONTHS})|[-/])"
)
_OPEN = re.compile(
    rf"(?:(?<![-/])\b({_N}|kwart)\s+)?\b(niet\s+)?(na|vanaf|later\s+dan|voor|vóór|tot|eerder\s+dan)\s+({_CLOCK})\b"
    r"(\s*(?:uur|u)\b)?"
)


def _range_part(start: int | None, end: int | None) -> str | None:
    """The part of the day that holds the whole range (minutes after midnight), or None."""
    start = _DAY_START if start is None else start
    end = _DAY_END if end is None else end
    if end <= start:  # "na 6 uur", "voor 9 uur": outside the spreekuur day, the given edge decides
        start, end = (start, start + 1) if start >= _DAY_END else (end - 1, end)
    for part, (first, last) in PART_HOURS.items():
        if first * 60 <= start and end <= last * 60:
            return part
    return None


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def _between(text: str) -> tuple[re.Match[str], str | None] | None:
    for match in _BETWEEN.finditer(text):
        first, last = (match[1], match[2]) if match[1] else (match[3], match[4])
        start, end = _clock(first, text), _clock(last, text)
        if start is not None and end is not None and start < end:
            return match, _range_part(_minutes(start), _minutes(end))
    return None


def _open_range(text: str) -> tuple[re.Match[str], str | None] | None:
    for match in _OPEN.finditer(text):
        offset, denied, word, clock, hour_word = match.groups()
        after_text = text[match.end() :].lstrip()
        said_plainly = hour_word or not re.fullmatch(_N, clock) or after_text[:1] in ("", ",", ".", "!", "?")
        edge = _clock(clock, text)
        if (offset and word in ("voor", "vóór")) or not said_plainly or edge is None:
            continue  # "kwart voor 3" is a time; "voor 2 personen" is no time at all
        after = word in ("na", "vanaf") or word.startswith("later")
        if denied:
            after = not after
        edge_minutes = _minutes(edge)
        return match, _range_part(edge_minutes, None) if after else _range_part(None, edge_minutes)
    return None


def without_range(text: str) -> tuple[str, str | None]:
    """Take a range of times out of lowered text: the text without it, and the part of the day it fits.

    `When` holds one time, not a range, so "tussen 2 en 3 uur", "na 3 uur" and "voor 11 uur" become the
    part of the day that holds the whole range (middag, middag, ochtend). An open range stops at the
    edge of the spreekuur day (9:00-17:00). A range over two parts ("tussen 11 en 1") gives no part.
    """
    found = _between(text) or _open_range(text)
    if found is None:
        return text, None
    match, part = found
    return f"{text[: match.start()]} {text[match.end() :]}", part


def parse_part(text: str) -> str | None:
    """The part of the day named in lowered text: "'s middags", "vanavond", "morgen vroeg"."""
    if re.search(r"(?:morgen|dag)\s?vroeg\b", text):
        return "ochtend"
    for word, part in _PART_WORDS.items():
        if re.search(rf"{word}\b", text):
            return part
    if re.search(r"(?:dag|s|van)\s?morgen", text):
        return "ochtend"
    return None


def part_of_day(time: dt.time) -> str:
    for part, (start, end) in PART_HOURS.items():
        if start <= time.hour < end:
            return part
    return "avond"
