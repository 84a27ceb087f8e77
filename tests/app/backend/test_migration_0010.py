"""Migration 0010 on a database with rows made before it (SQLite and PostgreSQL): every location, handover,
callback request, conversation and staff member gets the default municipality; down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from bot.backend.db import build_engine
from bot.backend.migrate import alembic_config, upgrade
from tests.app.backend_helpers import ThrowAwayPostgres

NOW = "2026-12-01 10:00:00+00:00"
ROWS = (
    "INSERT INTO locations (name, address, wijk, directions, created_at) "
    "VALUES ('Huis', 'Straat 1', 'Noord', '', :now)",
    "INSERT INTO handovers (conversation_id, channel, reason, summary, status, created_at, updated_at) "
    "VALUES ('c1', 'rest', 'vraag', '', 'open', :now, :now)",
    "INSERT INTO callback_requests (topic, first_name, phone, urgent, due_date, status, created_at) "
    "VALUES ('schulden', 'Bram', '+31612345678', false, '2026-12-03', 'open', :now)",
    "INSERT INTO conversations (conversation_id, channel, handed_over, misunderstood, first_seen_at, "
    "last_seen_at) "
    "VALUES ('c1', 'rest', false, false, :now, :now)",
    "INSERT INTO staff_users (username, display_name, role, password_hash, active, created_at) "
    "VALUES ('sanne', 'Sanne', 'medewerker', 'x', true, :now)",
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0009(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else postgres_databases.create()
    upgrade(url, revision="0009")
    engine = build_engine(url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement), {"now": NOW})
    engine.dispose()
    try:
        yield url
    finally:
        if request.param == "postgres":
            postgres_databases.drop(url)


def _default_everywhere(engine: Engine) -> None:
    with engine.connect() as connection:
        municipalities = connection.execute(text("SELECT id, slug, name FROM municipalities")).all()
        assert [(slug, name) for _, slug, name in municipalities] == [("voorbeeldstad", "Voorbeeldstad")]
        default = municipalities[0][0]
        for table in ("locations", "handovers", "callback_requests", "conversations"):
            assert connection.execute(text(f"SELECT municipality_id FROM {table}")).scalars().all() == [
                default
            ]
        links = connection.execute(
            text("SELECT staff_user_id, municipality_id FROM staff_municipalities")
        ).all()
        assert [row[1] for row in links] == [default]


def test_existing_rows_get_the_default_municipality(
    url_at_0009: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DEFAULT_MUNICIPALITY", raising=False)
    upgrade(url_at_0009)
    engine = build_engine(url_at_0009)
    try:
        _default_everywhere(engine)
        command.check(alembic_config(url_at_0009))  # the models and the migrations agree
        command.downgrade(alembic_config(url_at_0009), "0009")
        assert "municipalities" not in inspect(engine).get_table_names()
        assert "municipality_id" not in {
            column["name"] for column in inspect(engine).get_columns("handovers")
        }
        upgrade(url_at_0009)
        _default_everywhere(engine)
    finally:
        engine.dispose()
