"""Understand the Dutch dates and times residents type: "morgen", "vrijdagochtend",
"volgende week dinsdag", "dinsdag de 8e", "over twee weken", "14 december om 10 uur", "27-11", "half 11".

Standard library only (dateparser does not know "volgende week dinsdag" or "half 11" reliably). Times and
parts of the day are read by `actions.dutch_times`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from actions.dutch_times import PARTS_OF_DAY, parse_part, parse_time, part_of_day, without_range
from bot.shared.dutch_calendar import MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS, day_label

__all__ = ["MONTHS", "PARTS_OF_DAY", "WEEKDAYS", "When", "day_label", "parse_when", "part_of_day"]

_WEEKDAY_SHORT = {name: index for index, name in enumerate(WEEKDAY_ABBREVIATIONS)}
_MONTH_SHORT = {name[:3]: index + 1 for index, name in enumerate(MONTHS)}
_MONTH_NAMES = "|".join(sorted([*MONTHS, *_MONTH_SHORT], key=len, reverse=True))
_ORDINAL = r"(?:e|ste|de)"
_AMOUNTS = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "tien": 10}
#: Dutch words one typo away from a weekday name: never read as that weekday.
_NOT_WEEKDAYS = frozenset({"zondig"})
#: What may follow a weekday name in one word: "vrijdagochtend", "dinsdags", "zondagmorgen".
_WEEKDAY_SUFFIX = re.compile(r"(?:s?(?:ochtend|middag|avond|morgen|nacht)s?|s)$")
_DAY_WORDS = ("vandaag", "morgen", "overmorgen", "vanochtend", "vanmorgen", "vanmiddag", "vanavond")
#: "zo" is mostly "so" ("zo snel mogelijk", "zo om 3 uur"): Sunday only before a day number ("zo 13 dec").
_ABBREVIATION = re.compile(
    r"\b(ma|di|wo|do|vr|za)\b|\bzo\b(?=\.?\s+(?:de\s+)?\d{1,2}(?!\d|\s*(?:uur|u)\b|[:.]\d))"
)
#: "de 2e keer" is no date.
_NOT_A_DAY_AFTER = r"(?!\s*(?:keer|week|weken|maand|helft|poging|kind|afspraak)\b)"


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


def _one_typo_apart(typed: str, name: str) -> bool:
    """At most one letter left out, added, changed, or two neighbours swapped ("dinsdga")."""
    if typed == name:
        return True
    if abs(len(typed) - len(name)) > 1:
        return False
    if len(typed) == len(name):
        wrong = [i for i, (a, b) in enumerate(zip(typed, name, strict=True)) if a != b]
        swapped = len(wrong) == 2 and wrong[1] == wrong[0] + 1 and typed[wrong[0]] == name[wrong[1]]
        return len(wrong) == 1 or (swapped and typed[wrong[1]] == name[wrong[0]])
    shorter, longer = sorted((typed, name), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _weekday_of_word(word: str) -> int | None:
    """The weekday a word names, also with one typo ("donderdg") when it is no other Dutch word."""
    if len(word) < 5 or word in _NOT_WEEKDAYS:
        return None
    for stem in dict.fromkeys((word, _WEEKDAY_SUFFIX.sub("", word))):
        for index, name in enumerate(WEEKDAYS):
            if stem.startswith(name) or _one_typo_apart(stem, name):
                return index
    return None


def _named_weekday(text: str) -> int | None:
    """The first weekday in the text: a name (with a typo), or an abbreviation ("do", "vr")."""
    for word in re.findall(r"[a-z]+", text):
        index = _weekday_of_word(word)
        if index is not None:
            return index
    match = _ABBREVIATION.search(text)
    return _WEEKDAY_SHORT[match[1] or "zo"] if match else None


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


def _day_of_month(today: dt.date, day: int, weekday: int | None) -> dt.date | None:
    """ "de 8e": the next 8th. With a weekday ("dinsdag de 8e"), the first of the next two 8ths that
    agrees with it; when neither does, the date wins over the weekday."""
    candidates: list[dt.date] = []
    year, month = today.year, today.month
    for _ in range(12):
        found = _complete_date(today, day, month, str(year))
        if found is not None and found >= today:
            candidates.append(found)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if len(candidates) == 2:
            break
    agreeing = [found for found in candidates if found.weekday() == weekday]
    chosen = agreeing or candidates
    return chosen[0] if chosen else None


def _written_date(text: str, today: dt.date) -> dt.date | None:
    """A date with its number: "27-11", "27/11/2026", "14 dec", "8ste december", "de 8e"."""
    match = re.search(r"(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?\b", text)
    if match:
        return _complete_date(today, int(match[1]), int(match[2]), match[3])
    match = re.search(rf"\b(\d{{1,2}}){_ORDINAL}?\s*({_MONTH_NAMES})\b\.?(?:\s+(\d{{4}}))?", text)
    if match:
        month = MONTHS.index(match[2]) + 1 if match[2] in MONTHS else _MONTH_SHORT[match[2]]
        return _complete_date(today, int(match[1]), month, match[3])
    match = re.search(rf"\b(\d{{1,2}}){_ORDINAL}\b{_NOT_A_DAY_AFTER}", text)
    if match:
        return _day_of_month(today, int(match[1]), _named_weekday(text))
    return None


def _weeks_or_days_later(text: str) -> dt.timedelta:
    """ "over twee weken", "over een week", "over 3 dagen": how far after the day named (or today)."""
    amount = "|".join(_AMOUNTS)
    match = re.search(rf"\bover\s+(\d{{1,2}}|{amount})\s+(week|weekje|weken|dag|dagen)\b", text)
    if match is None:
        return dt.timedelta(0)
    number = int(match[1]) if match[1].isdigit() else _AMOUNTS[match[1]]
    return dt.timedelta(days=number * (7 if match[2].startswith("we") else 1))


def _relative_day(text: str, today: dt.date) -> dt.date | None:
    if re.search(r"\bovermorgen", text):
        return today + dt.timedelta(days=2)
    # "morgen" is tomorrow, except as a part of the day after a weekday ("vrijdagmorgen"), "'s morgens"
    # or "vanmorgen".
    if re.search(r"(?<![a-z'])morgen(?!s)", text) and not re.search(r"(dag|s)\s?morgen", text):
        return today + dt.timedelta(days=1)
    if re.search(r"\b(?:vandaag|van(?:ochtend|morgen|middag|avond))\b", text):
        return today
    return None


def _parse_day(text: str, today: dt.date) -> dt.date | None:
    later = _weeks_or_days_later(text)
    found = _relative_day(text, today) or _written_date(text, today)
    if found is not None:
        return found + later
    next_week = bool(re.search(r"\bvolgende\s+week\b", text))
    weekday = _named_weekday(text)
    if weekday is not None:
        return _next_weekday(today, weekday, next_week) + later
    if next_week:
        return _next_weekday(today, 0, True)
    return today + later if later else None


def _names_a_day(word: str) -> bool:
    """A word for a day or a part of the day ("zo" is left out: "niet zo vroeg")."""
    return (
        word in _DAY_WORDS
        or word in _WEEKDAY_SHORT.keys() - {"zo"}
        or _weekday_of_word(word) is not None
        or parse_part(word) is not None
    )


def _without_denials(text: str) -> str:
    """ "niet maandag maar dinsdag" -> " maar dinsdag"; "liever niet vrijdag" -> "liever ".

    A question such as "kan het niet maandag?" asks for Monday, so it keeps its day.
    """
    if re.match(r"(?:kan|kunnen|zou|mag)\b", text) and text.endswith("?") and " maar " not in text:
        return text
    text = re.sub(
        r"\b(?:niet|geen)\s+(?:op\s+|in\s+de\s+|'?s\s+)?([a-z]+)\b",
        lambda match: " " if _names_a_day(match[1]) else match[0],
        text,
    )
    # "maandag niet, dinsdag wel", "vrijdag kan ik niet"; but "dinsdag niet te vroeg" keeps Tuesday.
    return re.sub(
        r"\b([a-z]+)\s+(?:kan\s+ik\s+|kan\s+|lukt\s+)?niet(?:\s+komen)?\b(?=\s*(?:$|[,.;!?]|maar\b|wel\b))",
        lambda match: " " if _names_a_day(match[1]) else match[0],
        text,
    )


def parse_when(text: str, today: dt.date) -> When:
    """Read a day, a part of the day and a time from free text; what is missing stays None."""
    lowered = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
    lowered = _without_denials(lowered)
    rest, range_part = without_range(lowered)
    # Remove the time before looking for a date, so "om 10.30" is not read as a day and month.
    without_time = re.sub(r"\b\d{1,2}[:.]\d{2}\b", " ", rest)
    return When(
        day=_parse_day(without_time, today),
        part_of_day=parse_part(rest) or range_part,
        time=parse_time(rest),
    )
