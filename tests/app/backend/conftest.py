"""Fixtures of the case-backend suite; the database fixtures (SQLite and PostgreSQL, rollback per
test) are in tests/app/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.app import create_app
from bot.backend.services.clock import local_today
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import (
    Database,
    Factory,
    ThrowAwayPostgres,
    World,
    make_settings,
    migrated_postgres,
    next_weekday,
)


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> BackendSettings:
    return make_settings(tmp_path, database.url)


@pytest.fixture(scope="session")
def _clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """One app and client per database kind for the whole run (building them per test is slow)."""
    clients: dict[str, TestClient] = {}
    yield clients
    for test_client in clients.values():
        test_client.__exit__(None, None, None)


@pytest.fixture
def client(
    _clients: dict[str, TestClient],
    database: Database,
    settings: BackendSettings,
    session_factory: sessionmaker[Session],
) -> TestClient:
    """A TestClient whose requests join the test's outer transaction (one savepoint per request)."""
    if database.kind not in _clients:
        _clients[database.kind] = TestClient(
            create_app(settings, session_factory=session_factory)
        ).__enter__()
    test_client = _clients[database.kind]
    test_client.app.state.session_factory = session_factory  # type: ignore[attr-defined]
    return test_client


@pytest.fixture
def world(make: Factory) -> World:
    today = local_today()
    location = make.location("Testhuis (test)", "Noord")
    other = make.location("Proefhuis (test)", "Zuid")
    friday = next_weekday(today, 4)
    schedule = make.schedule(location, topic="schulden", weekday=4)
    wednesday_schedule = make.schedule(location, topic="algemeen", weekday=2, title="Inloop")
    other_schedule = make.schedule(other, topic="schulden", weekday=4)
    return World(
        location=location,
        other_location=other,
        schedule=schedule,
        other_topic_schedule=wednesday_schedule,
        slot=make.slot(schedule, friday),
        second_slot=make.slot(schedule, friday + timedelta(days=7)),
        other_topic_slot=make.slot(wednesday_schedule, next_weekday(today, 2)),
        other_location_slot=make.slot(other_schedule, friday),
        past_slot=make.slot(schedule, next_weekday(today, 4, weeks_ahead=-2)),
        today=today,
    )


@pytest.fixture
def fresh_postgres(postgres_databases: ThrowAwayPostgres) -> Iterator[Database]:
    with migrated_postgres(postgres_databases) as db:
        yield db
