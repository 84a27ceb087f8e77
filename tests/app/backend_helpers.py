"""Test helpers for the case backend: throw-away PostgreSQL databases, settings and a row factory.

Used by the suites under `tests/app` and by benchmarks/staff_volume_benchmark.py (its throw-away
database); outside the `bot` package, so nothing of it ships or runs in production.
"""

from __future__ import annotations

import os
import threading
import time as clock
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from fastapi import FastAPI
from psycopg import sql
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.backend.db import build_engine
from bot.backend.migrate import upgrade
from bot.backend.models import Base, Booking, Closure, Location, Municipality, Schedule, Slot
from bot.backend.services.clock import local_today
from bot.backend.services.municipalities import get_or_create, resolve
from bot.backend.settings import BackendSettings

POSTGRES_ADMIN_URL = os.environ.get(
    "VOORDEUR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TOKEN = "test-service-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class ThrowAwayPostgres:
    """Create and drop uniquely named databases on the local PostgreSQL server."""

    def __init__(self, admin_url: str = POSTGRES_ADMIN_URL) -> None:
        self.admin_url = make_url(admin_url)

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the server's admin database (create, drop, terminate)."""
        url = self.admin_url
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            autocommit=True,
            connect_timeout=5,
        )

    def create(self) -> str:
        name = f"voordeur_test_{uuid.uuid4().hex[:12]}"
        with self.admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database or ""
        with self.admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine


@contextmanager
def migrated_database(kind: str, url: str) -> Iterator[Database]:
    """The database at `url` migrated to the newest schema, with an engine disposed afterwards."""
    upgrade(url)
    engine = build_engine(url)
    try:
        yield Database(kind, url, engine)
    finally:
        engine.dispose()


@contextmanager
def migrated_postgres(databases: ThrowAwayPostgres) -> Iterator[Database]:
    """A migrated PostgreSQL database of its own, dropped afterwards."""
    url = databases.create()
    try:
        with migrated_database("postgres", url) as database:
            yield database
    finally:
        databases.drop(url)


@contextmanager
def running_app(app: FastAPI, port: int) -> Iterator[str]:
    """A real uvicorn server for `app` on 127.0.0.1:`port` in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = clock.monotonic() + 15
    while not server.started:
        if clock.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        clock.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> BackendSettings:
    values: dict[str, Any] = {
        "voordeur_env": "test",
        "data_dir": tmp_path,
        "database_url": database_url,
        "backend_service_token": TOKEN,
    }
    values.update(overrides)
    return BackendSettings(_env_file=None, **values)  # type: ignore[call-arg]


def count_rows(session: Session) -> dict[str, int]:
    """Rows per table, to show that a refused request changed nothing."""
    session.expire_all()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@dataclass
class World:
    """A small fixed world: two locations, spreekuren next week and the week after, one past slot."""

    location: Location
    other_location: Location
    schedule: Schedule
    other_topic_schedule: Schedule
    slot: Slot
    second_slot: Slot
    other_topic_slot: Slot
    other_location_slot: Slot
    past_slot: Slot
    today: date


def default_municipality_id(session: Session) -> int:
    """The default municipality's id (migration 0010 made it; DEFAULT_MUNICIPALITY)."""
    return resolve(session=session, slug=None).id


def next_weekday(start: date, weekday: int, weeks_ahead: int = 1) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 + 7 * weeks_ahead)


class Factory:
    """Builds test rows in the test's session and commits them (a savepoint release)."""

    next_weekday = staticmethod(next_weekday)

    def __init__(self, session: Session) -> None:
        self.session = session

    def municipality(self, slug: str, name: str | None = None) -> Municipality:
        municipality = get_or_create(session=self.session, slug=slug, name=name, actor="test")
        self.session.commit()
        return municipality

    def location(self, name: str, wijk: str = "Noord", municipality: Municipality | None = None) -> Location:
        municipality_id = municipality.id if municipality else default_municipality_id(self.session)
        location = Location(name=name, address="Teststraat 1", wijk=wijk, directions="Bus 1",
                            municipality_id=municipality_id)  # fmt: skip
        self.session.add(location)
        self.session.commit()
        return location

    def schedule(
        self,
        location: Location,
        *,
        topic: str = "schulden",
        weekday: int = 4,
        valid_from: date | None = None,
        valid_until: date | None = None,
        capacity: int = 2,
        start: time = time(9, 0),
        end: time = time(10, 30),
        slot_minutes: int | None = None,
        title: str = "Inloopspreekuur Geldzaken",
    ) -> Schedule:
        schedule = Schedule(
            location_id=location.id,
            topic=topic,
            title=title,
            weekday=weekday,
            start_time=start,
            end_time=end,
            capacity=capacity,
            slot_minutes=slot_minutes,
            valid_from=valid_from or local_today() - timedelta(days=60),
            valid_until=valid_until,
        )
        self.session.add(schedule)
        self.session.commit()
        return schedule

    def slot(self, schedule: Schedule, day: date, capacity: int | None = None) -> Slot:
        slot = Slot(
            schedule_id=schedule.id,
            date=day,
            start_time=schedule.start_time,
            end_time=schedule.end_time,
            capacity=capacity or schedule.capacity,
            booked=0,
        )
        self.session.add(slot)
        self.session.commit()
        return slot

    def booking(self, slot: Slot, first_name: str, phone: str, question: str | None = None) -> Booking:
        """A confirmed booking written directly, so that a test does not depend on the clock.

        ``book_slot`` refuses a slot whose start has passed; a test of today's list must work at 23:30 too.
        """
        booking = Booking(
            code=f"VD-T{slot.id:04d}{slot.booked}",
            slot_id=slot.id,
            topic=slot.schedule.topic,
            first_name=first_name,
            phone=phone,
            question=question,
        )
        slot.booked += 1
        self.session.add(booking)
        self.session.commit()
        return booking

    def closure(
        self, day: date, location: Location | None, reason: str = "Studiedag", days: int = 1
    ) -> Closure:
        closure = Closure(
            location_id=location.id if location else None,
            date_from=day,
            date_to=day + timedelta(days=days - 1),
            reason=reason,
        )
        self.session.add(closure)
        self.session.commit()
        return closure


def snapshot(session: Session) -> dict[str, Any]:
    """Row counts plus the mutable state (places taken, statuses), to show a refusal changed nothing."""
    from bot.backend.models import CallbackRequest, Handover

    state: dict[str, Any] = count_rows(session)
    state["places_taken"] = session.scalar(select(func.coalesce(func.sum(Slot.booked), 0)))
    state["bookings"] = sorted(session.execute(select(Booking.code, Booking.status, Booking.slot_id)).all())
    state["handovers"] = sorted(
        session.execute(select(Handover.id, Handover.status, Handover.assignee_id)).all()
    )
    state["callbacks"] = sorted(session.execute(select(CallbackRequest.id, CallbackRequest.status)).all())
    return state
