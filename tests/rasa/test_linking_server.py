"""One conversation across channels end to end (issue 24): a real Rasa server (trained model, action
server, REST for the web chat and the Telegram channel against the local Bot API stand-in) and a real
case backend that reads the first conversation's slots back from this Rasa server.

- web -> Telegram: "Verder op Telegram" gives a t.me deep link; Telegram's `/start <code>` links the chat,
  says we go on, and the resident's municipality is known there without asking; the code works once;
- Telegram -> web: "verder op de website" gives a code the resident types in the web chat;
- "verwijder mijn gegevens" (and Telegram's /stop button) removes the links and codes of every linked
  conversation in the backend.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from bot.assistant.channels.telegram import FORGET, FORGOTTEN_TEXT, STOP_TEXT
from tests.rasa.booking_backend import free_port, running_backend
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

TELEGRAM_TOKEN = "777777:LINKING-token-for-the-stand-in"
SECRET = "linking-webhook-secret_1"
API_TOKEN = "linking-api-token"
BOT = "voordeur_test_bot"
LINKED = "Fijn, we gaan hier verder."
DEEP_LINK = re.compile(rf"https://t\.me/{BOT}\?start=([A-Z0-9]{{6}})")
SHOWN_CODE = re.compile(r"Typ daar deze code: ([A-Z0-9]{3}-[A-Z0-9]{3})")


class Stack:
    def __init__(self, rasa_url: str, backend_db: Path) -> None:
        self.url, self.backend_db = rasa_url, backend_db

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(str(reply.get("text", "")) for reply in say(self.url, sender, text))

    def slots(self, sender: str) -> dict[str, Any]:
        tracker = httpx.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": API_TOKEN, "include_events": "NONE"},
            timeout=30,
        ).json()
        return dict(tracker["slots"])

    def rows(self, table: str, conversation_ids: list[str]) -> int:
        marks = ",".join("?" for _ in conversation_ids)
        with sqlite3.connect(self.backend_db) as db:
            query = f"SELECT count(*) FROM {table} WHERE conversation_id IN ({marks})"  # noqa: S608 (fixed names)
            return int(db.execute(query, conversation_ids).fetchone()[0])


@pytest.fixture(scope="module")
def standin() -> Iterator[TelegramStandIn]:
    with TelegramStandIn(TELEGRAM_TOKEN, secret=SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def stack(standin: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("linking")
    (folder / "credentials.yml").write_text(ALL_CHANNELS)
    action_port, rasa_port = free_port(), free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    # The backend reads the linked conversation's slots from this Rasa server's HTTP API.
    with mock.patch.dict(os.environ, {"RASA_URL": rasa_url, "RASA_AUTH_TOKEN": API_TOKEN}):
        backend = running_backend(folder)
        backend_url = backend.__enter__()
    env = rasa_env_with_backend(
        action_port,
        folder,
        backend_url,
        TELEGRAM_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BASE_URL=standin.base_url,
        TELEGRAM_BOT_USERNAME=f"@{BOT}",
    )
    processes = Processes(folder, env)
    processes.start("actions", actions_command(action_port))
    processes.start("rasa", rasa_command(folder / "credentials.yml", rasa_port, API_TOKEN))
    standin.webhook_url = f"{rasa_url}/webhooks/telegram/webhook"
    try:
        processes.wait_until(
            lambda: up(f"http://127.0.0.1:{action_port}/health") and up(f"{rasa_url}/status", API_TOKEN)
        )
        yield Stack(rasa_url, folder / "backend.db")
    finally:
        processes.stop()
        backend.__exit__(None, None, None)


def telegram(standin: TelegramStandIn, chat: int, text: str) -> str:
    """Send a Telegram message; the channel's replies to it."""
    before = len(standin.texts(chat))
    assert standin.deliver(standin.text_update(chat, text)).status_code == 200
    return "\n".join(standin.texts(chat)[before:])


def test_web_to_telegram_with_a_deep_link(stack: Stack, standin: TelegramStandIn) -> None:
    web, chat = "web-link-one", 7101
    assert "Heideveen" in stack.texts(web, "ik woon in Heideveen")
    offer = stack.texts(web, "/continue_on_telegram")
    found = DEEP_LINK.search(offer)
    assert found, offer
    assert "15 minuten" in offer
    code = found.group(1)

    reply = telegram(standin, chat, f"/start {code}")
    assert LINKED in reply
    assert stack.slots(str(chat))["gemeente"] == "heideveen"  # carried on: not asked again
    assert stack.rows("conversation_links", [web, str(chat)]) == 2

    # One use: the same deep link in another Telegram chat links nothing.
    again = telegram(standin, 7102, f"/start {code}")
    assert "al gebruikt" in again and LINKED not in again
    assert stack.rows("conversation_links", ["7102"]) == 0


def test_telegram_to_web_with_a_typed_code(stack: Stack, standin: TelegramStandIn) -> None:
    chat, web = 7201, "web-link-two"
    telegram(standin, chat, "/start")
    offer = telegram(standin, chat, "ik wil verder op de website")
    found = SHOWN_CODE.search(offer)
    assert found, offer
    typed = found.group(1).lower().replace("-", " ")  # "k7p x9q": how a resident may type it
    assert LINKED in stack.texts(web, typed)
    assert stack.rows("conversation_links", [web, str(chat)]) == 2
    assert "ken ik niet" in stack.texts("web-link-three", "ACD-EF3")


def test_forgetting_removes_the_links_of_every_linked_conversation(
    stack: Stack, standin: TelegramStandIn
) -> None:
    web, chat = "web-link-four", 7401
    code = DEEP_LINK.search(stack.texts(web, "/continue_on_telegram"))
    assert code
    assert LINKED in telegram(standin, chat, f"/start {code.group(1)}")
    telegram(standin, chat, "verder op de website")  # a code of the Telegram chat, still unused
    assert stack.rows("link_codes", [web, str(chat)]) == 2
    stack.texts(web, "verwijder mijn gegevens")
    assert "Ik heb dit gesprek gewist" in stack.texts(web, "/affirm")
    assert stack.rows("conversation_links", [web, str(chat)]) == 0
    assert stack.rows("link_codes", [web, str(chat)]) == 0


def test_telegrams_stop_button_forgets_the_links_too(stack: Stack, standin: TelegramStandIn) -> None:
    web, chat = "web-link-five", 7501
    code = DEEP_LINK.search(stack.texts(web, "/continue_on_telegram"))
    assert code
    assert LINKED in telegram(standin, chat, f"/start {code.group(1)}")
    assert stack.rows("conversation_links", [web, str(chat)]) == 2
    assert STOP_TEXT in telegram(standin, chat, "/stop")
    before = len(standin.texts(chat))
    assert standin.deliver(standin.button_update(chat, FORGET, message_id=5001)).status_code == 200
    assert FORGOTTEN_TEXT in standin.texts(chat)[before:]
    assert stack.rows("conversation_links", [web, str(chat)]) == 0


def test_verder_op_telegram_in_telegram_points_to_the_website(stack: Stack, standin: TelegramStandIn) -> None:
    chat = 7601
    telegram(standin, chat, "/start")
    reply = telegram(standin, chat, "verder op telegram")
    assert "Je chat nu al via Telegram" in reply and not SHOWN_CODE.search(reply)
