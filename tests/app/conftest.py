"""Database fixtures shared by the backend and staff-page suites: every database test runs on SQLite
and on PostgreSQL.

Each database kind gets one throw-away database per test session, built with the Alembic migrations.
Each test runs inside an outer transaction that is rolled back afterwards; sessions (also the API's,
one per request) join it through savepoints ("Joining a Session into an External Transaction").
PostgreSQL tests fail loudly when the server on 127.0.0.1:5432 is unreachable.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import launched_chromium
from handover_flow import STAFF_NAME
from playwright.sync_api import Browser
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from stack import DASH_TOKEN, Stack, running_stack

from bot.backend.db import build_engine
from bot.backend.models import StaffRole
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import (
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


# --- The handover browser tests (each of those modules provides its own `stack`). -----------------------


@pytest.fixture(scope="module")
def backend_db(stack: Any) -> Iterator[Engine]:
    """The stack's own backend database (SQLite in its data folder, as `make start` uses it).

    Sessions on it stay short: an open SQLite transaction would block the running backend's writes.
    """
    database = Path(stack.env["DATA_DIR"]) / "backend.db"
    assert database.exists(), database
    engine = build_engine(f"sqlite:///{database}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def make_staff(backend_db: Engine) -> Callable[[StaffRole], tuple[str, str]]:
    """A new staff account through the backend's service; returns (username, password)."""

    def make(role: StaffRole) -> tuple[str, str]:
        username, password = f"{role.value}-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(16)
        with Session(backend_db) as session, session.begin():
            create_staff_user(session=session, username=username, display_name=STAFF_NAME, password=password,
                              role=role)  # fmt: skip
        return username, password

    return make


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One `make start` on the embedded defaults for every module that needs nothing else of it (a start takes
    25-40 s). A module that needs other settings (office hours, limits, a stand-in server) defines its own
    `stack`; tests on this one use conversation ids and accounts of their own."""
    with running_stack(tmp_path_factory.mktemp("shared-stack"), {"RASA_AUTH_TOKEN": DASH_TOKEN}) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium for one test module (tests/app/chromium.py)."""
    with launched_chromium() as launched:
        yield launched
