"""The Dutch date and time parser on what residents type (today is Monday 23 November 2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.dutch_dates import When, day_label, parse_when, part_of_day
from tests.rasa.dutch_date_cases import CASES, TODAY


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_when(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


def test_empty_means_nothing_was_understood() -> None:
    assert parse_when("dat weet ik niet", TODAY).empty
    assert not parse_when("morgen", TODAY).empty


def test_part_of_day_and_labels() -> None:
    assert [part_of_day(dt.time(h)) for h in (9, 13, 19)] == ["ochtend", "middag", "avond"]
    assert day_label(dt.date(2026, 11, 27)) == "vrijdag 27 november"
