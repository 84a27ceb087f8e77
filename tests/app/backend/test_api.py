"""The REST API end to end through FastAPI's TestClient, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.app.backend_helpers import AUTH, Factory, World


def book(client: TestClient, slot_id: int, **fields: object) -> dict:
    body = {"slot_id": slot_id, "first_name": "Anna", "phone": "06 1234 5678", **fields}
    response = client.post("/api/bookings", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return response.json()


def test_health_and_openapi_need_no_token(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert {"/api/bookings", "/api/slots", "/api/handovers/{handover_id}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/locations"),
        ("get", "/api/slots"),
        ("post", "/api/bookings"),
        ("post", "/api/bookings/lookup"),
        ("post", "/api/bookings/VD-AAAA/cancel"),
        ("post", "/api/callbacks"),
        ("get", "/api/handovers"),
        ("patch", "/api/handovers/1"),
    ],
)
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic dGVzdDp0ZXN0", "Bearer "])
def test_api_needs_the_service_token(client: TestClient, method: str, path: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_locations(client: TestClient, world: World) -> None:
    names = [item["name"] for item in client.get("/api/locations", headers=AUTH).json()]
    assert names == ["Proefhuis (test)", "Testhuis (test)"]
    zuid = client.get("/api/locations", params={"wijk": "Zuid"}, headers=AUTH).json()
    assert [item["name"] for item in zuid] == ["Proefhuis (test)"]
    one = client.get(f"/api/locations/{world.location.id}", headers=AUTH).json()
    assert one["directions"] == "Bus 1"
    missing = client.get("/api/locations/999999", headers=AUTH)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "location_not_found"


def test_free_slots(client: TestClient, world: World) -> None:
    params = {"topic": "schulden", "wijk": "Noord", "date_to": (world.today + timedelta(days=30)).isoformat()}
    slots = client.get("/api/slots", params=params, headers=AUTH).json()
    assert [slot["id"] for slot in slots] == [world.slot.id, world.second_slot.id]
    first = slots[0]
    assert first["free"] == 2 and first["location"]["name"] == "Testhuis (test)"
    assert first["label"].startswith("vrijdag ") and first["start_time"] == "09:00"


def test_booking_lifecycle(client: TestClient, world: World) -> None:
    booking = book(client, world.slot.id, question="<b>Help</b> met mijn huur")
    code = booking["code"]
    assert booking["slot"]["free"] == 1 and booking["question"] == "<b>Help</b> met mijn huur"
    assert booking["phone"] == "+31612345678"
    lookup = {"code": code.lower(), "verification": "5678", "client": "lifecycle"}
    opened = client.post("/api/bookings/lookup", json=lookup, headers=AUTH).json()
    found, ticket = opened["booking"], opened["ticket"]
    assert found["code"] == code and found["status"] == "bevestigd"
    moved = client.post(
        f"/api/bookings/{code}/move", json={"slot_id": world.second_slot.id, "ticket": ticket}, headers=AUTH
    )
    assert moved.status_code == 200 and moved.json()["slot"]["id"] == world.second_slot.id
    cancelled = client.post(f"/api/bookings/{code}/cancel", json={"ticket": ticket}, headers=AUTH)
    assert cancelled.json()["status"] == "geannuleerd" and cancelled.json()["slot"]["free"] == 2
    again = client.post(f"/api/bookings/{code}/cancel", json={"ticket": ticket}, headers=AUTH)
    assert again.status_code == 409 and again.json()["error"]["code"] == "booking_cancelled"


def test_full_slot_gives_a_clear_vol_answer(client: TestClient, world: World) -> None:
    book(client, world.slot.id)
    book(client, world.slot.id, first_name="Bram")
    response = client.post(
        "/api/bookings",
        json={"slot_id": world.slot.id, "first_name": "Cor", "email": "cor@voorbeeld.nl"},
        headers=AUTH,
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "slot_full", "message": "Dit tijdstip is helaas vol. Kies een ander tijdstip."}
    }


def test_closed_day_is_refused_with_the_reason(client: TestClient, world: World, make: Factory) -> None:
    make.closure(world.slot.date, None, "Koningsdag")
    response = client.post(
        "/api/bookings",
        json={"slot_id": world.slot.id, "first_name": "Anna", "phone": "0612345678"},
        headers=AUTH,
    )
    assert response.status_code == 409
    assert "gesloten (Koningsdag)" in response.json()["error"]["message"]


def test_callbacks(client: TestClient, world: World) -> None:
    normal = client.post(
        "/api/callbacks",
        json={
            "topic": "schulden",
            "first_name": "Anna",
            "phone": "020-1234567",
            "preferred_part_of_day": "middag",
        },
        headers=AUTH,
    )
    assert normal.status_code == 201, normal.text
    urgent = client.post(
        "/api/callbacks",
        json={
            "topic": "schulden",
            "first_name": "Bram",
            "phone": "0612345678",
            "urgent_reason": "ontruiming",
            "threat_date": (world.today + timedelta(days=10)).isoformat(),
        },
        headers=AUTH,
    )
    assert urgent.status_code == 201
    assert urgent.json()["urgent"] is True
    assert urgent.json()["due_date"] < normal.json()["due_date"]
    listed = client.get("/api/callbacks", headers=AUTH).json()
    assert [item["first_name"] for item in listed] == ["Bram", "Anna"]  # urgent first
    only_urgent = client.get("/api/callbacks", params={"urgent": "true"}, headers=AUTH).json()
    assert [item["first_name"] for item in only_urgent] == ["Bram"]
    callback_id = normal.json()["id"]
    done = client.patch(f"/api/callbacks/{callback_id}", json={"status": "afgerond"}, headers=AUTH).json()
    assert done["status_label"] == "afgerond"
    assert client.get(f"/api/callbacks/{callback_id}", headers=AUTH).json()["status"] == "afgerond"


def test_handovers(client: TestClient) -> None:
    created = client.post(
        "/api/handovers",
        json={
            "conversation_id": "web-123",
            "channel": "website",
            "reason": "vraagt om een medewerker",
            "topic": "huisvesting",
            "summary": "Huurachterstand, brief van verhuurder",
            "contact_request": "Bel me na 17 uur",
        },
        headers=AUTH,
    )
    assert created.status_code == 201, created.text
    handover = created.json()
    assert handover["status"] == "open" and handover["status_label"] == "open"
    hid = handover["id"]
    update = client.patch(
        f"/api/handovers/{hid}", json={"status": "in_behandeling", "note": "Ik pak hem op"}, headers=AUTH
    )
    assert update.json()["status_label"] == "in behandeling"
    assert [note["text"] for note in update.json()["notes"]] == ["Ik pak hem op"]
    closed = client.patch(f"/api/handovers/{hid}", json={"status": "afgerond"}, headers=AUTH).json()
    assert closed["closed_at"] is not None
    listed = client.get("/api/handovers", params={"status": "afgerond"}, headers=AUTH).json()
    assert [item["id"] for item in listed] == [hid]
    by_conversation = client.get("/api/handovers", params={"conversation_id": "web-123"}, headers=AUTH).json()
    assert len(by_conversation) == 1
    assert client.get(f"/api/handovers/{hid}", headers=AUTH).json()["id"] == hid
    unknown_staff = client.patch(f"/api/handovers/{hid}", json={"assignee_id": 424242}, headers=AUTH)
    assert unknown_staff.status_code == 404
