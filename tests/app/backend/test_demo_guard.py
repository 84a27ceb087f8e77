"""`serve` refuses the seeded demo locations outside development, and starts as before in development."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.models import Location
from tests.app.backend_helpers import Database, make_settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of uvicorn.run (recorded instead of serving)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    return calls


def test_production_refuses_to_serve_seeded_demo_locations(
    fresh_database: Database, tmp_path: Path, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["seed"], settings=make_settings(tmp_path, fresh_database.url, voordeur_env="development")) == 0
    )
    production = make_settings(tmp_path, fresh_database.url, voordeur_env="production")
    assert main(["serve"], settings=production) == 2
    assert served == []
    error = capsys.readouterr().err
    assert error.startswith("serve: refusing to start. The database holds the fictional demo locations ")
    assert (
        "Buurthuis De Voorbeeldhoek (demo), Dorpshuis De Heidebloem (demo), Ontmoetingsplek De Proefboom"
        in error
    )
    assert "VOORDEUR_ENV=production" in error


def test_a_renamed_demo_location_is_still_recognised_by_its_address(
    fresh_database: Database, tmp_path: Path, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["seed"], settings=make_settings(tmp_path, fresh_database.url, voordeur_env="development"))
    with Session(fresh_database.engine) as session, session.begin():
        session.execute(update(Location).where(Location.wijk == "Noord").values(name="Buurthuis Noord"))
    assert main(["serve"], settings=make_settings(tmp_path, fresh_database.url, voordeur_env="test")) == 2
    assert (
        "demo locations Buurthuis Noord, Dorpshuis De Heidebloem (demo), Ontmoetingsplek"
        in capsys.readouterr().err
    )


def test_development_serves_demo_locations_and_production_serves_real_ones(
    fresh_database: Database, tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    development = make_settings(tmp_path, fresh_database.url, voordeur_env="development")
    main(["seed"], settings=development)
    assert main(["serve", "--port", "8123"], settings=development) == 0
    assert served[-1]["port"] == 8123
    with Session(fresh_database.engine) as session, session.begin():
        for number, location in enumerate(session.query(Location).order_by(Location.id), start=1):
            location.name, location.address = (
                f"Wijkcentrum {number}",
                f"Marktstraat {number}, 1234 AB Echtstad",
            )
    assert (
        main(["serve"], settings=make_settings(tmp_path, fresh_database.url, voordeur_env="production")) == 0
    )
    assert len(served) == 2
