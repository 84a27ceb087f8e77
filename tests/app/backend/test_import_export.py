"""CSV import of schedules and closures (good and bad rows) and the export of a day's bookings."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.models import Closure, Location, Schedule, Slot
from bot.backend.services.booking_export import EXPORT_COLUMNS, bookings_on, write_bookings_csv
from bot.backend.services.bookings import book_slot, cancel_booking
from bot.backend.services.clock import local_today
from bot.backend.services.schedule_import import import_schedules, parse_rows
from bot.backend.services.seed import DEMO_LOCATIONS
from tests.app.backend_helpers import Database, World, count_rows, make_settings

GOOD_AND_BAD = """soort;locatie;adres;wijk;route;onderwerp;titel;weekdag;begin;eind;capaciteit;duur_minuten;geldig_van;geldig_tot;reden
spreekuur;Buurthuis Import (test);Importstraat 1;Oost;Bus 3;schulden;Inloopspreekuur Geldzaken;vrijdag;09:00;10:30;6;;{start};;
spreekuur;Buurthuis Import (test);;;;huisvesting;Spreekuur Wonen;di;13:30;15:30;1;30;{start};{end};
sluiting;alle;;;;;;;;;;;{closed};;Studiedag wijkteam
sluiting;Buurthuis Import (test);;;;;;;;;;;{closed2};{closed3};Verbouwing
spreekuur;Onbekend Huis;;;;schulden;;vrijdag;09:00;10:00;2;;{start};;
spreekuur;Buurthuis Import (test);;;;geldzaken;;vrijdag;09:00;10:00;2;;{start};;
spreekuur;Buurthuis Import (test);;;;schulden;;vrijdag;11:00;10:00;2;;{start};;
spreekuur;Buurthuis Import (test);;;;schulden;;vrijdag;09:00;10:00;nul;;{start};;
spreekuur;Buurthuis Import (test);;;;schulden;;feestdag;09:00;10:00;2;;{start};;
spreekuur;Buurthuis Import (test);;;;schulden;;vrijdag;9 uur;10:00;2;;{start};;
spreekuur;Buurthuis Import (test);;;;schulden;;vrijdag;09:00;10:00;2;;31-02-2026;;
sluiting;alle;;;;;;;;;;;{closed3};{closed};Achterstevoren
vergadering;alle;;;;;;;;;;;{closed};;
spreekuur;Buurthuis Import (test);;;;schulden;;vrijdag;09:00;10:00;2;;{start};;;;extra
"""  # noqa: E501

BAD_ROW_REASONS = {
    6: "Onbekende locatie",
    7: "Onbekend onderwerp",
    8: "begin moet voor eind",
    9: "capaciteit",
    10: "Onbekende weekdag",
    11: "geen tijd",
    12: "geen datum",
    13: "geldig_tot ligt voor geldig_van",
    14: "soort moet",
    15: "meer velden",
}


def csv_text() -> str:
    today = local_today()
    return GOOD_AND_BAD.format(
        start=(today - timedelta(days=today.weekday())).isoformat(),
        end=(today + timedelta(days=120)).strftime("%d-%m-%Y"),
        closed=(today + timedelta(days=10)).isoformat(),
        closed2=(today + timedelta(days=20)).isoformat(),
        closed3=(today + timedelta(days=21)).isoformat(),
    )


def test_import_reports_bad_rows_and_keeps_good_ones(session: Session) -> None:
    report = import_schedules(
        session=session, rows=parse_rows(csv_text()), today=local_today(), horizon_days=28
    )
    assert (report.rows, report.schedules_created, report.closures_created, report.locations_created) == (
        14,
        2,
        2,
        1,
    )
    rejected = dict(report.rejected)
    assert set(rejected) == set(BAD_ROW_REASONS)
    for row, reason in BAD_ROW_REASONS.items():
        assert reason in rejected[row], (row, rejected[row])
    assert report.slots_created == session.scalar(select(func.count()).select_from(Slot)) > 0
    # Walk-in spreekuur: one slot a day; appointments of 30 minutes: four a day.
    schedules = {s.topic: s for s in session.scalars(select(Schedule))}
    assert schedules["huisvesting"].slot_minutes == 30 and schedules["huisvesting"].valid_until is not None
    assert session.scalar(select(func.count()).select_from(Closure).where(Closure.location_id.is_(None))) == 1

    again = import_schedules(
        session=session, rows=parse_rows(csv_text()), today=local_today(), horizon_days=28
    )
    assert (
        again.schedules_created,
        again.closures_created,
        again.locations_created,
        again.slots_created,
    ) == (
        0,
        0,
        0,
        0,
    )
    assert again.unchanged == 4


def test_import_updates_a_changed_capacity(session: Session) -> None:
    import_schedules(session=session, rows=parse_rows(csv_text()), today=local_today(), horizon_days=7)
    changed = csv_text().replace(";vrijdag;09:00;10:30;6;", ";vrijdag;09:00;10:30;8;")
    report = import_schedules(session=session, rows=parse_rows(changed), today=local_today(), horizon_days=7)
    assert report.schedules_updated == 1
    assert session.scalar(select(Schedule.capacity).where(Schedule.topic == "schulden")) == 8


def test_import_refuses_a_file_without_the_columns() -> None:
    from bot.backend.services.schedule_import import RowError

    with pytest.raises(RowError, match="Kolommen ontbreken"):
        list(parse_rows("naam,adres\nx,y\n"))


def test_import_command_with_progress_and_report(
    fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    path = tmp_path / "spreekuren.csv"
    path.write_text(csv_text(), encoding="utf-8")
    assert main(["import-schedules", str(path)], settings=settings) == 1  # some rows were rejected
    out, err = capsys.readouterr()
    assert "2 spreekuren nieuw" in out and "10 afgewezen" in out
    assert "regel 6: Onbekende locatie" in out
    assert "import" in err  # the tqdm progress bar
    with Session(fresh_database.engine) as session:
        before = count_rows(session)
    assert main(["import-schedules", str(path)], settings=settings) == 1
    with Session(fresh_database.engine) as session:
        assert count_rows(session) == before | {"audit_log": before["audit_log"] + 1}
    assert main(["import-schedules", str(tmp_path / "missing.csv")], settings=settings) == 2


def test_export_of_a_day(session: Session, world: World) -> None:
    first = book_slot(
        session=session,
        slot_id=world.slot.id,
        first_name="Anna",
        phone="0612345678",
        question='=HYPERLINK("http://x")',
    )
    book_slot(
        session=session, slot_id=world.other_location_slot.id, first_name="Bram", email="bram@voorbeeld.nl"
    )
    gone = book_slot(session=session, slot_id=world.slot.id, first_name="Cor", phone="0201234567")
    book_slot(session=session, slot_id=world.second_slot.id, first_name="Dirk", phone="0201234567")
    cancel_booking(session=session, code=gone.code)
    session.commit()
    out = io.StringIO()
    assert write_bookings_csv(bookings_on(session=session, day=world.slot.date), out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [row["voornaam"] for row in rows] == ["Bram", "Anna"]  # by location name, then time
    anna = rows[1]
    assert anna["code"] == first.code and anna["telefoon"] == "06-12345678" and anna["begin"] == "09:00"
    assert anna["vraag"].startswith("'=")  # no formula injection in spreadsheets
    with_cancelled = bookings_on(session=session, day=world.slot.date, include_cancelled=True)
    assert len(with_cancelled) == 3


def test_export_command(fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    assert main(["seed"], settings=settings) == 0
    with Session(fresh_database.engine) as session, session.begin():
        slot = session.scalars(
            select(Slot).where(Slot.date > local_today()).order_by(Slot.date, Slot.id)
        ).first()
        assert slot is not None
        day = slot.date
        book_slot(session=session, slot_id=slot.id, first_name="Anna", phone="0612345678")
    output = tmp_path / "afspraken.csv"
    assert (
        main(["export-bookings", "--date", day.isoformat(), "--output", str(output)], settings=settings) == 0
    )
    lines = output.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and "Anna" in lines[1]
    capsys.readouterr()
    assert main(["export-bookings", "--date", day.isoformat()], settings=settings) == 0
    assert "Anna" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export-bookings", "--date", "gisteren"], settings=settings)
    with Session(fresh_database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Location)) == len(DEMO_LOCATIONS)
