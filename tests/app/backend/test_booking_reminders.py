"""Reminders in the booking's life (issue 24): planned the day before at REMINDER_TIME on the booking
conversation's channel when it can reach the resident (Telegram) and by e-mail when there is an address
and SMTP; planned again after a move, cancelled with the booking, never for a resident who opted out."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import Booking, Conversation, MessageKind, MessageStatus, ScheduledMessage
from bot.backend.services import booking_reminders, bookings, scheduled_messages
from bot.backend.settings import BackendSettings
from tests.app.backend_helpers import AUTH, Factory, World, default_municipality_id, make_settings

CHAT = "777000123"


def book(client: TestClient, slot_id: int, **extra: Any) -> dict[str, Any]:
    body = {"slot_id": slot_id, "first_name": "Anna", "phone": "0612345678", "conversation_id": CHAT, **extra}
    response = client.post("/api/bookings", json=body, headers=AUTH)
    assert response.status_code == 201, response.text
    return dict(response.json())


def reminders(session: Session, code: str) -> list[ScheduledMessage]:
    session.expire_all()
    booking_id = session.scalar(select(Booking.id).where(Booking.code == code))
    query = (
        select(ScheduledMessage)
        .where(ScheduledMessage.booking_id == booking_id)
        .order_by(ScheduledMessage.id)
    )
    return list(session.scalars(query))


def local(moment: datetime, settings: BackendSettings) -> tuple[str, time]:
    at = moment.astimezone(settings.tz)
    return at.strftime("%A"), at.time()


def test_a_telegram_booking_gets_one_reminder_the_day_before_at_ten(
    client: TestClient, world: World, session: Session, settings: BackendSettings
) -> None:
    booking = book(client, world.slot.id, channel="telegram")  # a Friday spreekuur
    (reminder,) = reminders(session, booking["code"])
    assert (reminder.kind, reminder.channel, reminder.conversation_id) == (
        MessageKind.REMINDER,
        "telegram",
        CHAT,
    )
    assert reminder.status is MessageStatus.PENDING
    assert reminder.due_at.astimezone(settings.tz).date() == world.slot.date - timedelta(days=1)
    assert local(reminder.due_at, settings) == ("Thursday", time(10, 0))


def test_a_monday_spreekuur_is_reminded_on_saturday_not_on_sunday(
    client: TestClient, make: Factory, world: World, session: Session, settings: BackendSettings
) -> None:
    monday = make.schedule(world.location, weekday=0, title="Maandagspreekuur")
    slot = make.slot(monday, make.next_weekday(world.today, 0))
    (reminder,) = reminders(session, book(client, slot.id, channel="telegram")["code"])
    assert local(reminder.due_at, settings) == ("Saturday", time(10, 0))


def test_the_website_chat_gets_no_reminder_but_a_known_telegram_conversation_does(
    client: TestClient, world: World, session: Session
) -> None:
    assert reminders(session, book(client, world.slot.id, channel="socketio")["code"]) == []
    assert (
        reminders(session, book(client, world.other_location_slot.id, conversation_id="web-1")["code"]) == []
    )
    municipality_id = default_municipality_id(session)
    session.add(Conversation(conversation_id="555", channel="telegram", municipality_id=municipality_id))
    session.commit()
    (reminder,) = reminders(session, book(client, world.second_slot.id, conversation_id="555")["code"])
    assert reminder.channel == "telegram"


def test_no_reminder_when_its_moment_has_passed(
    make: Factory, world: World, session: Session, settings: BackendSettings
) -> None:
    booking = make.booking(world.slot, "Anna", "+31612345678")
    booking.conversation_id = CHAT
    moment = booking_reminders.reminder_moment(booking, settings)
    plan = {"session": session, "booking": booking, "channel": "telegram", "settings": settings}
    after = booking_reminders.schedule_reminders(now=moment + timedelta(minutes=1), **plan)
    assert after == []
    before = booking_reminders.schedule_reminders(now=moment - timedelta(minutes=1), **plan)
    assert [message.due_at for message in before] == [moment]


def test_an_e_mail_address_gets_an_e_mail_reminder_when_smtp_is_set_up(
    world: World, session: Session, settings: BackendSettings, tmp_path: Path
) -> None:
    with_smtp = make_settings(tmp_path, settings.database_url, smtp_host="127.0.0.1", smtp_port=2525)
    mail = {"slot_id": world.slot.id, "first_name": "Eva", "email": "eva@voorbeeld.nl"}
    booked = bookings.book_slot(
        session=session, conversation_id="web-2", channel="socketio", settings=with_smtp, **mail
    )  # type: ignore[arg-type]
    assert [(m.channel, m.conversation_id) for m in reminders(session, booked.code)] == [("email", "web-2")]
    without = bookings.book_slot(session=session, settings=settings, **mail)  # type: ignore[arg-type]
    assert reminders(session, without.code) == []  # SMTP_HOST is empty: e-mail reminders are off


def test_moving_plans_the_reminder_again_and_cancelling_cancels_it(
    client: TestClient, world: World, session: Session, settings: BackendSettings
) -> None:
    booking = book(client, world.slot.id, channel="telegram")
    opened = client.post("/api/bookings/lookup", json={"code": booking["code"], "verification": "5678",
                          "client": CHAT}, headers=AUTH).json()  # fmt: skip
    moved = client.post(f"/api/bookings/{booking['code']}/move", headers=AUTH,
                        json={"slot_id": world.second_slot.id, "ticket": opened["ticket"]})  # fmt: skip
    assert moved.status_code == 200, moved.text
    old, new = reminders(session, booking["code"])
    assert old.status is MessageStatus.CANCELLED and new.status is MessageStatus.PENDING
    assert new.channel == "telegram"
    assert new.due_at.astimezone(settings.tz).date() == world.second_slot.date - timedelta(days=1)
    cancelled = client.post(f"/api/bookings/{booking['code']}/cancel", json={"ticket": opened["ticket"]},
                            headers=AUTH)  # fmt: skip
    assert cancelled.status_code == 200, cancelled.text
    assert [m.status for m in reminders(session, booking["code"])] == [MessageStatus.CANCELLED] * 2


def test_a_resident_who_said_stop_berichten_gets_no_reminder(
    client: TestClient, world: World, session: Session
) -> None:
    scheduled_messages.opt_out(session, CHAT)
    session.commit()
    assert reminders(session, book(client, world.slot.id, channel="telegram")["code"]) == []
