"""Import spreekuur schedules and closures from the CSV file a municipality keeps.

Every row is checked on its own; good rows are written, bad rows are reported with their row number
(the header is row 1) and a Dutch reason. Running the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.backend.models import Closure, Location, Schedule
from bot.backend.services import audit
from bot.backend.services.csv_rows import EXTRA, csv_rows
from bot.backend.services.errors import ServiceError
from bot.backend.services.locations import find_location_by_name
from bot.backend.services.municipalities import resolve
from bot.backend.services.slots import generate_slots
from bot.shared.dutch_calendar import WEEKDAY_ABBREVIATIONS
from bot.shared.dutch_calendar import WEEKDAYS as DUTCH_WEEKDAYS
from bot.shared.topics import TOPICS, topic_label

COLUMNS = (
    "soort", "locatie", "adres", "wijk", "route", "onderwerp", "titel", "weekdag", "begin", "eind",
    "capaciteit", "duur_minuten", "geldig_van", "geldig_tot", "reden", "gemeente",
)  # fmt: skip
REQUIRED_COLUMNS = ("soort", "locatie", "geldig_van")
EVERYWHERE = {"", "alle", "overal", "*"}
# A weekday may be written in full, abbreviated or as a number (1 is Monday).
WEEKDAYS = {
    name: index
    for index, names in enumerate(zip(DUTCH_WEEKDAYS, WEEKDAY_ABBREVIATIONS, "1234567", strict=True))
    for name in names
}
MAX_FIELD = 1000


class RowError(ValueError):
    """A rejected row; the message is Dutch."""


@dataclass
class ImportReport:
    rows: int = 0
    schedules_created: int = 0
    schedules_updated: int = 0
    closures_created: int = 0
    closures_updated: int = 0
    locations_created: int = 0
    unchanged: int = 0
    slots_created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.rows} regels: {self.schedules_created} spreekuren nieuw, "
            f"{self.schedules_updated} bijgewerkt, "
            f"{self.closures_created} sluitingen nieuw, {self.closures_updated} bijgewerkt, "
            f"{self.locations_created} locaties nieuw, {self.unchanged} ongewijzigd, "
            f"{len(self.rejected)} afgewezen; {self.slots_created} tijdsloten aangemaakt."
        )


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Rows of a `,` or `;` separated UTF-8 file with a header, numbered as a spreadsheet shows them."""
    text = path.read_text(encoding="utf-8-sig")
    return list(parse_rows(text))


def parse_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    return csv_rows(text, REQUIRED_COLUMNS, COLUMNS, RowError)


def _date(value: str, column: str) -> date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowError(f"{column} '{value[:20]}' is geen datum (JJJJ-MM-DD of DD-MM-JJJJ).")


