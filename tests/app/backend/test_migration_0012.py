"""Migration 0012 on a database with municipalities made before it (SQLite and PostgreSQL): they get no
office hours of their own (NULL: the `OFFICE_HOURS` setting); own hours are kept as written; down and up
again."""

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0011(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else postgres_databases.create()
    upgrade(url, revision="0011")
    engine = build_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO municipalities (slug, name, created_at) VALUES ('heideveen', 'Heideveen', :now)"
            ),
            {"now": NOW},
        )
    engine.dispose()
    try:
        yield url
    finally:
        if request.param == "postgres":
            postgres_databases.drop(url)


def _hours(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT slug, office_hours FROM municipalities")).tuples().all())


def test_municipalities_get_the_setting_and_keep_their_own_hours(url_at_0011: str) -> None:
    upgrade(url_at_0011)
    engine = build_engine(url_at_0011)
    try:
        assert _hours(engine) == {"voorbeeldstad": None, "heideveen": None}
        command.check(alembic_config(url_at_0011))  # the models and the migrations agree
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE municipalities SET office_hours = 'ma-do 08:30-16:30' WHERE slug = 'heideveen'")
            )
        assert _hours(engine) == {"voorbeeldstad": None, "heideveen": "ma-do 08:30-16:30"}

        command.downgrade(alembic_config(url_at_0011), "0011")
        columns = {column["name"] for column in inspect(engine).get_columns("municipalities")}
        assert "office_hours" not in columns and {"slug", "name", "created_at"} <= columns
        with engine.connect() as connection:  # the rows survive the downgrade
            slugs = connection.execute(text("SELECT slug FROM municipalities ORDER BY slug")).scalars().all()
            assert slugs == ["heideveen", "voorbeeldstad"]

        upgrade(url_at_0011)
        assert _hours(engine) == {"voorbeeldstad": None, "heideveen": None}
        command.check(alembic_config(url_at_0011))
    finally:
        engine.dispose()
