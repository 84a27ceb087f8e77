"""Fixtures of the staff-page suite: SQLite and PostgreSQL, rollback per test (tests/app/conftest.py).

Each test gets a fresh TestClient (its own cookie jar) over https, so the Secure session cookie is sent.
Rasa is not running for these tests: `RASA_URL` points at a closed port, which is how the pages behave
when Rasa is down. The Rasa path itself is tested against a real Rasa in test_staff_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from staff_helpers import PASSWORD, Accounts

from bot.backend.app import create_app
from bot.backend.models import StaffRole
from bot.backend.services.staff import create_staff_user
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import Database, make_settings
from tests.ports import free_port

SECRET = "staff-session-secret-for-tests-0123456789"


@pytest.fixture(scope="session")
def closed_rasa_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def settings(tmp_path: Path, database: Database, closed_rasa_url: str) -> BackendSettings:
    return make_settings(tmp_path, database.url, staff_session_secret=SECRET, rasa_url=closed_rasa_url,
                         rasa_auth_token="rasa-token")  # fmt: skip


@pytest.fixture(scope="session")
def _apps() -> dict[str, FastAPI]:
    return {}


@pytest.fixture
def app(_apps: dict[str, FastAPI], database: Database, settings: BackendSettings,
        session_factory: sessionmaker[Session]) -> FastAPI:  # fmt: skip
    if database.kind not in _apps:
        _apps[database.kind] = create_app(settings, session_factory=session_factory)
    built = _apps[database.kind]
    built.state.session_factory = session_factory
    return built


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def accounts(session: Session) -> Accounts:
    sanne = create_staff_user(session=session, username="sanne", display_name="Sanne", password=PASSWORD)
    admin = create_staff_user(session=session, username="bea", display_name="Bea", password=PASSWORD,
                              role=StaffRole.ADMIN)  # fmt: skip
    session.commit()
    return Accounts(sanne.id, admin.id)
