"""Dates and times in requests: ISO 8601 text only, in a sane range.

pydantic also reads numbers (and numeric text such as `9.47e-269`) as Unix timestamps; the API refuses
them, and years outside 2000-2100, with 422.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")


def _iso_text(pattern: re.Pattern[str], kind: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, date):  # already parsed (Python callers)
            return value
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(
                f"moet een {kind} zijn ({'JJJJ-MM-DD' if kind == 'datum' else 'JJJJ-MM-DDTHH:MM'})"
            )
        return value

    return check


def _in_range(value: date | datetime) -> date | datetime:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"moet tussen {EARLIEST.year} en {LATEST.year} liggen")
    return value


#: In the spec: the years the API accepts, as a pattern next to `format` (JSON Schema has no date range).
YEARS = r"^(20[0-9]{2}|2100)-"
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_text(_ISO_DATE, "datum")),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEARS}),
]
IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_text(_ISO_DATETIME, "tijdstip")),
    AfterValidator(_in_range),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": YEARS}),
]
