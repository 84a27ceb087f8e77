"""Rows of a spreadsheet export (`,` or `;` separated, UTF-8 with or without BOM) with a header line.

The schedule import and the place import read their files the same way: the separator guessed from the
header, blank rows skipped, each row numbered as a spreadsheet shows it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

#: The key a row gets when it has more values than the header has names.
EXTRA = "__extra__"


def csv_rows(
    text: str, required: tuple[str, ...], expected: tuple[str, ...], error: type[ValueError]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, values by lower-case column name); `error` (a Dutch message) for an empty file or
    a header without a `required` column."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise error("Het bestand is leeg.") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise error(f"Kolommen ontbreken: {', '.join(missing)}. Verwacht: {', '.join(expected)}.")
    for values in reader:
        row_number = reader.line_num
        if not any(value.strip() for value in values):
            continue
        padded = values + [""] * (len(header) - len(values))
        row = {name: padded[index].strip() for index, name in enumerate(header)}
        if len(values) > len(header):
            row[EXTRA] = "x"
        yield row_number, row
