"""Handover end to end on a real Rasa server: pause, the safety reply while paused, staff replies, closing.

Runs `rasa run` with the trained model and this project's channels (REST, socket.io with session
persistence, Telegram against the local Bot API stand-in), the action server, and a real case backend
whose office hours are always open. Staff actions go through Rasa's HTTP API, as the staff page does.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
import socketio

from tests.rasa.booking_backend import TOKEN, free_port, running_backend
from tests.rasa.rasa_servers import (
    ALL_CHANNELS,
    Processes,
    actions_command,
    rasa_command,
    rasa_env_with_backend,
    say,
    up,
)
from tests.rasa.telegram_standin import TelegramStandIn

pytestmark = pytest.mark.slow

TELEGRAM_TOKEN = "654321:HANDOVER-token-for-the-stand-in"
SECRET = "handover-webhook-secret_1"
API_TOKEN = "handover-api-token"
CLOSED_TEXT = "De medewerker heeft het gesprek afgesloten."
HANDED_OVER = "Ik heb je vraag doorgegeven."

CREDENTIALS = ALL_CHANNELS


class Stack:
    def __init__(self, rasa_url: str, backend_url: str, tracker_db: Path) -> None:
        self.url, self.backend_url, self.tracker_db = rasa_url, backend_url, tracker_db

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        return say(self.url, sender, text)

    def tracker(self, sender: str) -> dict[str, Any]:
        return httpx.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()

    def staff_reply(self, sender: str, text: str) -> httpx.Response:
        """What the staff page does to answer: a bot event, sent to the resident's channel."""
        return httpx.post(
            f"{self.url}/conversations/{sender}/tracker/events",
            params={"token": API_TOKEN, "output_channel": "latest", "execute_side_effects": "true"},
            json=[{"event": "bot", "text": text}],
            timeout=30,
        )

    def close(self, sender: str) -> dict[str, Any]:
        """What the staff page does on closing: resume, then the closing intent to the latest channel."""
        resumed = httpx.post(
            f"{self.url}/conversations/{sender}/tracker/events",
            params={"token": API_TOKEN},
            json=[{"event": "resume"}],
            timeout=30,
        )
        resumed.raise_for_status()
        closed = httpx.post(
            f"{self.url}/conversations/{sender}/trigger_intent",
            params={"token": API_TOKEN, "output_channel": "latest"},
            json={"name": "EXTERNAL_handover_closed", "entities": {}},
            timeout=60,
        )
        closed.raise_for_status()
        return dict(closed.json())

    def handovers(self, sender: str) -> list[dict[str, Any]]:
        return httpx.get(
            f"{self.backend_url}/api/handovers",
            params={"conversation_id": sender},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        ).json()


