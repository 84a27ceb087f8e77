"""Alembic environment: the URL comes from the config built in `bot.backend.migrate` (from settings)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from bot.backend.db import build_engine
from bot.backend.models import Base

config = context.config
target_metadata = Base.metadata
#: Indexes autogenerate cannot compare faithfully, left out of `check`: an index with a DESC column
#: (SQLite reflects its expression differently); the trigram indexes of 0007 end in `_trgm` (PostgreSQL
#: only, made only when pg_trgm can be created, so not in the model).
_NOT_COMPARED = frozenset({"ix_handovers_status_closed_at"})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "index" and name is not None and (name.endswith("_trgm") or name in _NOT_COMPARED))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