def _time(value: str, column: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowError(f"{column} '{value[:20]}' is geen tijd (UU:MM).")
    return time(int(match.group(1)), int(match.group(2)))


def _positive_int(value: str, column: str, maximum: int) -> int:
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise RowError(f"{column} '{value[:20]}' moet een heel getal van 1 tot {maximum} zijn.")
    return int(value)


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowError(f"{column} is leeg.")
    return value


def _location(
    session: Session, row: dict[str, str], report: ImportReport, default_municipality: str
) -> Location:
    name = _required(row, "locatie")
    location = find_location_by_name(session=session, name=name)
    if location is not None:
        return location
    if not row.get("adres") or not row.get("wijk"):
        raise RowError(f"Onbekende locatie '{name[:60]}'; vul adres en wijk in om haar aan te maken.")
    if len(name) > 120 or len(row["adres"]) > 200 or len(row["wijk"]) > 80:
        raise RowError("Naam, adres of wijk van de locatie is te lang.")
    try:  # a new location belongs to the row's `gemeente` (a known slug), else to the default one
        municipality = resolve(
            session=session, slug=row.get("gemeente") or None, default=default_municipality
        )
    except ServiceError:
        raise RowError(f"Onbekende gemeente '{row.get('gemeente', '')[:40]}'.") from None
    location = Location(name=name, address=row["adres"], wijk=row["wijk"], directions=row.get("route", ""),
                        municipality_id=municipality.id)  # fmt: skip
    session.add(location)
    session.flush()
    report.locations_created += 1
    return location


def _import_schedule(
    session: Session, row: dict[str, str], report: ImportReport, default_municipality: str
) -> int | None:
    topic = _required(row, "onderwerp").lower()
    if topic not in TOPICS:
        raise RowError(f"Onbekend onderwerp '{topic[:30]}'. Kies uit: {', '.join(TOPICS)}.")
    weekday_text = _required(row, "weekdag").lower()
    if weekday_text not in WEEKDAYS:
        raise RowError(f"Onbekende weekdag '{weekday_text[:20]}' (maandag ... zondag).")
    weekday = WEEKDAYS[weekday_text]
    start = _time(_required(row, "begin"), "begin")
    end = _time(_required(row, "eind"), "eind")
    if start >= end:
        raise RowError("begin moet voor eind liggen.")
    capacity = _positive_int(_required(row, "capaciteit"), "capaciteit", 500)
    minutes = _positive_int(row["duur_minuten"], "duur_minuten", 480) if row.get("duur_minuten") else None
    if minutes is not None:
        length = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60
        if minutes > length:
            raise RowError("duur_minuten is langer dan het spreekuur.")
    valid_from = _date(_required(row, "geldig_van"), "geldig_van")
    valid_until = _date(row["geldig_tot"], "geldig_tot") if row.get("geldig_tot") else None
    if valid_until is not None and valid_until < valid_from:
        raise RowError("geldig_tot ligt voor geldig_van.")
    title = row.get("titel") or f"Spreekuur {topic_label(topic)}"
    if len(title) > 120:
        raise RowError("titel is te lang (hoogstens 120 tekens).")
    location = _location(session, row, report, default_municipality)

    existing = session.scalars(
        select(Schedule).where(
            Schedule.location_id == location.id,
            Schedule.topic == topic,
            Schedule.weekday == weekday,
            Schedule.start_time == start,
            Schedule.valid_from == valid_from,
        )
    ).first()
    values = {"title": title, "end_time": end, "capacity": capacity, "slot_minutes": minutes,
              "valid_until": valid_until}  # fmt: skip
    if existing is None:
        schedule = Schedule(location_id=location.id, topic=topic, weekday=weekday, start_time=start,
                            valid_from=valid_from, **values)  # fmt: skip
        session.add(schedule)
        session.flush()
        report.schedules_created += 1
        return schedule.id
    if all(getattr(existing, key) == value for key, value in values.items()):
        report.unchanged += 1
        return None
    for key, value in values.items():
        setattr(existing, key, value)
    session.flush()
    report.schedules_updated += 1
    return existing.id


def _import_closure(session: Session, row: dict[str, str], report: ImportReport) -> None:
    date_from = _date(_required(row, "geldig_van"), "geldig_van")
    date_to = _date(row["geldig_tot"], "geldig_tot") if row.get("geldig_tot") else date_from
    if date_to < date_from:
        raise RowError("geldig_tot ligt voor geldig_van.")
    if (date_to - date_from) > timedelta(days=366):
        raise RowError("Een sluiting duurt hoogstens een jaar.")
    reason = row.get("reden", "")
    if len(reason) > 200:
        raise RowError("reden is te lang (hoogstens 200 tekens).")
    location_id = None
    if row.get("locatie", "").lower() not in EVERYWHERE:
        location = find_location_by_name(session=session, name=row["locatie"])
        if location is None:
            raise RowError(f"Onbekende locatie '{row['locatie'][:60]}'.")
        location_id = location.id
    query = select(Closure).where(Closure.date_from == date_from, Closure.date_to == date_to)
    query = query.where(
        Closure.location_id.is_(None) if location_id is None else Closure.location_id == location_id
    )
    existing = session.scalars(query).first()
    if existing is None:
        session.add(Closure(location_id=location_id, date_from=date_from, date_to=date_to, reason=reason))
        report.closures_created += 1
    elif existing.reason != reason:
        existing.reason = reason
        report.closures_updated += 1
    else:
        report.unchanged += 1
    session.flush()


def import_schedules(
    *,
    session: Session,
    rows: Iterable[tuple[int, dict[str, str]]],
    today: date,
    horizon_days: int,
    actor: str = "cli",
    on_row: Callable[[], None] | None = None,
    default_municipality: str = "voorbeeldstad",
) -> ImportReport:
    """Import rows (from :func:`read_rows`), then make the slots of new or changed schedules."""
    report = ImportReport()
    touched: list[int] = []
    for row_number, row in rows:
        report.rows += 1
        try:
            if EXTRA in row:
                raise RowError("De regel heeft meer velden dan de kop.")
            if any(len(value) > MAX_FIELD for value in row.values()):
                raise RowError(f"Een veld is te lang (hoogstens {MAX_FIELD} tekens).")
            kind = row.get("soort", "").lower()
            with session.begin_nested():
                if kind == "spreekuur":
                    schedule_id = _import_schedule(session, row, report, default_municipality)
                    if schedule_id is not None:
                        touched.append(schedule_id)
                elif kind == "sluiting":
                    _import_closure(session, row, report)
                else:
                    raise RowError("soort moet 'spreekuur' of 'sluiting' zijn.")
        except RowError as error:
            report.rejected.append((row_number, str(error)))
        except IntegrityError:
            report.rejected.append((row_number, "De database weigerde deze regel (dubbel of ongeldig)."))
        if on_row is not None:
            on_row()
    if touched:
        report.slots_created = generate_slots(
            session=session, start=today, end=today + timedelta(days=horizon_days), schedule_ids=touched
        )
    audit.record(session=session, actor=actor, action="schedules.import", entity="schedule",
                 rows=report.rows, rejected=len(report.rejected))  # fmt: skip
    return report
