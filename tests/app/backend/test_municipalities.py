"""Municipalities over HTTP (issue 23; the contract in docs/backend.md, "Municipalities"): the list, the
lookup by place or postcode, the `municipality` filter of slots and locations, and the field on every
create route and on conversations. SQLite and PostgreSQL; the place import with its progress bar."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.__main__ import main
from bot.backend.models import MunicipalityPlace, Slot
from bot.backend.services.clock import local_today
from bot.backend.services.place_import import import_places, read_place_rows
from bot.backend.services.seed import DEMO_PLACES_CSV
from tests.app.backend_helpers import AUTH, Database, Factory, World, make_settings, next_weekday, snapshot

HEIDEVEEN_PLACES = "slug,kind,value\nheideveen,place,Oud-Heide\nheideveen,postcode,0201\n"


@pytest.fixture
def heideveen(make: Factory, session: Session, tmp_path: Path) -> Slot:
    """Heideveen with one location and a free slot next Monday, and its places (imported from a CSV)."""
    municipality = make.municipality("heideveen", "Heideveen")
    csv = tmp_path / "places.csv"
    csv.write_text(HEIDEVEEN_PLACES)
    import_places(session=session, rows=read_place_rows(csv))
    session.commit()
    location = make.location("Dorpshuis (test)", "Dorp", municipality)
    schedule = make.schedule(location, topic="schulden", weekday=0)
    return make.slot(schedule, next_weekday(local_today(), 0))


def test_the_list_is_sorted_by_name(client: TestClient, heideveen: Slot) -> None:
    answer = client.get("/api/municipalities", headers=AUTH)
    assert answer.status_code == 200
    assert answer.json() == [
        {"slug": "heideveen", "name": "Heideveen"},
        {"slug": "voorbeeldstad", "name": "Voorbeeldstad"},
    ]
    assert client.get("/api/municipalities").status_code == 401


@pytest.mark.parametrize(
    "query", ["Oud-Heide", "oud heide", "OUD-HEIDE", "Öud-Heidé", "heideveen", "Heideveen", "0201", "0201 AB",
              "0201ab"],
)  # fmt: skip
def test_lookup_by_place_or_postcode(client: TestClient, heideveen: Slot, query: str) -> None:
    answer = client.get("/api/municipalities/lookup", params={"q": query}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"slug": "heideveen", "name": "Heideveen"}


@pytest.mark.parametrize("query", ["Amsterdam", "0299", "12", "   "])
def test_an_unknown_place_is_404_in_dutch(client: TestClient, heideveen: Slot, query: str) -> None:
    answer = client.get("/api/municipalities/lookup", params={"q": query}, headers=AUTH)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "municipality_not_found"
    assert "kennen we niet" in answer.json()["error"]["message"]


def test_slots_and_locations_filter_by_municipality(
    client: TestClient, world: World, heideveen: Slot
) -> None:
    everything = client.get("/api/slots", headers=AUTH).json()
    assert {slot["location"]["municipality"] for slot in everything} == {"voorbeeldstad", "heideveen"}
    only = client.get("/api/slots", params={"municipality": "heideveen"}, headers=AUTH).json()
    assert only and {slot["location"]["municipality"] for slot in only} == {"heideveen"}
    assert [
        item["name"] for item in client.get("/api/locations?municipality=heideveen", headers=AUTH).json()
    ] == ["Dorpshuis (test)"]
    names = {
        item["name"] for item in client.get("/api/locations?municipality=voorbeeldstad", headers=AUTH).json()
    }
    assert "Dorpshuis (test)" not in names and world.location.name in names
    for path in ("/api/slots", "/api/locations"):
        refused = client.get(path, params={"municipality": "nergensdorp"}, headers=AUTH)
        assert refused.status_code == 422 and "gemeente" in refused.json()["error"]["message"].lower()


def test_a_booking_belongs_to_its_slots_municipality(
    client: TestClient, session: Session, world: World, heideveen: Slot
) -> None:
    slot = heideveen
    body = {"slot_id": slot.id, "first_name": "Anna", "phone": "0612345678"}
    before = snapshot(session)
    mismatch = client.post("/api/bookings", json={**body, "municipality": "voorbeeldstad"}, headers=AUTH)
    assert mismatch.status_code == 422 and mismatch.json()["error"]["field"] == "municipality"
    unknown = client.post("/api/bookings", json={**body, "municipality": "nergensdorp"}, headers=AUTH)
    assert unknown.status_code == 422
    assert snapshot(session) == before
    made = client.post("/api/bookings", json={**body, "municipality": "heideveen"}, headers=AUTH)
    assert made.status_code == 201 and made.json()["municipality"] == "heideveen"
    plain = client.post("/api/bookings", json={**body, "slot_id": world.slot.id}, headers=AUTH)
    assert plain.status_code == 201 and plain.json()["municipality"] == "voorbeeldstad"


def test_callbacks_handovers_and_conversations_carry_a_municipality(
    client: TestClient, session: Session, heideveen: Slot
) -> None:
    callback = {"topic": "schulden", "first_name": "Bram", "phone": "0612345678"}
    assert (
        client.post("/api/callbacks", json=callback, headers=AUTH).json()["municipality"] == "voorbeeldstad"
    )
    named = client.post("/api/callbacks", json={**callback, "municipality": "heideveen"}, headers=AUTH)
    assert named.status_code == 201 and named.json()["municipality"] == "heideveen"
    refused = client.post("/api/callbacks", json={**callback, "municipality": "nergensdorp"}, headers=AUTH)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "municipality"
    assert (
        client.post(
            "/api/callbacks", json={**callback, "municipality": "Heide veen"}, headers=AUTH
        ).status_code
        == 422
    )

    handover = {"conversation_id": "c-heide", "channel": "telegram", "reason": "vraagt iemand"}
    made = client.post("/api/handovers", json={**handover, "municipality": "heideveen"}, headers=AUTH)
    assert made.status_code == 201 and made.json()["municipality"] == "heideveen"
    other = client.post("/api/handovers", json={**handover, "conversation_id": "c-plain"}, headers=AUTH)
    assert other.json()["municipality"] == "voorbeeldstad"
    assert client.post("/api/handovers", json={**handover, "conversation_id": "c-x", "municipality": "x1"},
                       headers=AUTH).status_code == 422  # fmt: skip

    first = client.put("/api/conversations/c-talk", json={"channel": "socketio"}, headers=AUTH)
    assert first.status_code == 200 and first.json()["municipality"] == "voorbeeldstad"
    moved = client.put("/api/conversations/c-talk", json={"channel": "socketio", "municipality": "heideveen"},
                       headers=AUTH)  # fmt: skip
    assert moved.json()["municipality"] == "heideveen"
    kept = client.put("/api/conversations/c-talk", json={"channel": "socketio"}, headers=AUTH)
    assert kept.json()["municipality"] == "heideveen"
    wrong = {"channel": "socketio", "municipality": "nergensdorp"}
    refused_report = client.put("/api/conversations/c-talk", json=wrong, headers=AUTH)
    assert refused_report.status_code == 422


def test_import_places_command(
    fresh_database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, fresh_database.url)
    csv = tmp_path / "plaatsen.csv"
    csv.write_text(
        DEMO_PLACES_CSV.read_text() + "heideveen,postcode,9999\nheideveen,stad,X\nvoorbeeldstad,place,\n"
    )
    assert main(["import-places", str(csv)], settings=settings) == 1  # three bad rows
    captured = capsys.readouterr()
    assert "regel" in captured.err  # tqdm's bar, unit "regel"
    assert "3 afgewezen" in captured.out and "nieuwe gemeenten: heideveen" in captured.out
    assert "hoort al bij Voorbeeldstad" in captured.out
    with Session(fresh_database.engine) as session:
        first = session.scalars(select(MunicipalityPlace.key).order_by(MunicipalityPlace.key)).all()
        assert "oudheide" in first and "0201" in first
    assert main(["import-places", str(csv)], settings=settings) == 1
    assert "0 nieuw" in capsys.readouterr().out
    missing = tmp_path / "leeg.csv"
    missing.write_text("naam\nx\n")
    assert main(["import-places", str(missing)], settings=settings) == 2
