"""What residents type for a day and a time, and what it means (today is Monday 23 November 2026).

Shared by the parser's test (test_dutch_dates.py) and the comparison with dateparser
(benchmarks/date_parsers.py, docs/date-parsers.md).
"""

from __future__ import annotations

import datetime as dt

from actions.dutch_dates import When

TODAY = dt.date(2026, 11, 23)  # a Monday

CASES: list[tuple[str, When]] = [
    ("morgen", When(day=dt.date(2026, 11, 24))),
    ("Morgen graag", When(day=dt.date(2026, 11, 24))),
    ("overmorgen", When(day=dt.date(2026, 11, 25))),
    ("vandaag nog", When(day=TODAY)),
    ("vrijdagochtend", When(day=dt.date(2026, 11, 27), part_of_day="ochtend")),
    ("vrijdag ochtend", When(day=dt.date(2026, 11, 27), part_of_day="ochtend")),
    ("vrijdagmorgen", When(day=dt.date(2026, 11, 27), part_of_day="ochtend")),
    ("morgenochtend", When(day=dt.date(2026, 11, 24), part_of_day="ochtend")),
    ("dinsdagmiddag", When(day=dt.date(2026, 11, 24), part_of_day="middag")),
    ("maandag", When(day=TODAY)),
    ("volgende week dinsdag", When(day=dt.date(2026, 12, 1))),
    ("dinsdag volgende week", When(day=dt.date(2026, 12, 1))),
    ("volgende week", When(day=dt.date(2026, 11, 30))),
    ("14 december om 10 uur", When(day=dt.date(2026, 12, 14), time=dt.time(10, 0))),
    ("14 dec 10:30", When(day=dt.date(2026, 12, 14), time=dt.time(10, 30))),
    ("3 januari", When(day=dt.date(2027, 1, 3))),
    ("27-11 om 9.00", When(day=dt.date(2026, 11, 27), time=dt.time(9, 0))),
    ("27/11/2026", When(day=dt.date(2026, 11, 27))),
    ("vrijdag 27 november om 09:00", When(day=dt.date(2026, 11, 27), time=dt.time(9, 0))),
    ("om half 11", When(time=dt.time(10, 30))),
    ("om 2 uur 's middags", When(part_of_day="middag", time=dt.time(14, 0))),
    ("'s avonds", When(part_of_day="avond")),
    # Times as people say them; a spreekuur is by day, so "2 uur" is 14:00 (issue 21).
    ("om half drie", When(time=dt.time(14, 30))),
    ("kan het om kwart over 10", When(time=dt.time(10, 15))),
    ("kwart voor twee", When(time=dt.time(13, 45))),
    ("donderdag om 2 uur", When(day=dt.date(2026, 11, 26), time=dt.time(14, 0))),
    ("om tien uur", When(time=dt.time(10, 0))),
    ("om 7 uur 's ochtends", When(part_of_day="ochtend", time=dt.time(7, 0))),
    ("kan het donderdagmiddag?", When(day=dt.date(2026, 11, 26), part_of_day="middag")),
    ("een andere dag", When()),
    ("Anna", When()),
    ("31 februari", When()),
]
