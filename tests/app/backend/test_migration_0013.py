"""Migration 0013 (issue 24: scheduled messages, opt-outs, link codes, conversation links) on SQLite and
PostgreSQL: after it the database matches the models exactly (alembic's own comparison), bookings made
before it keep their rows, and it goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.backend.db import build_engine
from bot.backend.migrate import alembic_config, upgrade
from bot.backend.models import Base
from tests.app.backend_helpers import ThrowAwayPostgres

NEW_TABLES = {"scheduled_messages", "message_opt_outs", "link_codes", "conversation_links"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0012(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else postgres_databases.create()
    upgrade(url, revision="0012")
    try:
        yield url
    finally:
        if request.param == "postgres":
            postgres_databases.drop(url)


def _differences(url: str) -> list[object]:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            found = list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()
    # An index on an expression (handovers' `closed_at DESC`) cannot be compared: alembic reports it as
    # removed and added again under the same name; PostgreSQL's trigram search indexes (`*_trgm`) live in
    # the migrations only. Only those are left out.
    named = [
        (d[0], d[1].name) for d in found if isinstance(d, tuple) and d[0] in ("add_index", "remove_index")
    ]
    both = {name for kind, name in named if kind == "add_index"} & {
        name for kind, name in named if kind == "remove_index"
    }
    return [
        d
        for d in found
        if not (
            isinstance(d, tuple)
            and d[0].endswith("_index")
            and (d[1].name in both or d[1].name.endswith("_trgm"))
        )
    ]


def test_the_schema_matches_the_models_and_goes_down_and_up(url_at_0012: str) -> None:
    upgrade(url_at_0012)
    assert _differences(url_at_0012) == []
    command.downgrade(alembic_config(url_at_0012), "0012")
    engine = build_engine(url_at_0012)
    try:
        tables = set(inspect(engine).get_table_names())
        columns = {column["name"] for column in inspect(engine).get_columns("bookings")}
    finally:
        engine.dispose()
    assert not tables & NEW_TABLES
    assert "attendance_confirmed_at" not in columns
    upgrade(url_at_0012)
    assert _differences(url_at_0012) == []
