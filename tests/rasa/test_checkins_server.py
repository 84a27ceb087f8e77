"""Follow-up check-ins end to end on Telegram (issue 24): a real Rasa server with the trained model, the
action server, the case backend, and the local Telegram Bot API stand-in. The clock is moved with
`python -m bot.backend run-due --at ...` (delivering in that process), never by waiting, and the stored
conversation is moved days into the past as a resident's silence would.

- a stappenplan that helped -> consent -> nothing before the due moment -> the check-in with the plan's
  question -> "Het lukt niet" -> the plan again;
- a closed handover -> consent -> the check-in -> a typed "ik wil iemand spreken" -> the handover's consent
  question;
- a done callback (the backend's EXTERNAL_callback_done) -> consent -> "stop berichten" -> nothing is sent.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from tests.rasa.booking_backend import APP_PYTHON, ROOT, TOKEN, free_port, running_backend
from tests.rasa.rasa_servers import (
    ALL_CHANNELS,
    Processes,
    actions_command,
    rasa_command,
    rasa_env_with_backend,
    say,
    up,
)
from tests.rasa.telegram_standin import Call, TelegramStandIn

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "654321:CHECKIN-token-for-the-stand-in"
SECRET = "checkin-webhook-secret_1"
API_TOKEN = "checkin-api-token"
OFFER = "Mag ik je over 5 werkdagen een bericht sturen?"


class Stack:
    def __init__(
        self,
        rasa_url: str,
        backend_url: str,
        folder: Path,
        backend_env: dict[str, str],
        standin: TelegramStandIn,
    ) -> None:
        self.url, self.backend_url, self.folder = rasa_url, backend_url, folder
        self.backend_env, self.standin = backend_env, standin

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.folder / "backend.db") as connection:
            return connection.execute(query, params).fetchall()

    def checkins(self, chat: int) -> list[tuple[Any, ...]]:
        """(id, source, source_id, plan_id, status, due_at, outcome) of the chat's check-ins."""
        return self.rows(
            "SELECT id, source, source_id, plan_id, status, due_at, outcome FROM scheduled_messages"
            " WHERE conversation_id = ? AND kind = 'checkin' ORDER BY id",
            str(chat),
        )

    def run_due(self, at: datetime) -> str:
        """Move the clock: send what is due at `at`, in the command's own process."""
        done = subprocess.run(
            [str(APP_PYTHON), "-m", "bot.backend", "run-due", "--at", at.isoformat(), "--here"],
            cwd=ROOT, env=self.backend_env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def age(self, chat: int, days: float) -> None:
        """Move the stored conversation `days` into the past, as if the resident had been silent so long."""
        seconds = days * 86400
        with sqlite3.connect(self.folder / "tracker.db") as connection:
            rows = connection.execute(
                "SELECT id, timestamp, data FROM events WHERE sender_id = ?", (str(chat),)
            ).fetchall()
            assert rows
            for row_id, timestamp, data in rows:
                event = json.loads(data)
                event["timestamp"] -= seconds
                connection.execute(
                    "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                    (timestamp - seconds, json.dumps(event), row_id),
                )

    def trigger(self, chat: int, intent: str, entities: dict[str, str], channel: str = "telegram") -> None:
        """What the staff page does (closing a handover: to the latest channel; a done callback: to the
        conversation's channel): an intent over Rasa's HTTP API."""
        httpx.post(
            f"{self.url}/conversations/{chat}/trigger_intent",
            params={"token": API_TOKEN, "output_channel": channel},
            json={"name": intent, "entities": entities},
            timeout=60,
        ).raise_for_status()

    def resume(self, chat: int) -> None:
        httpx.post(
            f"{self.url}/conversations/{chat}/tracker/events",
            params={"token": API_TOKEN},
            json=[{"event": "resume"}],
            timeout=30,
        ).raise_for_status()

    # --- the resident -------------------------------------------------------------------------------
    def type(self, chat: int, text: str) -> list[str]:
        before = len(self.standin.texts(chat))
        assert self.standin.deliver(self.standin.text_update(chat, text)).status_code == 200
        return self.standin.texts(chat)[before:]

    def last_keyboard_call(self, chat: int, title: str) -> Call:
        for call in reversed(self.standin.calls("sendMessage", chat)):
            if any(button["text"] == title for row in call.keyboard or [] for button in row):
                return call
        raise AssertionError(f"no button {title!r} in chat {chat}: {self.standin.texts(chat)[-3:]}")

    def press(self, chat: int, title: str) -> list[str]:
        call = self.last_keyboard_call(chat, title)
        [button] = [button for row in call.keyboard or [] for button in row if button["text"] == title]
        before = len(self.standin.texts(chat))
        update = self.standin.button_update(chat, button["callback_data"], message_id=7000)
        assert self.standin.deliver(update).status_code == 200
        return self.standin.texts(chat)[before:]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("checkins")
    (folder / "credentials.yml").write_text(ALL_CHANNELS)
    action_port, rasa_port = free_port(), free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    # The backend reaches Rasa's HTTP API to deliver (run-due) and the resident's channel through it.
    rasa_api = {"OFFICE_HOURS": "ma-zo 00:00-24:00", "RASA_URL": rasa_url, "RASA_AUTH_TOKEN": API_TOKEN}
    with TelegramStandIn(TELEGRAM_TOKEN, secret=SECRET) as standin, mock.patch.dict(os.environ, rasa_api):
        with running_backend(folder) as backend_url:
            backend_env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{folder}/backend.db",
                "DATA_DIR": str(folder),
                "BACKEND_SERVICE_TOKEN": TOKEN,
                "VOORDEUR_ENV": "development",
            }
            env = rasa_env_with_backend(
                action_port,
                folder,
                backend_url,
                TELEGRAM_TOKEN=TELEGRAM_TOKEN,
                TELEGRAM_WEBHOOK_SECRET=SECRET,
                TELEGRAM_BASE_URL=standin.base_url,
            )
            processes = Processes(folder, env)
            processes.start("actions", actions_command(action_port))
            processes.start("rasa", rasa_command(folder / "credentials.yml", rasa_port, API_TOKEN))
            standin.webhook_url = f"{rasa_url}/webhooks/telegram/webhook"
            try:
                processes.wait_until(
                    lambda: (
                        up(f"http://127.0.0.1:{action_port}/health") and up(f"{rasa_url}/status", API_TOKEN)
                    )
                )
                yield Stack(rasa_url, backend_url, folder, backend_env, standin)
            finally:
                processes.stop()


