"""Booking reminders end to end on Telegram (issue 24): a spreekuur booked in a Telegram chat (the Bot API
stand-in), the clock moved to the reminder's moment with `python -m bot.backend run-due --at ... --here`
(never by waiting), the reminder with its buttons in the chat, and Ik kom / Verzetten / Afzeggen pressed.

Runs the trained model, the action server and a real case backend on SQLite; the test reads the backend's
`scheduled_messages` rows to know when the reminder is due and what became of it.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.rasa.booking_backend import APP_PYTHON, ROOT, TOKEN, free_port, running_backend
from tests.rasa.rasa_servers import (
    ALL_CHANNELS,
    Processes,
    actions_command,
    rasa_command,
    rasa_env_with_backend,
    up,
)
from tests.rasa.telegram_standin import Call, TelegramStandIn

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "654321:REMINDER-token-for-the-stand-in"
SECRET = "reminder-webhook-secret_1"
API_TOKEN = "reminder-api-token"
CODE = re.compile(r"VD-[A-Z0-9]{4}-[A-Z0-9]{4}")


@dataclass
class Stack:
    rasa_url: str
    backend_url: str
    folder: Path

    def run_due(self, at: datetime) -> str:
        """Move the clock: deliver what is due at `at`, in the command's own process."""
        database = f"sqlite:///{self.folder}/backend.db"
        env = {**os.environ, "DATABASE_URL": database, "DATA_DIR": str(self.folder),
               "BACKEND_SERVICE_TOKEN": TOKEN, "VOORDEUR_ENV": "development", "RASA_URL": self.rasa_url,
               "RASA_AUTH_TOKEN": API_TOKEN}  # fmt: skip
        command = [str(APP_PYTHON), "-m", "bot.backend", "run-due", "--at", at.isoformat(), "--here"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def reminders(self, code: str) -> list[dict[str, Any]]:
        with sqlite3.connect(self.folder / "backend.db") as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT m.channel, m.status, m.due_at, m.conversation_id FROM scheduled_messages m"
                " JOIN bookings b ON b.id = m.booking_id WHERE b.code = ? ORDER BY m.id",
                (code,),
            ).fetchall()
        return [
            {**dict(row), "due_at": datetime.fromisoformat(row["due_at"]).replace(tzinfo=timezone.utc)}
            for row in rows
        ]

    def booking(self, code: str) -> dict[str, Any]:
        with sqlite3.connect(self.folder / "backend.db") as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT b.status, b.slot_id, b.attendance_confirmed_at, s.booked FROM bookings b"
                " JOIN slots s ON s.id = b.slot_id WHERE b.code = ?",
                (code,),
            ).fetchone()
        return dict(row)


