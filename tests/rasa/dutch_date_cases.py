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
    # Weekday names with one typo; a Dutch word one letter off is no weekday (issue 21).
    ("woensdah om 11 uur", When(day=dt.date(2026, 11, 25), time=dt.time(11, 0))),
    ("graag dinsdga", When(day=dt.date(2026, 11, 24))),
    ("vrjdag middag", When(day=dt.date(2026, 11, 27), part_of_day="middag")),
    ("donderdagg om half 10", When(day=dt.date(2026, 11, 26), time=dt.time(9, 30))),
    ("donderdgmiddag", When(day=dt.date(2026, 11, 26), part_of_day="middag")),
    ("vrijdga volgende week", When(day=dt.date(2026, 12, 4))),
    ("zondig", When()),
    # A day of the month; with a weekday, the next such day that agrees, else the date.
    ("de 9e", When(day=dt.date(2026, 12, 9))),
    ("op de 1ste graag", When(day=dt.date(2026, 12, 1))),
    ("de 25ste 's middags", When(day=dt.date(2026, 11, 25), part_of_day="middag")),
    ("di de 15de", When(day=dt.date(2026, 12, 15))),
    ("vrijdag de 1e", When(day=dt.date(2027, 1, 1))),
    ("woensdag de 8e", When(day=dt.date(2026, 12, 8))),
    ("8ste december", When(day=dt.date(2026, 12, 8))),
    ("voor de 2e keer", When()),
    # Weeks and days from now.
    ("over een week", When(day=dt.date(2026, 11, 30))),
    ("over 2 weken graag", When(day=dt.date(2026, 12, 7))),
    ("donderdag over een week", When(day=dt.date(2026, 12, 3))),
    ("over drie dagen", When(day=dt.date(2026, 11, 26))),
    ("over een uur", When()),
    # Today or tomorrow with a part of the day.
    ("vanochtend nog", When(day=TODAY, part_of_day="ochtend")),
    ("kan het vanavond", When(day=TODAY, part_of_day="avond")),
    ("vanmiddag half 4", When(day=TODAY, part_of_day="middag", time=dt.time(15, 30))),
    ("vanmorgen om half 8", When(day=TODAY, part_of_day="ochtend", time=dt.time(7, 30))),
    ("morgen vroeg", When(day=dt.date(2026, 11, 24), part_of_day="ochtend")),
    ("morgenmiddag om 2 uur", When(day=dt.date(2026, 11, 24), part_of_day="middag", time=dt.time(14, 0))),
    # Minutes around the half hour; "half 1" is after noon.
    ("vijf over half 3", When(time=dt.time(14, 35))),
    ("tien voor half 11", When(time=dt.time(10, 20))),
    ("om vijf voor 12", When(time=dt.time(11, 55))),
    ("tien over 3", When(time=dt.time(15, 10))),
    ("half 1", When(time=dt.time(12, 30))),
    ("om half een", When(time=dt.time(12, 30))),
    ("kwart voor een", When(time=dt.time(12, 45))),
    # A range of times becomes the part of the day that holds it (When has no range).
    ("tussen twee en drie", When(part_of_day="middag")),
    ("tussen 10 en 12 uur", When(part_of_day="ochtend")),
    ("woensdag van 1 tot 3 uur", When(day=dt.date(2026, 11, 25), part_of_day="middag")),
    ("liefst na half 3", When(part_of_day="middag")),
    ("vrijdag voor 11 uur", When(day=dt.date(2026, 11, 27), part_of_day="ochtend")),
    ("maandag na 6 uur", When(day=TODAY, part_of_day="avond")),
    ("tussen 11 en 2", When()),
    ("voor 2 personen", When()),
    # A denied day or part of the day is left out.
    ("niet maandag maar woensdag", When(day=dt.date(2026, 11, 25))),
    ("liever niet op vrijdag", When()),
    ("donderdag kan ik niet, vrijdag wel", When(day=dt.date(2026, 11, 27))),
    ("ik kan dinsdag niet komen", When()),
    ("niet overmorgen maar morgen", When(day=dt.date(2026, 11, 24))),
    ("niet in de ochtend maar in de middag", When(part_of_day="middag")),
    ("kan het niet dinsdag?", When(day=dt.date(2026, 11, 24))),
    ("dinsdag, niet te vroeg", When(day=dt.date(2026, 11, 24))),
    # "zo" is "so" unless a day number follows.
    ("zo snel mogelijk", When()),
    ("zo vroeg mogelijk", When()),
    ("zo om half 3", When(time=dt.time(14, 30))),
    ("zo de 3e", When(day=dt.date(2027, 1, 3))),
]