def due_of(row: tuple[Any, ...]) -> datetime:
    return datetime.fromisoformat(str(row[5])).replace(tzinfo=timezone.utc)


def test_a_plan_that_helped_then_the_check_in_then_the_plan_again(stack: Stack) -> None:
    chat = 9601
    stack.type(chat, "/start")
    stack.type(chat, "ik woon in Voorbeeldstad")
    replies = stack.standin.deliver(
        stack.standin.button_update(chat, '/stappenplan_start{"plan_id": "sch_aanmaning"}', message_id=6000)
    )
    assert replies.status_code == 200 and stack.standin.texts(chat)[-1].startswith("Stap 1 van")
    while "Heeft dit geholpen?" not in stack.standin.texts(chat)[-1]:
        stack.press(chat, "Volgende stap")
    helped = stack.press(chat, "Ja")
    assert helped[0].startswith("Fijn dat het geholpen heeft!") and helped[-1].startswith(OFFER)
    agreed = stack.type(chat, "ja graag")
    assert agreed[-1].startswith("Goed. Ik stuur je op ")
    [(checkin_id, source, _, plan_id, status, _, outcome)] = stack.checkins(chat)
    assert (source, plan_id, status, outcome) == ("stappenplan", "sch_aanmaning", "gepland", None)
    due = due_of(stack.checkins(chat)[0])
    assert due > datetime.now(timezone.utc) + timedelta(days=5)

    stack.age(chat, 8)  # a week of silence: the check-in starts a new session
    before = len(stack.standin.texts(chat))
    assert "run-due: 0 message(s)" in stack.run_due(due - timedelta(minutes=1))
    assert stack.standin.texts(chat)[before:] == []
    assert "verstuurd" in stack.run_due(due)
    [checkin] = stack.standin.texts(chat)[before:]
    assert "Hoe gaat het nu met de aanmaning?" in checkin and "'stop berichten'" in checkin
    assert stack.checkins(chat)[0][4] == "verstuurd"

    stuck = stack.press(chat, "Het lukt niet")
    assert stuck[-1].startswith("Jammer dat het niet lukt.")
    assert stack.checkins(chat)[0][6] == "lukt_niet"
    again = stack.press(chat, "Stappenplan nog eens")
    assert again[-1].startswith("Stap 1 van")
    assert checkin_id == stack.checkins(chat)[0][0]


