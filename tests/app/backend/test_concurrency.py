"""Many residents booking the last places at once: exactly `capacity` bookings succeed.

Each attempt runs in its own thread with its own session and connection, all released together.
On PostgreSQL this is also done with 50 simultaneous HTTP requests against a real uvicorn server.
"""

from __future__ import annotations

import threading
import time as clock
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import time, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.backend.app import create_app
from bot.backend.db import build_engine
from bot.backend.models import Booking, Location, Schedule, Slot
from bot.backend.services.bookings import book_slot, cancel_booking
from bot.backend.services.clock import local_today
from bot.backend.services.errors import ServiceError
from tests.app.backend_helpers import AUTH, Database, default_municipality_id, make_settings, next_weekday
from tests.ports import free_port

ATTEMPTS = 50
CAPACITY = 3


def make_slot(engine: object, capacity: int = CAPACITY) -> int:
    with Session(engine) as session, session.begin():  # type: ignore[arg-type]
        location = Location(name="Drukte (test)", address="Drukweg 1", wijk="Noord", directions="",
                            municipality_id=default_municipality_id(session))  # fmt: skip
        session.add(location)
        session.flush()
        today = local_today()
        schedule = Schedule(
            location_id=location.id,
            topic="schulden",
            title="Inloop",
            weekday=4,
            start_time=time(9),
            end_time=time(11),
            capacity=capacity,
            valid_from=today - timedelta(days=7),
        )
        session.add(schedule)
        session.flush()
        slot = Slot(
            schedule_id=schedule.id,
            date=next_weekday(today, 4),
            start_time=schedule.start_time,
            end_time=schedule.end_time,
            capacity=capacity,
            booked=0,
        )
        session.add(slot)
        session.flush()
        return slot.id


def places_and_bookings(engine: object, slot_id: int) -> tuple[int, int]:
    with Session(engine) as session:  # type: ignore[arg-type]
        booked = session.scalar(select(Slot.booked).where(Slot.id == slot_id)) or 0
        confirmed = session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot_id, Booking.status == "bevestigd")
        )
        return booked, confirmed or 0


def test_simultaneous_bookings_never_overbook(fresh_database: Database) -> None:
    url = fresh_database.url
    engine = (
        create_engine(url, pool_size=ATTEMPTS, max_overflow=0)
        if fresh_database.kind == "postgres"
        else build_engine(url)
    )
    slot_id = make_slot(engine)
    barrier = threading.Barrier(ATTEMPTS, timeout=60)
    preconnect = (
        fresh_database.kind == "postgres"
    )  # SQLite takes its write lock at BEGIN: connect after the barrier

    def attempt(number: int) -> str:
        with Session(engine) as session:
            if preconnect:
                session.connection()
            barrier.wait()
            try:
                book_slot(
                    session=session, slot_id=slot_id, first_name="Bewoner", phone=f"06123456{number:02d}"
                )
                session.commit()
            except ServiceError as error:
                session.rollback()
                return error.code
            return "booked"

    try:
        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            results = Counter(pool.map(attempt, range(ATTEMPTS)))
        assert results == {"booked": CAPACITY, "slot_full": ATTEMPTS - CAPACITY}
        assert places_and_bookings(engine, slot_id) == (CAPACITY, CAPACITY)
    finally:
        engine.dispose()


def test_cancel_and_rebook_race_keeps_the_count_right(fresh_database: Database) -> None:
    engine = build_engine(fresh_database.url)
    slot_id = make_slot(engine, capacity=1)
    with Session(engine) as session, session.begin():
        code = book_slot(session=session, slot_id=slot_id, first_name="Anna", phone="0612345678").code

    def cancel(_: int) -> str:
        with Session(engine) as session:
            try:
                cancel_booking(session=session, code=code)
                session.commit()
                return "cancelled"
            except ServiceError as error:
                return error.code

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = Counter(pool.map(cancel, range(8)))
        assert results == {"cancelled": 1, "booking_cancelled": 7}
        assert places_and_bookings(engine, slot_id) == (0, 0)
    finally:
        engine.dispose()


@pytest.fixture
def server(fresh_postgres: Database, tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """A real uvicorn server on a free port over its own PostgreSQL database."""
    fresh_database = fresh_postgres
    settings = make_settings(tmp_path, fresh_database.url)
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = clock.monotonic() + 15
    while not uvicorn_server.started:
        assert clock.monotonic() < deadline, "uvicorn did not start"
        clock.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", fresh_database
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=15)


@pytest.mark.postgres
def test_fifty_simultaneous_http_bookings(server: tuple[str, Database]) -> None:
    base_url, database = server
    slot_id = make_slot(database.engine)
    barrier = threading.Barrier(ATTEMPTS, timeout=60)

    def attempt(number: int) -> tuple[int, str]:
        with httpx.Client(base_url=base_url, headers=AUTH, timeout=60) as http:
            barrier.wait()
            response = http.post(
                "/api/bookings",
                json={"slot_id": slot_id, "first_name": "Bewoner", "phone": f"06123456{number:02d}"},
            )
            body = response.json()
            return response.status_code, body.get("error", {}).get("code", "booked")

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = Counter(pool.map(attempt, range(ATTEMPTS)))
    assert results == {(201, "booked"): CAPACITY, (409, "slot_full"): ATTEMPTS - CAPACITY}
    assert places_and_bookings(database.engine, slot_id) == (CAPACITY, CAPACITY)
