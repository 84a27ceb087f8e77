"""Office hours (`OFFICE_HOURS`, a municipality's own hours, closures without a location) on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.models import AuditEntry, Municipality
from bot.backend.services.errors import InvalidInput
from bot.backend.services.municipalities import set_office_hours
from bot.backend.services.office_hours import (
    OfficeHoursError,
    format_clock,
    format_moment,
    office_hours_status,
    parse_office_hours,
)
from bot.shared.dutch_calendar import parts_of_day_in
from tests.app.backend_helpers import AUTH, Database, Factory, make_settings

TZ = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = parse_office_hours("ma-do 09:00-17:00, vr 09:00-12:30")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A local moment in 2026; 23 November 2026 is a Monday."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def status(session: Session, moment: datetime, hours: str | None = None):  # noqa: ANN201
    week = WEEKDAYS if hours is None else parse_office_hours(hours)
    return office_hours_status(session=session, hours=week, tz=TZ, now=moment)


def test_just_before_and_after_closing(session: Session) -> None:
    before = status(session, at(23, 16, 59))
    assert before.open_now and before.next_open is None
    assert before.closes_at == at(23, 17) and before.closes_at_label == "17.00 uur"
    after = status(session, at(23, 17, 0))
    assert not after.open_now and after.closes_at is None
    assert after.next_open == at(24, 9)
    assert after.next_open_label == "dinsdag 24 november om 9.00 uur"


def test_before_opening_the_same_day_and_a_short_friday(session: Session) -> None:
    early = status(session, at(23, 8, 59))
    assert not early.open_now and early.next_open == at(23, 9)
    assert status(session, at(27, 12, 29)).open_now
    friday_afternoon = status(session, at(27, 12, 30))
    assert not friday_afternoon.open_now
    assert friday_afternoon.next_open_label == "maandag 30 november om 9.00 uur"


def test_the_weekend_is_closed(session: Session) -> None:
    saturday = status(session, at(28, 11))
    assert not saturday.open_now and saturday.next_open == at(30, 9)
    sunday_night = status(session, at(29, 23, 59))
    assert sunday_night.next_open == at(30, 9)


def test_a_holiday_for_the_whole_team_is_closed(session: Session, make: Factory) -> None:
    make.closure(date(2026, 12, 25), None, reason="Kerst", days=2)  # Friday 25 and Saturday 26
    make.closure(date(2026, 12, 28), make.location("Buurthuis (test)", "Noord"), reason="Verbouwing")
    christmas = status(session, at(25, 10, month=12))
    assert not christmas.open_now
    # A closure of one location is no holiday for the chat: Monday 28 opens as usual.
    assert christmas.next_open == at(28, 9, month=12)
    assert christmas.next_open_label == "maandag 28 december om 9.00 uur"
    assert status(session, at(24, 16, month=12)).open_now


def test_several_periods_a_day_and_never_open(session: Session) -> None:
    lunch = status(session, at(23, 12, 30), "ma-vr 09:00-12:00, ma-vr 13:00-17:00")
    assert not lunch.open_now and lunch.next_open == at(23, 13)
    never = status(session, at(23, 12), "")
    assert not never.open_now and never.next_open is None and never.next_open_label is None
    always = status(session, at(29, 3), "ma-zo 00:00-24:00")
    assert always.open_now and always.closes_at == at(30, 0)


def test_the_summer_time_change_keeps_wall_clock_hours(session: Session) -> None:
    saturday = datetime(2027, 3, 27, 18, tzinfo=TZ)  # summer time starts on Sunday 28 March 2027
    opening = status(session, saturday).next_open
    assert opening is not None and opening.hour == 9 and opening.utcoffset().total_seconds() == 7200
    assert format_moment(opening) == "maandag 29 maart om 9.00 uur"


@pytest.mark.parametrize(
    "text",
    ["maandag 09:00-17:00", "ma-vr 9-17", "vr-ma 09:00-17:00", "ma 17:00-09:00", "ma 09:00-25:00",
     "ma 09:00-12:00, ma 11:00-13:00", "xx 09:00-17:00"],
)  # fmt: skip
def test_unreadable_office_hours_are_refused(text: str, tmp_path: Path) -> None:
    with pytest.raises(OfficeHoursError):
        parse_office_hours(text)
    with pytest.raises(ValidationError, match="OFFICE_HOURS"):
        make_settings(tmp_path, "sqlite://", office_hours=text)


@pytest.fixture
def hours_client(client: TestClient, tmp_path: Path, database: Database) -> Iterator[TestClient]:
    original = client.app.state.settings  # type: ignore[attr-defined]
    client.app.state.settings = make_settings(  # type: ignore[attr-defined]
        tmp_path, database.url, office_hours="ma-do 09:00-17:00, vr 09:00-12:30"
    )
    yield client
    client.app.state.settings = original  # type: ignore[attr-defined]


def test_api_answers_with_iso_times_and_a_dutch_label(hours_client: TestClient, make: Factory) -> None:
    make.closure(date(2026, 11, 24), None, reason="Studiedag")
    closed = hours_client.get("/api/office-hours", params={"at": "2026-11-23T17:30:00"}, headers=AUTH)
    assert closed.status_code == 200, closed.text
    assert closed.json() == {
        "municipality": "voorbeeldstad",  # none named: the default municipality
        "open_now": False,
        "next_open": "2026-11-25T09:00:00+01:00",
        "next_open_label": "woensdag 25 november om 9.00 uur",
        "closes_at": None,
        "closes_at_label": None,
        "parts_of_day": ["ochtend", "middag"],  # ma-do 09:00-17:00, vr 09:00-12:30: never in the evening
    }
    utc = hours_client.get("/api/office-hours", params={"at": "2026-11-23T15:59:00Z"}, headers=AUTH).json()
    assert utc["open_now"] is True and utc["closes_at"] == "2026-11-23T17:00:00+01:00"
    assert hours_client.get("/api/office-hours", headers=AUTH).status_code == 200  # now


def test_api_needs_the_token_and_a_valid_moment(hours_client: TestClient) -> None:
    assert hours_client.get("/api/office-hours").status_code == 401
    bad = hours_client.get("/api/office-hours", params={"at": "morgen"}, headers=AUTH)
    assert bad.status_code == 422 and bad.json()["error"]["message"]


def test_times_are_written_the_dutch_way_and_midnight_is_named() -> None:
    tz = ZoneInfo("Europe/Amsterdam")
    assert format_clock(datetime(2026, 11, 24, 9, 0, tzinfo=tz)) == "9.00 uur"
    assert format_clock(datetime(2026, 11, 24, 12, 30, tzinfo=tz)) == "12.30 uur"
    assert format_clock(datetime(2026, 11, 25, 0, 0, tzinfo=tz)) == "middernacht"


@pytest.mark.parametrize(
    "hours, parts",
    [
        ("ma-vr 09:00-17:00", ["ochtend", "middag"]),
        ("ma-vr 09:00-12:00", ["ochtend"]),
        ("ma-do 12:00-18:00", ["middag"]),
        ("ma-vr 09:00-17:00, do 17:00-20:00", ["ochtend", "middag", "avond"]),
        ("ma-zo 00:00-24:00", ["ochtend", "middag", "avond"]),
        ("", []),
    ],
)
def test_the_parts_of_the_day_the_team_works(hours: str, parts: list[str]) -> None:
    week = parse_office_hours(hours)
    assert parts_of_day_in(period for periods in week.values() for period in periods) == parts


# Office hours per municipality (issue 23): Voorbeeldstad has none of its own (the setting above,
# ma-do 09:00-17:00, vr 09:00-12:30), Heideveen has ma-do 08:30-16:30 as in the demo data.
HEIDEVEEN_HOURS = "ma-do 08:30-16:30"


@pytest.fixture
def heideveen(make: Factory, session: Session) -> Municipality:
    make.municipality("heideveen", "Heideveen")
    municipality = set_office_hours(session=session, slug="heideveen", hours=HEIDEVEEN_HOURS, actor="test")
    session.commit()
    return municipality


def hours_at(client: TestClient, moment: str, municipality: str | None = None) -> dict[str, object]:
    params = {"at": moment} | ({"municipality": municipality} if municipality else {})
    answer = client.get("/api/office-hours", params=params, headers=AUTH)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.mark.parametrize(
    ("moment", "voorbeeldstad", "heideveen_open"),
    [
        ("2026-11-23T08:45:00", False, True),  # Monday: Heideveen opens at 8.30, Voorbeeldstad at 9.00
        ("2026-11-23T12:00:00", True, True),
        ("2026-11-23T16:45:00", True, False),  # Heideveen closes at 16.30, Voorbeeldstad at 17.00
        ("2026-11-27T10:00:00", True, False),  # Friday: only Voorbeeldstad (until 12.30)
        ("2026-11-28T10:00:00", False, False),  # Saturday
    ],
)
def test_each_municipality_answers_with_its_own_hours(
    hours_client: TestClient, heideveen: Municipality, moment: str, voorbeeldstad: bool, heideveen_open: bool
) -> None:
    own = hours_at(hours_client, moment, "voorbeeldstad")
    theirs = hours_at(hours_client, moment, "heideveen")
    assert (own["municipality"], own["open_now"]) == ("voorbeeldstad", voorbeeldstad)
    assert (theirs["municipality"], theirs["open_now"]) == ("heideveen", heideveen_open)


def test_the_next_opening_and_the_closing_time_are_the_municipalitys(
    hours_client: TestClient, heideveen: Municipality
) -> None:
    friday = hours_at(hours_client, "2026-11-27T10:00:00", "heideveen")
    assert friday["next_open"] == "2026-11-30T08:30:00+01:00"
    assert friday["next_open_label"] == "maandag 30 november om 8.30 uur"
    monday = hours_at(hours_client, "2026-11-23T16:00:00", "heideveen")
    assert monday["closes_at_label"] == "16.30 uur" and monday["parts_of_day"] == ["ochtend", "middag"]
    assert hours_at(hours_client, "2026-11-23T16:00:00", "voorbeeldstad")["closes_at_label"] == "17.00 uur"


def test_without_own_hours_the_setting_applies_and_without_a_slug_the_default_municipality(
    hours_client: TestClient, heideveen: Municipality, session: Session
) -> None:
    moment = "2026-11-27T12:00:00"  # Friday noon: the setting says open until 12.30
    default = hours_at(hours_client, moment)
    assert default == hours_at(hours_client, moment, "voorbeeldstad")
    assert default["municipality"] == "voorbeeldstad" and default["open_now"] is True
    assert default["closes_at_label"] == "12.30 uur"
    # The default municipality gets hours of its own: a request without a slug follows them.
    set_office_hours(session=session, slug="voorbeeldstad", hours="ma-vr 13:00-17:00", actor="test")
    session.commit()
    assert hours_at(hours_client, moment)["open_now"] is False
    assert hours_at(hours_client, moment)["next_open_label"] == "vrijdag 27 november om 13.00 uur"
    # Cleared again (None): the setting once more.
    set_office_hours(session=session, slug="voorbeeldstad", hours=None, actor="test")
    session.commit()
    assert hours_at(hours_client, moment) == default


def test_a_closure_of_the_whole_team_closes_every_municipality(
    hours_client: TestClient, heideveen: Municipality, make: Factory
) -> None:
    make.closure(date(2026, 11, 24), None, reason="Studiedag")  # Tuesday
    own = hours_at(hours_client, "2026-11-24T10:00:00", "voorbeeldstad")
    theirs = hours_at(hours_client, "2026-11-24T10:00:00", "heideveen")
    assert own["open_now"] is False and theirs["open_now"] is False
    assert own["next_open_label"] == "woensdag 25 november om 9.00 uur"
    assert theirs["next_open_label"] == "woensdag 25 november om 8.30 uur"


@pytest.mark.parametrize("slug", ["nergensdorp", "Heide Veen", "x" * 41])
def test_an_unknown_municipality_is_refused_in_dutch(
    hours_client: TestClient, heideveen: Municipality, slug: str
) -> None:
    answer = hours_client.get("/api/office-hours", params={"municipality": slug}, headers=AUTH)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["message"] and "gemeente" in error["message"].lower()


@pytest.mark.parametrize(
    "text", ["ma-vr 9-17", "maandag 09:00-17:00", "ma 09:00-12:00, ma 11:00-13:00", "", "   ", "ma " * 200]
)
def test_unreadable_municipal_hours_are_refused_and_change_nothing(
    heideveen: Municipality, session: Session, text: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        set_office_hours(session=session, slug="heideveen", hours=text, actor="test")
    assert refused.value.details["field"] == "office_hours"
    assert refused.value.message.startswith(("Deze", "Geef"))
    assert heideveen.office_hours == HEIDEVEEN_HOURS


def test_a_change_is_audited_with_the_old_and_new_hours(heideveen: Municipality, session: Session) -> None:
    set_office_hours(session=session, slug="heideveen", hours="ma-vr  09:00-12:00", actor="staff:bea")
    set_office_hours(session=session, slug="heideveen", hours="ma-vr 09:00-12:00", actor="staff:bea")  # same
    set_office_hours(session=session, slug="heideveen", hours=None, actor="staff:bea")
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "municipality.office_hours").order_by(AuditEntry.id)
    ).all()
    assert [(entry.actor, entry.entity_id, entry.details) for entry in entries] == [
        ("test", "heideveen", {"old": "instelling", "new": HEIDEVEEN_HOURS}),
        ("staff:bea", "heideveen", {"old": HEIDEVEEN_HOURS, "new": "ma-vr 09:00-12:00"}),
        ("staff:bea", "heideveen", {"old": "ma-vr 09:00-12:00", "new": "instelling"}),
    ]


def test_the_set_office_hours_command(
    fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, fresh_database.url, office_hours="ma-vr 09:00-17:00")
    with Session(fresh_database.engine) as session:
        session.add(Municipality(slug="heideveen", name="Heideveen"))
        session.commit()

    def stored() -> str | None:
        with Session(fresh_database.engine) as session:
            return session.scalars(
                select(Municipality.office_hours).where(Municipality.slug == "heideveen")
            ).one()

    assert main(["set-office-hours", "heideveen", "ma-do 08:30-16:30"], settings=settings) == 0
    assert "openingstijden van Heideveen: ma-do 08:30-16:30" in capsys.readouterr().out
    assert stored() == "ma-do 08:30-16:30"
    assert main(["set-office-hours", "heideveen", "ma-vr 9-17"], settings=settings) == 1
    assert "kunnen we niet lezen" in capsys.readouterr().err and stored() == "ma-do 08:30-16:30"
    assert main(["set-office-hours", "nergensdorp", "ma-vr 09:00-17:00"], settings=settings) == 1
    assert "Deze gemeente kennen we niet" in capsys.readouterr().err
    assert main(["set-office-hours", "heideveen", "--clear"], settings=settings) == 0
    assert "de instelling OFFICE_HOURS (ma-vr 09:00-17:00)" in capsys.readouterr().out
    assert stored() is None
    with Session(fresh_database.engine) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == "heideveen")).all()
        assert actions.count("municipality.office_hours") == 2
