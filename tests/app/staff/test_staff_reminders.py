"""The staff page's bookings list shows each booking's reminders and the resident's answer (issue 24)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from staff_helpers import Accounts, login

from bot.backend.models import Booking, MessageKind, MessageStatus, ScheduledMessage
from bot.backend.services import reminder_answers
from bot.backend.services.clock import local_today
from tests.app.backend_helpers import Factory


def _row(page: str, booking: Booking) -> str:
    found = re.search(rf'<tr data-booking="{booking.id}".*?</tr>', page, re.S)
    assert found, page
    return re.sub(r"\s+", " ", found[0])


def test_the_bookings_list_shows_the_reminder_and_the_answer(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    location = make.location("Wijkhuis Herinnering (test)")
    schedule = make.schedule(location, start=time(9, 0), end=time(10, 0), capacity=5)
    slot = make.slot(schedule, local_today(settings.tz) + timedelta(days=3))
    coming, cancelling, silent, none = (
        make.booking(slot, name, "+31612345678") for name in ("Ada", "Bo", "Cas", "Dee")
    )
    for booking, code in (
        (coming, "VD-7K3P-X9QA"),
        (cancelling, "VD-7K3P-X9QC"),
        (silent, "VD-7K3P-X9QD"),
        (none, "VD-7K3P-X9QE"),
    ):
        booking.code, booking.conversation_id = code, f"chat-{code}"
    sent_at = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    for booking in (coming, cancelling, silent):
        sent = ScheduledMessage(kind=MessageKind.REMINDER, channel="telegram", booking_id=booking.id,
                                due_at=sent_at, status=MessageStatus.SENT, sent_at=sent_at)  # fmt: skip
        session.add(sent)
    session.add(ScheduledMessage(kind=MessageKind.REMINDER, channel="email", booking_id=silent.id,
                                 due_at=sent_at + timedelta(days=1)))  # fmt: skip
    session.commit()
    for booking, answer in ((coming, reminder_answers.ReminderAnswer.COMING),
                            (cancelling, reminder_answers.ReminderAnswer.CANCEL)):  # fmt: skip
        reminder_answers.answer_reminder(session=session, code=booking.code, answer=answer, tz=settings.tz,
                                         conversation_id=f"chat-{booking.code}")  # fmt: skip
    session.commit()
    login(client, "sanne")
    page = client.get("/staff/afspraken?periode=alle").text
    assert '<th scope="col">Herinnering</th>' in page
    assert "Telegram: verstuurd 09-12-2026 10:00" in _row(page, coming)
    assert "<strong>Komt (Ik kom)</strong>" in _row(page, coming)
    assert "<strong>Afgezegd via de herinnering</strong>" in _row(page, cancelling)
    silent_row = _row(page, silent)
    assert "E-mail: gepland 10-12-2026 10:00" in silent_row and "nog geen antwoord" in silent_row
    assert "geen" in _row(page, none) and "nog geen antwoord" not in _row(page, none)


def test_today_s_list_shows_who_said_ik_kom(
    client: TestClient, accounts: Accounts, session: Session, make: Factory, settings
) -> None:
    location = make.location("Wijkhuis Vandaag (test)")
    today = local_today(settings.tz)
    schedule = make.schedule(
        location, weekday=today.weekday(), start=time(23, 0), end=time(23, 59), capacity=3
    )
    slot = make.slot(schedule, today)
    coming, quiet = make.booking(slot, "Ada", "+31612345678"), make.booking(slot, "Bo", "+31612345678")
    coming.attendance_confirmed_at = datetime.now(UTC)
    now = datetime.now(UTC)
    sent = ScheduledMessage(kind=MessageKind.REMINDER, channel="telegram", booking_id=quiet.id, due_at=now,
                            status=MessageStatus.SENT, sent_at=now)  # fmt: skip
    session.add(sent)
    session.commit()
    login(client, "sanne")
    page = client.get("/staff/vandaag").text
    assert "<strong>Komt (Ik kom)</strong>" in _row(page, coming)
    assert "Telegram: verstuurd" in _row(page, quiet)
