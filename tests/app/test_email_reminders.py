"""E-mail reminders end to end (issue 24): a booking with an e-mail address, the clock moved to the
reminder's moment with `python -m bot.backend run-due --at ... --here`, and the mail at a local SMTP server
(aiosmtpd); a server that is down gets the reminder tried again later. No outside traffic."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.backend.models import MessageStatus, ScheduledMessage
from bot.backend.services import bookings
from bot.backend.services.clock import local_today
from tests.app.backend_helpers import TOKEN, Database, Factory, make_settings, migrated_database
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, smtp_session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.mails.append(message)
        return "250 OK"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with migrated_database("sqlite", f"sqlite:///{tmp_path}/backend.db") as db:
        yield db


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def run_due(tmp_path: Path, database: Database, at: datetime, smtp_port: int) -> str:
    env = {**os.environ, "DATABASE_URL": database.url, "DATA_DIR": str(tmp_path), "VOORDEUR_ENV": "test",
           "BACKEND_SERVICE_TOKEN": TOKEN, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
           "SMTP_FROM": "Wijkteam <wijkteam@voorbeeldstad.example>"}  # fmt: skip
    command = [sys.executable, "-m", "bot.backend", "run-due", "--at", at.isoformat(), "--here"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_e_mail_reminder_goes_out_at_its_moment_and_is_tried_again_when_smtp_is_down(
    tmp_path: Path, database: Database, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    settings = make_settings(tmp_path, database.url, smtp_host="127.0.0.1", smtp_port=port)
    sessions = sessionmaker(database.engine)
    with sessions() as session:
        make = Factory(session)
        location = make.location("Wijkhuis Post (test)")
        schedule = make.schedule(location, weekday=3, title="Spreekuur Geldzaken")
        slot = make.slot(schedule, make.next_weekday(local_today(settings.tz), 3))
        contact = {"first_name": "Eva", "email": "eva@voorbeeld.nl", "conversation_id": "web-9"}
        booked = bookings.book_slot(
            session=session, slot_id=slot.id, channel="socketio", settings=settings, **contact
        )
        session.commit()
        code = booked.code
        (reminder,) = session.scalars(
            select(ScheduledMessage).where(ScheduledMessage.booking_id == booked.id)
        )
        due, reminder_id = reminder.due_at, reminder.id
        assert reminder.channel == "email"

    def state(session: Session) -> ScheduledMessage:
        found = session.get(ScheduledMessage, reminder_id, populate_existing=True)
        assert found is not None
        return found

    # SMTP down at the moment: tried again later, nothing lost.
    down = free_port()
    assert "failed" not in run_due(tmp_path, database, due + timedelta(seconds=10), down)
    with sessions() as session:
        retried = state(session)
        assert retried.status is MessageStatus.PENDING and retried.attempts == 1 and retried.due_at > due
        retry_at = retried.due_at
    assert handler.mails == []

    # The server is back: the mail goes out once, with the calendar file.
    run_due(tmp_path, database, retry_at + timedelta(seconds=10), port)
    run_due(tmp_path, database, retry_at + timedelta(minutes=2), port)
    (mail,) = handler.mails
    body = mail.get_body(preferencelist=("plain",))
    assert mail["To"] == "eva@voorbeeld.nl" and body is not None and code in body.get_content()
    assert [part.get_filename() for part in mail.iter_attachments()] == ["afspraak-wijkteam.ics"]
    with sessions() as session:
        assert state(session).status is MessageStatus.SENT
