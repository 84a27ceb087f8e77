"""Second line of defence: the backend masks BSN, IBAN and e-mail in every free-text field it stores.

Through the REST API (TestClient) on SQLite and PostgreSQL; the rows are read back from the database.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Booking, CallbackRequest, Handover, HandoverNote
from tests.app.backend_helpers import AUTH, World

SECRET = "mijn bsn is 123 456 782, iban NL91 ABNA 0417 1643 00, mail anna@voorbeeld.nl, tel 0612345678"
MASKED = "mijn bsn is [BSN verwijderd], iban [IBAN verwijderd], mail [e-mail verwijderd], tel 0612345678"


def test_handover_summary_contact_request_and_notes_are_masked(client: TestClient, session: Session) -> None:
    created = client.post(
        "/api/handovers",
        json={"conversation_id": "privacy-1", "channel": "rest", "reason": f"vraag; {SECRET}",
              "summary": SECRET, "contact_request": SECRET},
        headers=AUTH,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["summary"] == MASKED and body["contact_request"] == MASKED
    updated = client.patch(f"/api/handovers/{body['id']}", json={"note": SECRET}, headers=AUTH)
    assert updated.status_code == 200, updated.text
    session.expire_all()
    handover = session.scalars(select(Handover).where(Handover.conversation_id == "privacy-1")).one()
    assert handover.summary == MASKED and handover.contact_request == MASKED
    assert handover.reason == f"vraag; {MASKED}"
    [note] = session.scalars(select(HandoverNote).where(HandoverNote.handover_id == handover.id)).all()
    assert note.text == MASKED
    stored = " ".join([handover.summary, handover.contact_request or "", handover.reason, note.text])
    assert "123 456 782" not in stored and "NL91" not in stored and "anna@" not in stored


def test_booking_and_callback_questions_are_masked(
    client: TestClient, session: Session, world: World
) -> None:
    booking = client.post(
        "/api/bookings",
        json={
            "slot_id": world.slot.id,
            "first_name": "Anna",
            "email": "anna@voorbeeld.nl",
            "question": SECRET,
        },
        headers=AUTH,
    )
    assert booking.status_code == 201, booking.text
    callback = client.post(
        "/api/callbacks",
        json={"topic": "schulden", "first_name": "Bram", "phone": "0612345678", "question": SECRET},
        headers=AUTH,
    )
    assert callback.status_code == 201, callback.text
    session.expire_all()
    stored_booking = session.scalars(select(Booking).where(Booking.code == booking.json()["code"])).one()
    assert stored_booking.question == MASKED
    assert stored_booking.email == "anna@voorbeeld.nl"  # the contact field of the booking form is kept
    stored_callback = session.get(CallbackRequest, callback.json()["id"])
    assert stored_callback is not None and stored_callback.question == MASKED


def test_invalid_numbers_are_kept_as_typed(client: TestClient) -> None:
    text = "nummer 123456789 en NL91ABNA0417164301 en code VD-7K3P"  # both fail their check
    created = client.post(
        "/api/handovers",
        json={"conversation_id": "privacy-2", "channel": "rest", "reason": "vraag", "summary": text},
        headers=AUTH,
    )
    assert created.status_code == 201 and created.json()["summary"] == text
