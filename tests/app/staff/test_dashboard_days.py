"""The dashboard's kept figures of closed days (services/dashboard_days.py) give the figures counted live
from the rows (`build_figures(..., summarised=False)`, the definition), on SQLite and PostgreSQL: for
every period, after a late handover or a later report for a conversation of a closed day, and after
retention. A kept day is read, not computed again, until a change falls on it.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from staff_helpers import Accounts, handover_at, login, reported_conversation

from bot.backend.models import (
    Booking,
    CallbackRequest,
    DashboardChange,
    DashboardDay,
    Location,
    Schedule,
    Slot,
)
from bot.backend.services import dashboard
from bot.backend.services.clock import local_today
from bot.backend.services.conversations import upsert_conversation
from bot.backend.services.dashboard import NOT_UNDERSTOOD, PERIODS, Figures, Period, build_figures
from bot.backend.services.dashboard_days import SETTLE, closed_count, mark_changed
from bot.backend.services.handovers import create_handover
from bot.backend.services.retention import RetentionPeriods, purge
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import Database, default_municipality_id, make_settings

#: The dashboard's periods, and some that start between a conversation's report and its handover.
LENGTHS = (*PERIODS, 1, 2, 4, 5, 61)


def _at(tz: ZoneInfo, days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    day = local_today(tz) - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)


def _bookings_and_callbacks(session: Session, tz: ZoneInfo, moments: list[datetime]) -> None:
    location = Location(name="Testhuis (test)", address="Teststraat 1", wijk="Noord",
                        municipality_id=default_municipality_id(session))  # fmt: skip
    session.add(location)
    session.flush()
    schedule = Schedule(
        location_id=location.id,
        topic="schulden",
        title="Spreekuur",
        weekday=0,
        start_time=time(9),
        end_time=time(10),
        capacity=500,
        valid_from=local_today(tz) - timedelta(days=200),
        slot_minutes=None,
    )
    session.add(schedule)
    session.flush()
    slot = Slot(
        schedule_id=schedule.id,
        date=local_today(tz),
        start_time=time(9),
        end_time=time(10),
        capacity=500,
        booked=len(moments),
    )
    session.add(slot)
    session.flush()
    for number, moment in enumerate(moments):
        session.add(
            Booking(
                code=f"VD-DAYS{number:04d}",
                slot_id=slot.id,
                topic="schulden",
                first_name="Sara",
                phone="0612345678",
                created_at=moment,
            )
        )
        session.add(
            CallbackRequest(
                topic="huisvesting" if number % 2 else "schulden",
                first_name="Omar",
                phone="0612345678",
                due_date=local_today(tz),
                created_at=moment,
                municipality_id=default_municipality_id(session),
            )
        )
    session.flush()


def seed(session: Session, tz: ZoneInfo) -> None:
    """Conversations, handovers, bookings and callback requests over 120 days, with every way a
    conversation counts (services/dashboard.py) and the days' edges."""
    topics = ("schulden", "huisvesting", "jeugdhulp", "algemeen", None, "onbekend")
    for days_ago in range(0, 120, 3):
        for number in range(days_ago % 4 + 1):
            conversation_id = f"c{days_ago}-{number}"
            reported_conversation(
                session,
                conversation_id,
                _at(tz, days_ago, 9 + number),
                topics[(days_ago + number) % 6],
                misunderstood=number == 2,
            )
            if number == 1:
                handover_at(session, conversation_id, _at(tz, days_ago, 16), "schulden", done=True)
    # Just before and after midnight: reported late on day 11, handed over early on day 10.
    reported_conversation(session, "midnight", _at(tz, 11, 23, 58), "jeugdhulp")
    handover_at(session, "midnight", _at(tz, 10, 0, 3), "jeugdhulp", done=True)
    # Reported long before the period, a handover in it: counts on the handover's day.
    reported_conversation(session, "long-ago", _at(tz, 100), "algemeen")
    handover_at(session, "long-ago", _at(tz, 50), "schulden", done=True)
    # Never reported: counts on its first handover of the period (day 60 or day 3, by the period).
    handover_at(session, "never-reported", _at(tz, 60), None, done=True)
    handover_at(session, "never-reported", _at(tz, 3), "huisvesting", done=True)
    # Reported only after its handover: counts on the day of the report.
    handover_at(session, "reported-later", _at(tz, 6), "schulden", done=True)
    reported_conversation(session, "reported-later", _at(tz, 2), None, handed_over=True)
    moments = [_at(tz, days_ago, hour) for days_ago in range(0, 100, 2) for hour in (0, 11, 23)]
    _bookings_and_callbacks(session, tz, moments)
    session.commit()


