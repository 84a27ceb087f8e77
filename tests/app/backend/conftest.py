"""Fixtures of the case-backend suite: every database test runs on SQLite and on PostgreSQL.

Each database kind gets one throw-away database per test session, built with the Alembic migrations.
Each test runs inside an outer transaction that is rolled back afterwards; sessions (also the API's,
one per request) join it through savepoints ("Joining a Session into an External Transaction").
PostgreSQL tests fail loudly when the server on 127.0.0.1:5432 is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.app import create_app
from bot.backend.db import build_engine
from bot.backend.migrate import upgrade
from bot.backend.services.clock import local_today
from bot.backend.settings import BackendSettings
from bot.backend.testing import (
    Database,
    Factory,
    ThrowAwayPostgres,
    World,
    count_rows,
    make_settings,
    next_weekday,
)


@pytest.fixture(scope="session")
def postgres_databases() -> ThrowAwayPostgres:
    return ThrowAwayPostgres()


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'backend.db'}"
    upgrade(url)
    engine = build_engine(url)
    yield Database("sqlite", url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_databases: ThrowAwayPostgres) -> Iterator[Database]:
    yield from _fresh_postgres(postgres_databases)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_database")


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    with database.engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as db_session:
        yield db_session


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
def row_counts(session: Session) -> Callable[[], dict[str, int]]:
    return lambda: count_rows(session)


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)


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


def _fresh_postgres(postgres_databases: ThrowAwayPostgres) -> Iterator[Database]:
    url = postgres_databases.create()
    try:
        upgrade(url)
        engine = build_engine(url)
        yield Database("postgres", url, engine)
        engine.dispose()
    finally:
        postgres_databases.drop(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[Database]:
    """A migrated database of its own whose data is really committed (for threads, servers, commands)."""
    if request.param == "postgres":
        yield from _fresh_postgres(postgres_databases)
        return
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    engine = build_engine(url)
    yield Database("sqlite", url, engine)
    engine.dispose()


@pytest.fixture
def fresh_postgres(postgres_databases: ThrowAwayPostgres) -> Iterator[Database]:
    yield from _fresh_postgres(postgres_databases)
