"""Import the postcodes and place names of municipalities from a CSV file (`slug,kind,value`).

`kind` is `postcode` (a postcode or its four digits; the four digits are kept) or `place` (a place name).
A slug the database does not know yet becomes a new municipality named after it. Every row is checked
on its own; bad rows are reported with their row number (the header is row 1) and a Dutch reason.
Running the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import MunicipalityPlace, PlaceKind
from bot.backend.services import audit
from bot.backend.services.csv_rows import csv_rows
from bot.backend.services.errors import ServiceError
from bot.backend.services.municipalities import find_by_slug, get_or_create, place_key, postcode_key

COLUMNS = ("slug", "kind", "value")
VALUE_MAX = 100


class PlaceRowError(ValueError):
    """A rejected row or file; the message is Dutch."""


@dataclass
class PlaceImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    municipalities_created: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        new = (
            f" (nieuwe gemeenten: {', '.join(self.municipalities_created)})"
            if self.municipalities_created
            else ""
        )
        return (
            f"{self.rows} regels: {self.created} nieuw, {self.unchanged} ongewijzigd, "
            f"{len(self.rejected)} afgewezen{new}."
        )


def read_place_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a `,` or `;` separated UTF-8 file with the header `slug,kind,value`."""
    return list(csv_rows(path.read_text(encoding="utf-8-sig"), COLUMNS, COLUMNS, PlaceRowError))


def _key(kind: str, value: str) -> tuple[PlaceKind, str]:
    if not value or len(value) > VALUE_MAX:
        raise PlaceRowError(f"value is leeg of te lang (hoogstens {VALUE_MAX} tekens).")
    if kind == PlaceKind.POSTCODE.value:
        digits = postcode_key(value)
        if digits is None:
            raise PlaceRowError(f"'{value[:20]}' is geen postcode (1234 of 1234 AB).")
        return PlaceKind.POSTCODE, digits
    if kind == PlaceKind.PLACE.value:
        key = place_key(value)
        if not key:
            raise PlaceRowError(f"'{value[:40]}' is geen plaatsnaam.")
        return PlaceKind.PLACE, key
    raise PlaceRowError("kind moet 'postcode' of 'place' zijn.")


def _import_row(session: Session, row: dict[str, str], report: PlaceImportReport, actor: str) -> None:
    kind, key = _key(row.get("kind", "").lower(), row.get("value", ""))
    slug = row.get("slug", "").lower()
    municipality = find_by_slug(session=session, slug=slug)
    new_municipality = municipality is None
    if municipality is None:
        try:
            municipality = get_or_create(session=session, slug=slug, actor=actor)
        except ServiceError:
            raise PlaceRowError(
                f"'{slug[:40]}' is geen gemeente-code (kleine letters, cijfers, -)."
            ) from None
    existing = session.scalars(
        select(MunicipalityPlace).where(MunicipalityPlace.kind == kind, MunicipalityPlace.key == key)
    ).first()
    if existing is None:
        session.add(
            MunicipalityPlace(municipality_id=municipality.id, kind=kind, value=row["value"], key=key)
        )
        session.flush()
        report.created += 1
    elif existing.municipality_id == municipality.id:
        report.unchanged += 1
    else:
        raise PlaceRowError(f"'{row['value'][:40]}' hoort al bij {existing.municipality.name}.")
    if new_municipality:
        report.municipalities_created.append(slug)


def import_places(
    *,
    session: Session,
    rows: Iterable[tuple[int, dict[str, str]]],
    actor: str = "cli",
    on_row: Callable[[], None] | None = None,
) -> PlaceImportReport:
    """Import rows (from :func:`read_place_rows`); each row in a savepoint of its own."""
    report = PlaceImportReport()
    for row_number, row in rows:
        report.rows += 1
        try:
            with session.begin_nested():
                _import_row(session, row, report, actor)
        except PlaceRowError as error:
            report.rejected.append((row_number, str(error)))
        if on_row is not None:
            on_row()
    audit.record(session=session, actor=actor, action="places.import", entity="municipality",
                 rows=report.rows, created=report.created, rejected=len(report.rejected))  # fmt: skip
    return report
