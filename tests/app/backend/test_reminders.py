"""Booking reminders on the backend side (issue 24): the calendar file behind the confirmation's link,
the resident's answer to a reminder, and the e-mail reminder sent to a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.jobs.email_reminders import EmailNotSent, send_booking_reminder
from bot.backend.models import (
    Booking,
    BookingStatus,
    ConversationLink,
    MessageKind,
    MessageStatus,
    ScheduledMessage,
    Slot,
)
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import AUTH, World, make_settings

CONVERSATION = "4f1c2a9e8b7d6c5b"


def book(client: TestClient, world: World, **extra: Any) -> dict[str, Any]:
    body = {"slot_id": world.slot.id, "first_name": "Anna", "phone": "06 1234 5678",
            "conversation_id": CONVERSATION, **extra}  # fmt: skip
    response = client.post("/api/bookings", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def answer(client: TestClient, code: str, reply: str, conversation: str = CONVERSATION) -> Any:
    body = {"conversation_id": conversation, "answer": reply}
    return client.post(f"/api/bookings/{code}/reminder-answer", json=body, headers=AUTH)


def calendar_path(booking: dict[str, Any]) -> str:
    url = str(booking["calendar_url"])
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://127.0.0.1:8000")


def reminder(session: Session, code: str, channel: str = "telegram") -> ScheduledMessage:
    booking = session.scalars(select(Booking).where(Booking.code == code)).one()
    message = ScheduledMessage(kind=MessageKind.REMINDER, channel=channel, conversation_id=CONVERSATION,
                               booking_id=booking.id, due_at=datetime(2030, 1, 1, 9, tzinfo=UTC))  # fmt: skip
    session.add(message)
    session.commit()
    return message


# --- the calendar file ------------------------------------------------------------------------------


def test_the_calendar_file_has_the_local_time_the_place_the_code_and_how_to_cancel(
    client: TestClient, world: World
) -> None:
    booking = book(client, world)
    response = client.get(calendar_path(booking))  # public: no service token
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    calendar = Calendar.from_ical(response.content)
    zones = [zone for zone in calendar.walk("VTIMEZONE")]
    assert [str(zone["TZID"]) for zone in zones] == ["Europe/Amsterdam"]
    (event,) = calendar.walk("VEVENT")
    start = event["DTSTART"]
    assert start.params["TZID"] == "Europe/Amsterdam"
    assert start.dt.replace(tzinfo=None) == datetime.combine(world.slot.date, world.slot.start_time)
    assert str(start.dt.tzinfo) == "Europe/Amsterdam"
    assert event["DTEND"].dt.time() == world.slot.end_time
    assert str(event["LOCATION"]) == "Testhuis (test), Teststraat 1"
    description = str(event["DESCRIPTION"])
    assert booking["code"] in description
    assert "Kun je niet komen? Zeg dan af" in description and "0123-456 789" in description
    assert "Anna" not in response.text and "5678" not in response.text  # nothing of the resident


def test_a_calendar_link_opens_only_its_own_booking_and_not_after_cancelling(
    client: TestClient, world: World
) -> None:
    booking = book(client, world)
    path = calendar_path(booking)
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    number, mac = token.split("-", 1)
    other_number = str(int(number) + 1)
    for forged in (f"{other_number}-{mac}", f"{number}-{mac[:-1]}A", f"{number}-x", "abc"):
        assert client.get(f"/calendar/{forged}.ics").status_code in (404, 422), forged
    assert answer(client, booking["code"], "afzeggen").status_code == 200
    gone = client.get(path)
    assert gone.status_code == 404 and "geannuleerd" in gone.text


# --- the answer to a reminder -------------------------------------------------------------------------


def test_ik_kom_is_kept_on_the_booking(client: TestClient, world: World, session: Session) -> None:
    booking = book(client, world)
    response = answer(client, booking["code"], "komt")
    assert response.status_code == 200, response.text
    assert response.json()["answer"] == "komt" and response.json()["ticket"] is None
    session.expire_all()
    stored = session.scalars(select(Booking).where(Booking.code == booking["code"])).one()
    assert stored.attendance_confirmed_at is not None and stored.status is BookingStatus.CONFIRMED


def test_afzeggen_frees_the_place_and_cancels_the_pending_reminders(
    client: TestClient, world: World, session: Session
) -> None:
    booking = book(client, world)
    email_reminder = reminder(session, booking["code"], "email")
    telegram_reminder = reminder(session, booking["code"])
    telegram_reminder.status = MessageStatus.SENT
    session.commit()
    session.expire_all()
    assert session.get(Slot, world.slot.id).booked == 1  # type: ignore[union-attr]
    response = answer(client, booking["code"], "afzeggen")
    assert response.status_code == 200, response.text
    assert response.json()["booking"]["status"] == "geannuleerd"
    session.expire_all()
    assert session.get(Slot, world.slot.id).booked == 0  # type: ignore[union-attr]
    assert session.get(ScheduledMessage, email_reminder.id).status is MessageStatus.CANCELLED  # type: ignore[union-attr]
    assert session.get(ScheduledMessage, telegram_reminder.id).status is MessageStatus.SENT  # type: ignore[union-attr]
    again = answer(client, booking["code"], "afzeggen")
    assert again.status_code == 409 and again.json()["error"]["code"] == "booking_cancelled"


def test_verzetten_gives_a_ticket_the_move_accepts(client: TestClient, world: World) -> None:
    booking = book(client, world)
    response = answer(client, booking["code"], "verzetten")
    assert response.status_code == 200, response.text
    ticket = response.json()["ticket"]
    assert isinstance(ticket, str) and len(ticket) >= 40
    assert response.json()["booking"]["status"] == "bevestigd"  # nothing changed yet
    moved = client.post(f"/api/bookings/{booking['code']}/move", json={"slot_id": world.second_slot.id,
                        "ticket": ticket}, headers=AUTH)  # fmt: skip
    assert moved.status_code == 200, moved.text
    assert moved.json()["slot"]["id"] == world.second_slot.id


def test_only_the_booking_s_own_or_a_linked_conversation_may_answer(
    client: TestClient, world: World, session: Session
) -> None:
    booking = book(client, world)
    stranger = answer(client, booking["code"], "afzeggen", conversation="someone-else")
    unknown = answer(client, "VD-7K3P-X9QA", "afzeggen")
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json() == unknown.json()
    session.expire_all()
    assert session.get(Slot, world.slot.id).booked == 1  # type: ignore[union-attr]
    session.add_all(
        [
            ConversationLink(conversation_id=CONVERSATION, channel="socketio", resident_key="r1"),
            ConversationLink(conversation_id="777000111", channel="telegram", resident_key="r1"),
        ]
    )
    session.commit()
    linked = answer(client, booking["code"], "komt", conversation="777000111")
    assert linked.status_code == 200, linked.text
    no_conversation = client.post(
        "/api/bookings",
        json={"slot_id": world.slot.id, "first_name": "Bo", "phone": "0612345679"},
        headers=AUTH,
    ).json()
    assert answer(client, no_conversation["code"], "komt").status_code == 404


def test_an_unknown_answer_is_refused(client: TestClient, world: World) -> None:
    booking = book(client, world)
    assert answer(client, booking["code"], "misschien").status_code == 422


# --- the e-mail reminder --------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every mail it is given."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, smtp_session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.mails.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(
    tmp_path: Path, settings: BackendSettings, port: int, host: str = "127.0.0.1"
) -> BackendSettings:
    return make_settings(tmp_path, settings.database_url, smtp_host=host, smtp_port=port,
                         smtp_from="Wijkteam Voorbeeldstad <wijkteam@voorbeeldstad.example>")  # fmt: skip


def test_the_e_mail_reminder_reaches_the_smtp_server_with_the_calendar_file(
    client: TestClient,
    world: World,
    session: Session,
    settings: BackendSettings,
    smtp_server: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, port = smtp_server
    booking = book(client, world, email="anna@voorbeeld.nl")
    message = reminder(session, booking["code"], "email")
    send_booking_reminder(session, message, mail_settings(tmp_path, settings, port))
    ((recipients, mail),) = inbox.mails
    assert recipients == ["anna@voorbeeld.nl"]
    assert mail["From"] == "Wijkteam Voorbeeldstad <wijkteam@voorbeeldstad.example>"
    assert "Herinnering: je afspraak bij het wijkteam op " in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    for expected in (booking["code"], "Testhuis (test), Teststraat 1", "van 09:00 tot 10:30", "Hallo Anna"):
        assert expected in text
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "afspraak-wijkteam.ics"
    (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert booking["code"] in str(event["DESCRIPTION"])


def test_no_smtp_server_or_no_smtp_host_raises_so_the_worker_tries_again(
    client: TestClient, world: World, session: Session, settings: BackendSettings, tmp_path: Path
) -> None:
    booking = book(client, world, email="anna@voorbeeld.nl")
    message = reminder(session, booking["code"], "email")
    with pytest.raises(EmailNotSent, match="SMTP server did not take"):
        send_booking_reminder(session, message, mail_settings(tmp_path, settings, free_port()))
    with pytest.raises(EmailNotSent, match="off"):
        send_booking_reminder(session, message, settings)  # SMTP_HOST is empty


def test_the_reminder_text_s_booking_is_only_for_its_own_conversation(
    client: TestClient, world: World
) -> None:
    booking = book(client, world)
    own = client.get(f"/api/bookings/{booking['code']}/reminder", params={"conversation_id": CONVERSATION},
                     headers=AUTH)  # fmt: skip
    assert own.status_code == 200, own.text
    assert own.json()["slot"]["location"]["address"] == "Teststraat 1"
    assert own.json()["calendar_url"] == booking["calendar_url"]
    other = client.get(f"/api/bookings/{booking['code']}/reminder", params={"conversation_id": "x1"},
                       headers=AUTH)  # fmt: skip
    assert other.status_code == 404
    assert client.get(f"/api/bookings/{booking['code']}/reminder", params={"conversation_id": CONVERSATION}
                      ).status_code == 401  # fmt: skip
