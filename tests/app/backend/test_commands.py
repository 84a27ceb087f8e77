"""`migrate` and `seed` on an empty database of each kind, twice: the second run changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.db import build_engine
from bot.backend.migrate import alembic_config
from bot.backend.models import Base
from bot.backend.services.staff import create_staff_user, verify_staff_password
from tests.app.backend_helpers import Database, ThrowAwayPostgres, count_rows, make_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_databases: ThrowAwayPostgres
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'backend.db'}"
        return
    url = postgres_databases.create()
    try:
        yield url
    finally:
        from bot.backend.db import get_engine

        get_engine(url).dispose()
        postgres_databases.drop(url)


def test_migrate_and_seed_are_idempotent(
    empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path / "data", empty_url)
    assert main(["migrate"], settings=settings) == 0
    assert main(["migrate"], settings=settings) == 0
    engine = build_engine(empty_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        command.check(alembic_config(empty_url))  # the models and the migrations agree
        assert main(["seed"], settings=settings) == 0
        assert "demo data added" in capsys.readouterr().out
        with Session(engine) as session:
            first = count_rows(session)
        assert first["locations"] == 5 and first["schedules"] > 0 and first["slots"] > 0
        assert first["municipalities"] == 2 and first["municipality_places"] > 0
        assert main(["seed"], settings=settings) == 0
        assert "no demo data added; 0 new slots" in capsys.readouterr().out
        with Session(engine) as session:
            assert count_rows(session) == first
        assert main(["generate-slots", "--days", "10"], settings=settings) == 0
        with Session(engine) as session:
            assert count_rows(session) == first
    finally:
        engine.dispose()


def test_demo_data_is_clearly_fictional(fresh_database: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    main(["seed"], settings=settings)
    from sqlalchemy import select

    from bot.backend.models import Location

    with Session(fresh_database.engine) as session:
        for location in session.scalars(select(Location)):
            # Fictional postcodes: the demo's 9999, or one starting with 0 (no Dutch postcode does).
            assert "(demo)" in location.name and re.search(r"\b(9999|0\d{3}) [A-Z]{2}\b", location.address)
        assert {item.municipality.slug for item in session.scalars(select(Location))} == {
            "voorbeeldstad",
            "heideveen",
        }


def test_staff_users(session: Session) -> None:
    from bot.backend.models import StaffRole
    from bot.backend.services.errors import Conflict, InvalidInput

    user = create_staff_user(
        session=session,
        username="Fatima",
        display_name="Fatima B.",
        password="lang-genoeg-wachtwoord",
        role=StaffRole.ADMIN,
    )
    assert user.username == "fatima" and user.password_hash.startswith("$argon2id$")
    assert "lang-genoeg" not in user.password_hash
    assert (
        verify_staff_password(session=session, username="FATIMA", password="lang-genoeg-wachtwoord") == user
    )
    assert verify_staff_password(session=session, username="fatima", password="fout") is None
    assert (
        verify_staff_password(session=session, username="niemand", password="lang-genoeg-wachtwoord") is None
    )
    with pytest.raises(Conflict):
        create_staff_user(session=session, username="fatima", display_name="F", password="x" * 12)
    with pytest.raises(InvalidInput):
        create_staff_user(session=session, username="kort", display_name="K", password="kort")
    user.active = False
    assert (
        verify_staff_password(session=session, username="fatima", password="lang-genoeg-wachtwoord") is None
    )