@pytest.fixture(scope="module")
def standin() -> Iterator[TelegramStandIn]:
    with TelegramStandIn(TELEGRAM_TOKEN, secret=SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def stack(standin: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("handover")
    (folder / "credentials.yml").write_text(CREDENTIALS)
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        backend = running_backend(folder)
        backend_url = backend.__enter__()
    action_port, rasa_port = free_port(), free_port()
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
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    standin.webhook_url = f"{rasa_url}/webhooks/telegram/webhook"
    try:
        processes.wait_until(
            lambda: up(f"http://127.0.0.1:{action_port}/health") and up(f"{rasa_url}/status", API_TOKEN)
        )
        yield Stack(rasa_url, backend_url, folder / "tracker.db")
    finally:
        processes.stop()
        backend.__exit__(None, None, None)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def test_rest_pause_silence_crisis_reply_and_closing(stack: Stack) -> None:
    sender = "handover-rest-1"
    stack.say(sender, "ik woon in Voorbeeldstad")  # the handover goes to this municipality's team
    stack.say(sender, "ik heb een brief van de deurwaarder gekregen")
    consent = stack.say(sender, "ik wil iemand van het wijkteam spreken")
    assert "Zal ik je vraag doorgeven aan een medewerker" in texts(consent)
    assert [b["payload"] for b in consent[-1]["buttons"]] == ["/affirm", "/deny"]

    handed_over = stack.say(sender, "ja graag")
    assert HANDED_OVER in texts(handed_over) and "meestal binnen een half uur" in texts(handed_over)
    assert stack.tracker(sender)["paused"] is True
    [handover] = stack.handovers(sender)
    assert handover["channel"] == "rest" and handover["status"] == "open"
    assert "deurwaarder" in handover["summary"]

    # Paused: the bot is silent, but the message is stored for the staff member.
    assert stack.say(sender, "hallo, is daar iemand? ik heb ook huurachterstand") == []
    user_texts = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert user_texts[-1] == "hallo, is daar iemand? ik heb ook huurachterstand"
    # ... except for a crisis message: the safety reply comes at once, and the pause stays.
    crisis = stack.say(sender, "ik wil niet meer leven")
    assert crisis and crisis[0]["text"].startswith("Bel 113")
    assert stack.tracker(sender)["paused"] is True

    # A staff reply over the REST channel is collected (REST has no push): the API answers 200.
    assert stack.staff_reply(sender, "Hallo, met Sanne van het wijkteam.").status_code == 200

    closed = stack.close(sender)
    assert CLOSED_TEXT in texts(closed["messages"])
    assert stack.tracker(sender)["paused"] is False
    assert stack.say(sender, "hallo")[0]["text"].startswith("Hallo! Waar gaat je vraag over?")


def age_conversation(tracker_db: Path, sender: str, seconds: float) -> None:
    """Move a stored conversation `seconds` into the past, as if its resident had been silent so long."""
    with sqlite3.connect(tracker_db) as connection:
        rows = connection.execute(
            "SELECT id, timestamp, data FROM events WHERE sender_id = ?", (sender,)
        ).fetchall()
        assert rows
        for row_id, timestamp, data in rows:
            event = json.loads(data)
            event["timestamp"] -= seconds
            connection.execute(
                "UPDATE events SET timestamp = ?, data = ? WHERE id = ?",
                (timestamp - seconds, json.dumps(event), row_id),
            )


def test_a_handed_over_conversation_stays_paused_when_its_session_expires(stack: Stack) -> None:
    sender = "handover-rest-expired"
    stack.say(sender, "ik woon in Voorbeeldstad")
    stack.say(sender, "/request_human")
    assert HANDED_OVER in texts(stack.say(sender, "ja graag"))
    assert stack.tracker(sender)["paused"] is True

    age_conversation(stack.tracker_db, sender, 2 * 3600)  # sessions expire after 60 minutes
    assert stack.say(sender, "hallo, ik ben er weer. belt er nog iemand?") == []
    tracker = stack.tracker(sender)
    assert tracker["paused"] is True
    assert sum(event["event"] == "session_started" for event in tracker["events"]) == 2
    assert [e.get("text") for e in tracker["events"] if e["event"] == "user"][-1].startswith("hallo, ik ben")
    crisis = stack.say(sender, "ik wil niet meer leven")  # the safety reply still comes at once
    assert crisis and crisis[0]["text"].startswith("Bel 113")


def test_declining_consent_records_nothing_and_does_not_pause(stack: Stack) -> None:
    sender = "handover-rest-2"
    stack.say(sender, "/request_human")
    declined = stack.say(sender, "nee")
    assert "ik geef niets door" in texts(declined)
    assert stack.tracker(sender)["paused"] is False and stack.handovers(sender) == []


async def test_socketio_staff_reply_and_closing_reach_the_widget_socket(stack: Stack) -> None:
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("bot_uttered", received.put)
    # Long-polling: python-engineio's websocket client needs a newer aiohttp than Rasa 3.6 pins.
    await client.connect(stack.url, socketio_path="/socket.io", transports=["polling"])
    session_id = "handoverwidget0001"
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.emit("session_request", {"session_id": session_id})
    assert await asyncio.wait_for(confirmed, 10) == session_id

    async def say(text: str, quiet_seconds: float = 3.0) -> list[dict[str, Any]]:
        # As the widget with data-gemeente sends it (bot/backend/widget/static/widget.js).
        await client.emit(
            "user_uttered",
            {"message": text, "session_id": session_id, "metadata": {"gemeente": "voorbeeldstad"}},
        )
        return await collect(quiet_seconds)

    async def collect(quiet_seconds: float) -> list[dict[str, Any]]:
        messages = []
        try:
            while True:
                messages.append(await asyncio.wait_for(received.get(), quiet_seconds))
        except asyncio.TimeoutError:
            return messages

    try:
        assert "Zal ik je vraag doorgeven" in texts(await say("/request_human", 15))
        handed_over = texts(await say("/affirm", 15))
        assert HANDED_OVER in handed_over and "Je kunt dit venster open laten." in handed_over
        assert await say("hallo?", 3) == []
        crisis = await say("ik wil niet meer leven", 15)
        assert crisis and crisis[0]["text"].startswith("Bel 113")

        reply = await asyncio.to_thread(stack.staff_reply, session_id, "Hallo, met Sanne van het wijkteam.")
        assert reply.status_code == 200
        assert [m["text"] for m in await collect(10)] == ["Hallo, met Sanne van het wijkteam."]

        await asyncio.to_thread(stack.close, session_id)
        assert CLOSED_TEXT in texts(await collect(10))
        assert (await say("hallo", 15))[0]["text"].startswith("Hallo! Waar gaat je vraag over?")
    finally:
        await client.disconnect()


def test_the_socket_server_refuses_requests_from_other_origins(stack: Stack) -> None:
    """No RASA_CORS_ORIGINS here: only the server's own origin (bot/assistant/channels/socketio_server.py)."""
    handshake = f"{stack.url}/socket.io/?EIO=4&transport=polling"
    foreign = httpx.get(handshake, headers={"Origin": "https://phishing.example"}, timeout=30)
    assert foreign.status_code == 400 and '"sid"' not in foreign.text
    own = httpx.get(handshake, headers={"Origin": stack.url}, timeout=30)
    assert own.status_code == 200 and '"sid"' in own.text
    assert '"sid"' in httpx.get(handshake, timeout=30).text  # no Origin header: not a browser


def test_telegram_staff_reply_reaches_send_message(stack: Stack, standin: TelegramStandIn) -> None:
    chat = 9401
    standin.deliver(standin.text_update(chat, "/start"))
    standin.deliver(standin.text_update(chat, "ik woon in Voorbeeldstad"))  # Telegram has no data-gemeente
    standin.deliver(standin.text_update(chat, "ik wil iemand van het wijkteam spreken"))
    assert "Zal ik je vraag doorgeven" in standin.texts(chat)[-1]
    standin.deliver(standin.button_update(chat, "/affirm", message_id=4000))
    assert "Je krijgt antwoord in deze chat" in "\n".join(standin.texts(chat)[-1:])
    assert stack.tracker(str(chat))["paused"] is True

    before = len(standin.texts(chat))
    standin.deliver(standin.text_update(chat, "hallo?"))
    assert standin.texts(chat)[before:] == []
    standin.deliver(standin.text_update(chat, "ik wil niet meer leven"))
    assert standin.texts(chat)[before].startswith("Bel 113")

    before = len(standin.texts(chat))
    assert stack.staff_reply(str(chat), "Hallo, met Sanne van het wijkteam.").status_code == 200
    assert standin.texts(chat)[before:] == ["Hallo, met Sanne van het wijkteam."]

    before = len(standin.texts(chat))
    stack.close(str(chat))
    assert standin.texts(chat)[before].startswith(CLOSED_TEXT)
    [handover] = stack.handovers(str(chat))
    assert handover["channel"] == "telegram"