@pytest.fixture(scope="module")
def standin() -> Iterator[TelegramStandIn]:
    with TelegramStandIn(TELEGRAM_TOKEN, secret=SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def stack(standin: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("reminders")
    (folder / "credentials.yml").write_text(ALL_CHANNELS)
    with running_backend(folder) as backend_url:
        action_port, rasa_port = free_port(), free_port()
        telegram = {"TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                    "TELEGRAM_BASE_URL": standin.base_url}  # fmt: skip
        env = rasa_env_with_backend(action_port, folder, backend_url, **telegram)
        processes = Processes(folder, env)
        processes.start("actions", actions_command(action_port))
        processes.start("rasa", rasa_command(folder / "credentials.yml", rasa_port, API_TOKEN))
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        standin.webhook_url = f"{rasa_url}/webhooks/telegram/webhook"
        try:
            processes.wait_until(
                lambda: up(f"http://127.0.0.1:{action_port}/health") and up(f"{rasa_url}/status", API_TOKEN)
            )
            yield Stack(rasa_url, backend_url, folder)
        finally:
            processes.stop()


def last_keyboard(standin: TelegramStandIn, chat: int) -> Call:
    return [call for call in standin.calls("sendMessage", chat) if call.keyboard][-1]


def buttons(call: Call) -> dict[str, str]:
    return {button["text"]: button["callback_data"] for row in call.keyboard or [] for button in row}


def press(standin: TelegramStandIn, chat: int, data: str) -> list[str]:
    """Press a button; the texts the bot sent back."""
    before = len(standin.texts(chat))
    assert standin.deliver(standin.button_update(chat, data, message_id=4000)).status_code == 200
    return standin.texts(chat)[before:]


def book_in_telegram(standin: TelegramStandIn, chat: int) -> str:
    """A spreekuur booked in the chat, as a resident does it; returns the booking code."""
    standin.deliver(standin.text_update(chat, "/start"))
    standin.deliver(standin.text_update(chat, "ik woon in Voorbeeldstad"))
    press(standin, chat, "/book_spreekuur")
    times = [
        title for title in buttons(last_keyboard(standin, chat)) if title not in ("Andere dag", "Stoppen")
    ]
    assert times, standin.texts(chat)[-3:]
    press(standin, chat, buttons(last_keyboard(standin, chat))[times[0]])
    standin.deliver(standin.text_update(chat, "Anna"))
    standin.deliver(standin.text_update(chat, "0612345678"))
    confirmed = "\n".join(press(standin, chat, "/affirm"))
    found = CODE.search(confirmed)
    assert found and "staat vast" in confirmed, confirmed
    return found[0]


def test_a_telegram_booking_is_reminded_and_the_buttons_work(stack: Stack, standin: TelegramStandIn) -> None:
    chat = 9601
    code = book_in_telegram(standin, chat)
    (planned,) = stack.reminders(code)
    assert (planned["channel"], planned["status"], planned["conversation_id"]) == (
        "telegram",
        "gepland",
        str(chat),
    )

    # The clock just before the moment: nothing goes out.
    before = len(standin.texts(chat))
    assert "0 message(s)" in stack.run_due(planned["due_at"] - timedelta(minutes=1))
    assert standin.texts(chat)[before:] == []
    # At the moment: the reminder, with the three buttons, within Telegram's 64 bytes.
    assert "message(s)" in stack.run_due(planned["due_at"] + timedelta(seconds=30))
    reminder = last_keyboard(standin, chat)
    assert reminder.params["text"].startswith("Herinnering: je hebt een afspraak bij het wijkteam.")
    assert code in reminder.params["text"] and "Kom je?" in reminder.params["text"]
    answers = buttons(reminder)
    assert list(answers) == ["Ik kom", "Afzeggen", "Verzetten"]
    assert all(len(data.encode()) <= 64 and not data.startswith("p:") for data in answers.values())
    assert json.loads(answers["Ik kom"].removeprefix("/reminder_komt")) == {"booking_code": code}
    assert [row["status"] for row in stack.reminders(code)] == ["verstuurd"]
    # A second run at the same moment sends nothing again.
    before = len(standin.texts(chat))
    stack.run_due(planned["due_at"] + timedelta(minutes=1))
    assert standin.texts(chat)[before:] == []

    # Ik kom.
    assert press(standin, chat, answers["Ik kom"])[0].startswith("Fijn, tot dan!")
    assert stack.booking(code)["attendance_confirmed_at"] is not None

    # Verzetten: the spreekuur form offers other times; the code stays, a new reminder is planned.
    old_slot = stack.booking(code)["slot_id"]
    press(standin, chat, answers["Verzetten"])
    offered = buttons(last_keyboard(standin, chat))
    times = [title for title in offered if title not in ("Andere dag", "Stoppen")]
    press(standin, chat, offered[times[-1]])  # the first may be the booked time itself
    moved = "\n".join(press(standin, chat, "/affirm"))
    assert "verzet" in moved and code in moved, moved
    after_move = stack.booking(code)
    assert after_move["slot_id"] != old_slot and after_move["attendance_confirmed_at"] is None
    first, second = stack.reminders(code)
    assert (
        first["status"] == "verstuurd" and second["status"] == "gepland" and second["channel"] == "telegram"
    )

    # The new reminder at its own moment; Afzeggen frees the place.
    stack.run_due(second["due_at"] + timedelta(seconds=30))
    again = last_keyboard(standin, chat)
    assert again.params["text"].startswith("Herinnering") and code in again.params["text"]
    taken = stack.booking(code)["booked"]
    cancelled = "\n".join(press(standin, chat, buttons(again)["Afzeggen"]))
    assert "is afgezegd. De plek is weer vrij." in cancelled
    gone = stack.booking(code)
    assert gone["status"] == "geannuleerd" and gone["booked"] == taken - 1


def test_a_reminder_of_a_cancelled_booking_is_not_sent(stack: Stack, standin: TelegramStandIn) -> None:
    chat = 9602
    code = book_in_telegram(standin, chat)
    (planned,) = stack.reminders(code)
    body = {"code": code, "verification": "5678", "client": str(chat)}
    service = {"Authorization": f"Bearer {TOKEN}"}
    ticket = httpx.post(f"{stack.backend_url}/api/bookings/lookup", json=body, headers=service).json()[
        "ticket"
    ]
    cancel = httpx.post(
        f"{stack.backend_url}/api/bookings/{code}/cancel", json={"ticket": ticket}, headers=service
    )
    assert cancel.status_code == 200, cancel.text
    before = len(standin.texts(chat))
    stack.run_due(planned["due_at"] + timedelta(seconds=30))
    assert standin.texts(chat)[before:] == []
    assert [row["status"] for row in stack.reminders(code)] == ["geannuleerd"]


def test_a_reminder_after_the_session_expired_comes_without_the_introduction(
    stack: Stack, standin: TelegramStandIn
) -> None:
    chat = 9603
    code = book_in_telegram(standin, chat)
    (planned,) = stack.reminders(code)
    # The resident's last message was hours ago (the session expires after an hour of silence): the
    # conversation's stored events are put back three hours (Rasa's API only appends events).
    with sqlite3.connect(stack.folder / "tracker.db") as db:
        db.execute(
            "UPDATE events SET timestamp = timestamp - 10800,"
            " data = json_set(data, '$.timestamp', json_extract(data, '$.timestamp') - 10800)"
            " WHERE sender_id = ?",
            (str(chat),),
        )
    before = len(standin.texts(chat))
    stack.run_due(planned["due_at"] + timedelta(seconds=30))
    sent = standin.texts(chat)[before:]
    assert sent and sent[0].startswith("Herinnering: je hebt een afspraak"), sent
    assert not any("digitale assistent" in text for text in sent)
    tracker_url = f"{stack.rasa_url}/conversations/{chat}/tracker"
    after = httpx.get(tracker_url, params={"token": API_TOKEN}).json()["events"]
    assert [event["event"] for event in after].count("session_started") == 2  # a new session did start