def counted(figures: Figures) -> dict[str, Any]:
    """Everything the page shows, per day: conversations per topic bar and outcome, bookings, callbacks."""
    kinds: Counter[tuple[date, str, bool]] = Counter()
    for row in figures.rows:
        kinds[(row.day, row.category, row.with_person)] += row.count
    return {
        "days": figures.days,
        "conversations": +kinds,
        "bookings": figures.bookings_per_day,
        "callbacks": figures.callbacks_per_day,
    }


def assert_same_as_live(session: Session, tz: ZoneInfo, lengths: tuple[int, ...] = LENGTHS) -> None:
    today = local_today(tz)
    for days in lengths:
        live = build_figures(session=session, today=today, days=days, tz=tz, summarised=False)
        kept = build_figures(session=session, today=today, days=days, tz=tz)
        assert counted(kept) == counted(live), days
        assert kept.conversations == live.conversations and kept.with_person == live.with_person


def kept_days(session: Session) -> dict[date, DashboardDay]:
    session.expire_all()
    return {row.day: row for row in session.scalars(select(DashboardDay))}


def test_kept_days_give_the_figures_counted_live(
    session: Session, settings: BackendSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tz = settings.tz
    seed(session, tz)
    assert not kept_days(session)
    assert_same_as_live(session, tz)  # the first view of each period fills its closed days
    assert_same_as_live(session, tz)  # later views read them
    period = Period.ending(local_today(tz), 90, tz)
    closed = closed_count(period.ends, datetime.now(UTC))
    assert set(kept_days(session)) >= set(period.days[:closed]) and closed >= 88
    assert local_today(tz) not in kept_days(session)
    # The seed counts as intended: the conversation never reported counts on its first handover of the period.
    today = local_today(tz)
    ninety = build_figures(session=session, today=today, days=90, tz=tz)
    seven = build_figures(session=session, today=today, days=7, tz=tz)
    assert kept_days(session)[today - timedelta(days=60)].handover_only == ["never-reported"]
    assert ninety.with_person_per_day[ninety.days.index(today - timedelta(days=60))] == 1
    assert seven.with_person_per_day[seven.days.index(today - timedelta(days=3))] == 2  # c3-1 and it
    assert build_figures(session=session, today=today, days=1, tz=tz).bookings_per_day == [3]
    # With more candidates than the dashboard narrows to, it looks at every handover: the same figures.
    monkeypatch.setattr(dashboard, "MAX_HANDOVER_ONLY", 0)
    assert_same_as_live(session, tz, (7, 90))


def test_a_late_handover_or_report_for_a_closed_day_is_counted(
    session: Session, settings: BackendSettings, client: TestClient, accounts: Accounts
) -> None:
    tz = settings.tz
    seed(session, tz)
    reported_conversation(session, "closed-day", _at(tz, 5), "schulden")
    reported_conversation(session, "topic-later", _at(tz, 8), None)
    reported_conversation(session, "misunderstood-later", _at(tz, 8, 14), None)
    handover_at(session, "handover-only", _at(tz, 4), None, done=True)
    session.commit()
    assert_same_as_live(session, tz)
    today = local_today(tz)
    day = today - timedelta(days=5)
    before = build_figures(session=session, today=today, days=7, tz=tz)
    assert day in kept_days(session)

    # A late handover, through the service as the bot makes it: the kept day is computed again.
    changes = session.scalar(select(func.count()).select_from(DashboardChange)) or 0
    create_handover(session=session, conversation_id="closed-day", channel="socketio", reason="vraagt iemand")
    session.commit()
    assert session.scalar(select(func.count()).select_from(DashboardChange)) == changes + 1
    after = build_figures(session=session, today=today, days=7, tz=tz)
    index = after.days.index(day)
    assert after.with_person_per_day[index] == before.with_person_per_day[index] + 1
    assert after.without_person_per_day[index] == before.without_person_per_day[index] - 1
    start_of_today = datetime.combine(today, time.min, tz).astimezone(UTC)
    waiting = select(func.count()).select_from(DashboardChange).where(DashboardChange.at < start_of_today)
    assert session.scalar(waiting) == 0  # taken; those of today wait until today is kept
    assert_same_as_live(session, tz)

    before_reports = build_figures(session=session, today=today, days=14, tz=tz)
    # Later reports: a topic for a conversation of a closed day, one the bot did not understand, and the
    # first report of a conversation known only through a handover; a second handover with a topic.
    upsert_conversation(session=session, conversation_id="topic-later", channel="socketio", topic="jeugdhulp")
    upsert_conversation(
        session=session,
        conversation_id="misunderstood-later",
        channel="socketio",
        topic=None,
        misunderstood=True,
    )
    upsert_conversation(session=session, conversation_id="handover-only", channel="socketio", topic=None)
    create_handover(
        session=session,
        conversation_id="never-reported",
        channel="socketio",
        reason="opnieuw",
        topic="algemeen",
    )
    session.commit()
    assert_same_as_live(session, tz)
    figures = build_figures(session=session, today=today, days=14, tz=tz)
    assert figures.without_person_in(NOT_UNDERSTOOD) == before_reports.without_person_in(NOT_UNDERSTOOD) + 1
    assert dict(figures.conversations_per_topic)["Opvoeden en jeugdhulp"] == (
        dict(before_reports.conversations_per_topic)["Opvoeden en jeugdhulp"] + 1
    )

    # The page shows the same numbers as the figures counted live.
    login(client, "sanne")
    page = client.get("/staff/dashboard?dagen=90").text
    live = build_figures(session=session, today=today, days=90, tz=tz, summarised=False)
    assert f'<dd id="n-conversations">{live.conversations}</dd>' in page
    assert f'<dd id="n-with-person">{live.with_person}</dd>' in page


def test_a_kept_day_is_read_until_a_change_falls_on_it(session: Session, settings: BackendSettings) -> None:
    tz = settings.tz
    seed(session, tz)
    today = local_today(tz)
    day = today - timedelta(days=4)
    build_figures(session=session, today=today, days=7, tz=tz)
    session.execute(update(DashboardDay).where(DashboardDay.day == day).values(bookings=99))
    session.commit()
    index = 2  # the 7 days end today: day 4 days ago is the third
    assert build_figures(session=session, today=today, days=7, tz=tz).bookings_per_day[index] == 99
    # A change on another day leaves it; a change on it (any moment of the day) drops it.
    mark_changed(session=session, at=_at(tz, 3, 0, 0))
    session.commit()
    assert build_figures(session=session, today=today, days=7, tz=tz).bookings_per_day[index] == 99
    mark_changed(session=session, at=_at(tz, 4, 23, 59))
    session.commit()
    live = build_figures(session=session, today=today, days=7, tz=tz, summarised=False)
    assert build_figures(session=session, today=today, days=7, tz=tz).bookings_per_day[index] == 3
    assert live.bookings_per_day[index] == 3
    # A day is kept only once it ended an hour ago: just after midnight yesterday is still counted live.
    session.execute(update(DashboardDay).values(bookings=99))
    session.commit()
    just_after_midnight = datetime.combine(today, time(0, 30), tz).astimezone(UTC)
    figures = build_figures(session=session, today=today, days=7, tz=tz, now=just_after_midnight)
    assert figures.bookings_per_day[-2:] == live.bookings_per_day[-2:] and SETTLE > timedelta(minutes=30)
    assert figures.bookings_per_day[-3] == 99


def test_retention_drops_the_kept_days(session: Session, settings: BackendSettings) -> None:
    tz = settings.tz
    seed(session, tz)
    assert_same_as_live(session, tz, (14, 90))
    assert kept_days(session)
    now = datetime.now(UTC)
    periods = RetentionPeriods(conversation_days=30, booking_days=30, handover_days=90)
    report = purge(session=session, periods=periods, today=local_today(tz), now=now)
    session.commit()
    assert report.counts["conversations"] > 0
    assert not kept_days(session)
    assert_same_as_live(session, tz, (14, 90))


def test_two_views_at_once_fill_the_days_once(fresh_database: Database, tmp_path: Path) -> None:
    """The second view waits for the first one's days (PostgreSQL: the advisory lock; SQLite: the write
    lock) and reads them, instead of keeping the same days again."""
    tz = make_settings(tmp_path, fresh_database.url).tz
    with Session(fresh_database.engine) as session:
        seed(session, tz)
    today = local_today(tz)
    first = Session(fresh_database.engine)
    first.begin()
    figures = build_figures(session=first, today=today, days=30, tz=tz)
    results: list[Figures | BaseException] = []

    def second_view() -> None:
        try:
            with Session(fresh_database.engine) as session, session.begin():
                results.append(build_figures(session=session, today=today, days=30, tz=tz))
        except BaseException as error:  # reported below
            results.append(error)

    thread = threading.Thread(target=second_view)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive() and not results  # waiting for the first view
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(results) == 1 and isinstance(results[0], Figures), results
    assert counted(results[0]) == counted(figures)
    with Session(fresh_database.engine) as session:
        assert session.scalar(select(func.count()).select_from(DashboardDay)) == closed_count(
            Period.ending(today, 30, tz).ends, datetime.now(UTC)
        )
