"""Opening a booking needs its code and a second factor, failed attempts are limited and audited, and
cancelling or moving needs the ticket of a successful lookup (issue 20, item 2).

The guessing loop of the penetration test (20 wrong codes in half a second, then the right one) is
replayed against the API; before issue 20 the right code then opened and cancelled the booking.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backend.models import AuditEntry, Booking, BookingStatus
from bot.backend.services import booking_lookup
from bot.backend.services.codes import ALPHABET
from tests.app.backend_helpers import AUTH, Factory, World

PHONE = "06 1234 5678"


def book(client: TestClient, world: World, **contact: str) -> str:
    body = {"slot_id": world.slot.id, "first_name": "Anna", **(contact or {"phone": PHONE})}
    response = client.post("/api/bookings", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["code"])


def lookup(client: TestClient, code: str, verification: str, conversation: str = "gesprek-1"):  # noqa: ANN201
    body = {"code": code, "verification": verification, "client": conversation}
    return client.post("/api/bookings/lookup", json=body, headers=AUTH)


def stored_booking(make: Factory, world: World, code: str = "VD-7K3P-X9QA") -> Booking:
    """A booking written directly (phone +31612345678) with a code of our choice."""
    booking = make.booking(world.slot, "Anna", "+31612345678")
    booking.code = code
    make.session.commit()
    return booking


def random_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"VD-{body[:4]}-{body[4:]}"


def audit_count(session: Session, action: str) -> int:
    return int(session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action)) or 0)


def status_of(session: Session, code: str) -> BookingStatus:
    session.expire_all()
    return session.scalars(select(Booking).where(Booking.code == code)).one().status


def test_the_second_factor_opens_the_booking(client: TestClient, world: World) -> None:
    code = book(client, world)
    for verification in ("5678", "0612345678", "06-12345678", " 5678 "):
        opened = lookup(client, code.lower().replace("-", " "), verification)
        assert opened.status_code == 200, (verification, opened.text)
        assert opened.json()["booking"]["code"] == code and len(opened.json()["ticket"]) >= 40
    by_mail = book(client, world, email="Anna@Voorbeeld.nl")
    assert lookup(client, by_mail, "anna@voorbeeld.NL").status_code == 200


def test_a_wrong_factor_and_an_unknown_code_get_the_same_answer(
    client: TestClient, world: World, session: Session
) -> None:
    code = book(client, world)
    wrong_factor = lookup(client, code, "1234")
    unknown_code = lookup(client, random_code(), "5678")
    no_digits = lookup(client, code, "abcd")
    mail_for_phone = lookup(client, code, "anna@voorbeeld.nl")
    for refused in (wrong_factor, unknown_code, no_digits, mail_for_phone):
        assert refused.status_code == 404
        assert refused.json() == wrong_factor.json()
    assert wrong_factor.json()["error"]["code"] == "booking_not_verified"
    assert set(wrong_factor.json()) == {"error"} and "Anna" not in wrong_factor.text
    assert audit_count(session, "booking.lookup_failed") == 4
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.lookup_failed")).first()
    assert entry is not None and "gesprek-1" not in str(entry.details)  # the conversation id only as a hash


def test_a_guessing_loop_is_stopped_and_the_right_code_then_opens_nothing(
    client: TestClient, world: World, session: Session
) -> None:
    code = book(client, world)
    answers = [
        lookup(client, random_code(), f"{attempt:04d}", "aanvaller").status_code for attempt in range(20)
    ]
    assert answers[: booking_lookup.CLIENT_MAX_FAILURES] == [404] * booking_lookup.CLIENT_MAX_FAILURES
    assert set(answers[booking_lookup.CLIENT_MAX_FAILURES :]) == {429}
    right = lookup(client, code, "5678", "aanvaller")
    assert right.status_code == 429 and "ticket" not in right.text
    assert right.json()["error"]["message"].startswith("Je hebt het te vaak geprobeerd.")
    assert "bel het wijkteam" in right.json()["error"]["message"]
    assert audit_count(session, "booking.lookup_failed") == booking_lookup.CLIENT_MAX_FAILURES
    assert audit_count(session, "booking.lookup_refused") == 21 - booking_lookup.CLIENT_MAX_FAILURES
    # another conversation (the resident) is not locked out by the attacker's guesses
    assert lookup(client, code, "5678", "inwoner").status_code == 200
    assert status_of(session, code) is BookingStatus.CONFIRMED


def test_guessing_the_factor_of_one_code_from_many_conversations_is_stopped(
    client: TestClient, world: World, session: Session
) -> None:
    code = book(client, world)
    guesses = [f"{n:04d}" for n in range(booking_lookup.CODE_MAX_FAILURES)]
    for attempt, guess in enumerate(guesses):
        assert lookup(client, code, guess, f"gesprek-{attempt}").status_code == 404
    locked = lookup(client, code, "5678", "nog-een-gesprek")
    assert locked.status_code == 429
    assert audit_count(session, "booking.lookup_refused") == 1


def test_failures_outside_the_window_no_longer_count(world: World, session: Session, make: Factory) -> None:
    booking = stored_booking(make, world)
    start = datetime.now(UTC)
    for _ in range(booking_lookup.CLIENT_MAX_FAILURES):
        result = booking_lookup.lookup_booking(
            session=session, code=booking.code, verification="0000", client="c", now=start
        )
        assert isinstance(result.refusal, booking_lookup.NotFound)
    blocked = booking_lookup.lookup_booking(
        session=session, code=booking.code, verification="5678", client="c", now=start
    )
    assert isinstance(blocked.refusal, booking_lookup.TooManyLookups)
    later = start + booking_lookup.CLIENT_WINDOW + timedelta(seconds=1)
    opened = booking_lookup.lookup_booking(
        session=session, code=booking.code, verification="5678", client="c", now=later
    )
    assert opened.refusal is None and opened.booking is not None and opened.booking.id == booking.id


def test_cancel_and_move_need_a_valid_ticket_of_that_booking(
    client: TestClient, world: World, session: Session
) -> None:
    code = book(client, world)
    other = book(client, world)
    other_ticket = lookup(client, other, "5678").json()["ticket"]
    for body in ({"ticket": "not-a-ticket"}, {"ticket": other_ticket}):
        refused = client.post(f"/api/bookings/{code}/cancel", json=body, headers=AUTH)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "ticket_refused"
        moved = client.post(
            f"/api/bookings/{code}/move", json={**body, "slot_id": world.second_slot.id}, headers=AUTH
        )
        assert moved.status_code == 403
    assert client.post(f"/api/bookings/{code}/cancel", headers=AUTH).status_code == 422
    assert client.post(f"/api/bookings/{code}/cancel", json={}, headers=AUTH).status_code == 422
    assert status_of(session, code) is BookingStatus.CONFIRMED
    ticket = lookup(client, code, "5678").json()["ticket"]
    cancelled = client.post(f"/api/bookings/{code}/cancel", json={"ticket": ticket}, headers=AUTH)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "geannuleerd"


def test_a_ticket_expires(world: World, session: Session, make: Factory) -> None:
    booking = stored_booking(make, world)
    opened = booking_lookup.lookup_booking(
        session=session, code=booking.code, verification="5678", client="c"
    )
    assert opened.ticket is not None
    booking_lookup.check_ticket(session=session, code=booking.code, ticket=opened.ticket)
    expired = datetime.now(UTC) + timedelta(minutes=booking_lookup.TICKET_MINUTES, seconds=1)
    with pytest.raises(booking_lookup.TicketRefused):
        booking_lookup.check_ticket(session=session, code=booking.code, ticket=opened.ticket, now=expired)


def test_an_old_four_character_code_keeps_working(client: TestClient, world: World, make: Factory) -> None:
    stored_booking(make, world, "VD-7K3P")
    assert lookup(client, "vd 7k3p", "5678").json()["booking"]["code"] == "VD-7K3P"
    assert book(client, world).count("-") == 2  # new bookings get the long form
