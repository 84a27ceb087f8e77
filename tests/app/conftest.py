"""Database fixtures shared by the backend and staff-page suites: every database test runs on SQLite
and on PostgreSQL.

Each database kind gets one throw-away database per test session, built with the Alembic migrations.
Each test runs inside an outer transaction that is rolled back afterwards; sessions (also the API's,
one per request) join it through savepoints ("Joining a Session into an External Transaction").
PostgreSQL tests fail loudly when the server on 127.0.0.1:5432 is unreachable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.testing import (
    Database,
    Factory,
    ThrowAwayPostgres,
    count_rows,
    migrated_database,
    migrated_postgres,
)


@pytest.fixture(scope="session")
def postgres_databases() -> ThrowAwayPostgres:
    return ThrowAwayPostgres()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[Database]:
    """A migrated database of its own whose data is really committed (for threads, servers, commands)."""
    if request.param == "postgres":
        with migrated_postgres(postgres_databases) as db:
            yield db
    else:
        with migrated_database("sqlite", f"sqlite:///{tmp_path / 'fresh.db'}") as db:
            yield db


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with migrated_database("sqlite", f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'backend.db'}") as db:
        yield db


@pytest.fixture(scope="session")
def postgres_database(postgres_databases: ThrowAwayPostgres) -> Iterator[Database]:
    with migrated_postgres(postgres_databases) as db:
        yield db


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
def make(session: Session) -> Factory:
    return Factory(session)


@pytest.fixture
def row_counts(session: Session) -> Callable[[], dict[str, int]]:
    return lambda: count_rows(session)