def test_a_closed_handover_then_the_check_in_then_a_person(stack: Stack) -> None:
    chat = 9602
    stack.type(chat, "/start")
    stack.type(chat, "ik woon in Voorbeeldstad")
    stack.type(chat, "mijn huurbaas wil de huur flink verhogen")
    assert "Zal ik je vraag doorgeven" in stack.type(chat, "ik wil iemand van het wijkteam spreken")[-1]
    stack.type(chat, "ja")
    [(handover_id,)] = stack.rows("SELECT id FROM handovers WHERE conversation_id = ?", str(chat))
    stack.resume(chat)
    before = len(stack.standin.texts(chat))
    stack.trigger(chat, "EXTERNAL_handover_closed", {}, channel="latest")
    closed = stack.standin.texts(chat)[before:]
    assert closed[0].startswith("De medewerker heeft het gesprek afgesloten.") and closed[-1].startswith(
        OFFER
    )
    assert stack.press(chat, "Ja, graag")[-1].startswith("Goed. Ik stuur je op ")
    [row] = stack.checkins(chat)
    assert row[1:4] == ("overdracht", handover_id, None)

    stack.age(chat, 8)
    before = len(stack.standin.texts(chat))
    stack.run_due(due_of(row))
    assert len(stack.standin.texts(chat)[before:]) == 1
    person = stack.type(chat, "ik wil iemand van het wijkteam spreken")  # typed instead of the button
    assert person[0].startswith("Goed. Ik help je om iemand") and "Zal ik je vraag doorgeven" in person[-1]
    assert stack.checkins(chat)[0][6] == "iemand_spreken"


def test_a_done_callback_offers_a_check_in_and_stop_berichten_stops_it(stack: Stack) -> None:
    chat = 9603
    stack.type(chat, "/start")
    stack.type(chat, "ik woon in Voorbeeldstad")
    made = httpx.post(
        f"{stack.backend_url}/api/callbacks",
        json={"topic": "schulden", "first_name": "Piet", "phone": "0612345678", "conversation_id": str(chat)},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    callback_id = made.json()["id"]
    before = len(stack.standin.texts(chat))
    stack.trigger(chat, "EXTERNAL_callback_done", {"callback_id": str(callback_id)})
    [offer] = stack.standin.texts(chat)[before:]
    assert offer.startswith(
        "Hallo, met de digitale assistent van het wijkteam. Iemand van het wijkteam heeft"
    )
    assert OFFER in offer
    assert stack.press(chat, "Ja, graag")[-1].startswith("Goed. Ik stuur je op ")
    [row] = stack.checkins(chat)
    assert row[1:5] == ("terugbelverzoek", callback_id, None, "gepland")

    stopped = stack.type(chat, "ik wil geen berichten meer van jullie")
    assert stopped[-1].startswith("Goed. Je krijgt geen berichten meer van mij")
    assert stack.checkins(chat)[0][4] == "geannuleerd"
    before = len(stack.standin.texts(chat))
    stack.run_due(due_of(row) + timedelta(minutes=1))
    assert stack.standin.texts(chat)[before:] == []
    # A later offer is not made, and a "ja" to an old one is refused kindly.
    stack.trigger(chat, "EXTERNAL_callback_done", {"callback_id": str(callback_id)})
    assert stack.standin.texts(chat)[before:] == []


def test_on_the_rest_channel_no_check_in_is_offered(stack: Stack) -> None:
    """The website widget and REST cannot reach the resident later: a plan that helped asks nothing more."""
    sender = "checkin-rest-1"
    say(stack.url, sender, "ik woon in Voorbeeldstad")
    replies = say(stack.url, sender, '/stappenplan_start{"plan_id": "huis_huurtoeslag"}')
    while "Heeft dit geholpen?" not in str(replies[-1].get("text")):
        replies = say(stack.url, sender, "/stappenplan_volgende")
    [yes] = [b["payload"] for b in replies[-1]["buttons"] if b["title"] == "Ja"]
    helped = say(stack.url, sender, yes)
    assert helped[0]["text"].startswith("Fijn dat het geholpen heeft!")
    assert not any(OFFER in str(reply.get("text")) for reply in helped)
    assert stack.rows("SELECT id FROM scheduled_messages WHERE conversation_id = ?", sender) == []
