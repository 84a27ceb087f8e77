"""The Telegram channel end to end: a real Rasa server (trained model, action server, this channel)
talking to a local stand-in for the Telegram Bot API through python-telegram-bot's real client.

The stand-in posts updates to the channel's webhook like Telegram and records what the channel sends.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot.assistant.channels.telegram import (
    EDITED_TEXT,
    FORGET,
    FORGET_BUTTON,
    FORGOTTEN_TEXT,
    KEEP,
    STALE_BUTTON_TEXT,
    STOP_TEXT,
    PayloadBook,
    TelegramInput,
    TelegramOutput,
)
from bot.assistant.channels.telegram_client import TelegramClient
from bot.assistant.channels.telegram_text import TELEGRAM_TEXT_LIMIT, split_text, telegram_length
from tests.rasa.booking_backend import free_port
from tests.rasa.rasa_servers import Processes, actions_command, rasa_command, rasa_env, up
from tests.rasa.telegram_standin import TelegramStandIn

pytestmark = pytest.mark.slow

TOKEN = "123456:TEST-token-for-the-stand-in"
SECRET = "test-webhook-secret_123"
API_TOKEN = "test-api-token"

# Unquoted ${VAR}: Rasa expands environment variables only in unquoted YAML values.
CREDENTIALS = """\
bot.assistant.channels.telegram.TelegramInput:
  access_token: ${TELEGRAM_TOKEN}
  webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}
  base_url: ${TELEGRAM_BASE_URL}
  mode: ${TELEGRAM_MODE}
"""


class RasaServer:
    """The running Rasa server: its URL and its SQLite tracker store."""

    def __init__(self, url: str, tracker_db: Path) -> None:
        self.url, self.tracker_db = url, tracker_db

    def stored_events(self, sender_id: int) -> int:
        """How many events the tracker store holds for a conversation."""
        with sqlite3.connect(self.tracker_db) as db:
            return int(
                db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (str(sender_id),)).fetchone()[0]
            )


@pytest.fixture(scope="module")
def standin() -> Iterator[TelegramStandIn]:
    with TelegramStandIn(TOKEN, secret=SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def servers(
    standin: TelegramStandIn, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, RasaServer]]:
    """`rasa run actions` and two `rasa run` with this channel (webhook and polling mode), in parallel."""
    folder = tmp_path_factory.mktemp("telegram")
    (folder / "credentials.yml").write_text(CREDENTIALS)
    action_port = free_port()
    processes = Processes(
        folder,
        rasa_env(
            action_port,
            TELEGRAM_TOKEN=TOKEN,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_BASE_URL=standin.base_url,
        ),
    )
    processes.start("actions", actions_command(action_port))
    found: dict[str, RasaServer] = {}
    for mode in ("webhook", "polling"):
        port = free_port()
        found[mode] = RasaServer(f"http://127.0.0.1:{port}", folder / f"tracker-{mode}.db")
        processes.start(
            mode,
            rasa_command(folder / "credentials.yml", port, API_TOKEN),
            {"TELEGRAM_MODE": mode, "RASA_TRACKER_DB": str(found[mode].tracker_db)},
        )
    standin.webhook_url = f"{found['webhook'].url}/webhooks/telegram/webhook"
    try:
        processes.wait_until(
            lambda: (
                up(f"http://127.0.0.1:{action_port}/health", API_TOKEN)
                and all(up(f"{server.url}/status", API_TOKEN) for server in found.values())
            )
        )
        yield found
    finally:
        processes.stop()


@pytest.fixture(scope="module")
def rasa_server(servers: dict[str, RasaServer]) -> RasaServer:
    """The Rasa server whose Telegram channel runs in webhook mode."""
    return servers["webhook"]


def _new_texts(standin: TelegramStandIn, chat: int, before: int) -> list[str]:
    return standin.texts(chat)[before:]


def test_channel_is_registered_and_on(rasa_server: RasaServer) -> None:
    response = httpx.get(f"{rasa_server.url}/webhooks/telegram/", timeout=5)
    assert response.json() == {"status": "ok", "mode": "webhook"}


def test_full_conversation_with_a_button_press(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9001
    assert standin.deliver(standin.text_update(chat, "/start")).status_code == 200
    # One greeting with one keyboard: the new conversation's introduction offers the topics, and the
    # greeting that would offer them again is left out.
    sent = standin.calls("sendMessage", chat)
    assert [call.params["text"][:12] for call in sent if call.keyboard] == ["Hallo! Ik be"]
    greeting = sent[-1]
    assert "Ik ben een computer, geen mens." in greeting.params["text"]
    keyboard = greeting.keyboard
    assert keyboard, "the greeting's buttons must arrive as an inline keyboard"
    assert ["Geldzorgen"] in [[button["text"] for button in row] for row in keyboard]
    assert {"text": "Geldzorgen", "callback_data": "/schulden_algemeen"} in [
        b for row in keyboard for b in row
    ]

    sent_before = len(standin.texts(chat))
    press = standin.button_update(chat, "/schulden_algemeen", message_id=1000)
    assert standin.deliver(press).status_code == 200
    answered = standin.calls("answerCallbackQuery")
    assert answered and answered[-1].params["callback_query_id"] == press["callback_query"]["id"]
    edits = standin.calls("editMessageReplyMarkup", chat)
    assert edits and edits[-1].params["message_id"] == 1000 and "reply_markup" not in edits[-1].params
    answer = standin.calls("sendMessage", chat)[sent_before:]
    assert answer and answer[0].params["text"].startswith("Schulden zijn zwaar")
    assert answer[-1].keyboard, "the answer's offers must arrive as an inline keyboard"

    # Pressing one of the answer's buttons goes back in as its payload (long payloads via a short key).
    offer = answer[-1].keyboard[0][0]
    assert len(offer["callback_data"].encode()) <= 64
    sent_before = len(standin.texts(chat))
    assert (
        standin.deliver(standin.button_update(chat, offer["callback_data"], message_id=1001)).status_code
        == 200
    )
    assert len(standin.texts(chat)) > sent_before


def test_crisis_message_gets_113_first(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9002
    standin.deliver(standin.text_update(chat, "/start"))
    before = len(standin.texts(chat))
    assert standin.deliver(standin.text_update(chat, "ik wil niet meer leven")).status_code == 200
    replies = _new_texts(standin, chat, before)
    assert replies and replies[0].startswith("Bel 113")


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_wrong_or_missing_secret_is_refused(
    rasa_server: RasaServer, standin: TelegramStandIn, secret: str
) -> None:
    chat = 9003
    response = standin.deliver(standin.text_update(chat, "hallo"), secret=secret)
    assert response.status_code == 403
    # Only this chat is checked: earlier tests' chats may still get calls (retries) meanwhile.
    assert standin.calls(chat_id=chat, ok=False) == []
    assert rasa_server.stored_events(chat) == 0


def test_server_error_is_retried_and_delivered(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9004
    standin.deliver(standin.text_update(chat, "/start"))
    before = len(standin.texts(chat))
    standin.fail_next("sendMessage", 500)
    assert standin.deliver(standin.text_update(chat, "ik wil niet meer leven")).status_code == 200
    failed = [call for call in standin.calls("sendMessage", chat, ok=False) if not call.ok]
    assert [call.status for call in failed] == [500]
    assert failed[0].params["text"].startswith("Bel 113")
    assert _new_texts(standin, chat, before)[0] == failed[0].params["text"]


def test_flood_limit_waits_retry_after(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9005
    standin.deliver(standin.text_update(chat, "/start"))
    before = len(standin.texts(chat))
    standin.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    assert standin.deliver(standin.text_update(chat, "ik wil niet meer leven")).status_code == 200
    assert time.monotonic() - started >= 1
    assert _new_texts(standin, chat, before)[0].startswith("Bel 113")


def test_telegram_down_never_takes_the_channel_down(
    rasa_server: RasaServer, standin: TelegramStandIn
) -> None:
    chat = 9006
    standin.deliver(standin.text_update(chat, "/start"))
    standin.fail_next("sendMessage", 500, times=50)
    response = standin.deliver(standin.text_update(chat, "ik wil niet meer leven"))
    assert response.status_code == 200, "Telegram must not redeliver forever"
    standin.state.failures.clear()
    before = len(standin.texts(chat))
    assert standin.deliver(standin.text_update(chat, "ik wil niet meer leven")).status_code == 200
    assert _new_texts(standin, chat, before)[0].startswith("Bel 113")


def test_stop_offers_and_deletes_the_conversation(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9007
    standin.deliver(standin.text_update(chat, "/start"))
    standin.deliver(standin.text_update(chat, "ik heb schulden"))
    assert rasa_server.stored_events(chat) > 0

    assert standin.deliver(standin.text_update(chat, "/stop")).status_code == 200
    offer = standin.calls("sendMessage", chat)[-1]
    assert offer.params["text"] == STOP_TEXT
    assert offer.keyboard and offer.keyboard[0][0] == {"text": FORGET_BUTTON, "callback_data": FORGET}
    assert offer.keyboard[1][0]["callback_data"] == KEEP

    assert standin.deliver(standin.button_update(chat, FORGET, message_id=2000)).status_code == 200
    assert standin.texts(chat)[-1] == FORGOTTEN_TEXT
    assert rasa_server.stored_events(chat) == 0
    tracker = httpx.get(
        f"{rasa_server.url}/conversations/{chat}/tracker",
        params={"token": API_TOKEN, "include_events": "ALL"},
        timeout=30,
    ).json()
    assert [event for event in tracker["events"] if event["event"] == "user"] == []


def test_polling_mode_fetches_updates_itself(
    servers: dict[str, RasaServer], standin: TelegramStandIn
) -> None:
    chat = 9300
    polling = servers["polling"]
    assert httpx.get(f"{polling.url}/webhooks/telegram/", timeout=5).json() == {
        "status": "ok",
        "mode": "polling",
    }
    refused = httpx.post(
        f"{polling.url}/webhooks/telegram/webhook",
        json=standin.text_update(chat, "/start"),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=10,
    )
    assert refused.status_code == 503, "in polling mode the webhook is off"
    assert standin.calls("deleteWebhook"), (
        "polling first removes a webhook (Telegram refuses getUpdates otherwise)"
    )

    standin.queue(standin.text_update(chat, "/start"))
    # The introduction, with its buttons, is the reply to /start of a new conversation.
    _wait_for(lambda: any("Ik ben een computer, geen mens." in text for text in standin.texts(chat)))
    before = len(standin.texts(chat))
    standin.queue(standin.button_update(chat, "/schulden_algemeen", message_id=3000))
    _wait_for(lambda: len(standin.texts(chat)) > before)
    assert _new_texts(standin, chat, before)[0].startswith("Schulden zijn zwaar")
    assert polling.stored_events(chat) > 0


def _wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_other_content_gets_a_dutch_note(rasa_server: RasaServer, standin: TelegramStandIn) -> None:
    chat = 9008
    update = standin.text_update(chat, "x")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    assert standin.deliver(update).status_code == 200
    assert standin.texts(chat) == ["Ik kan alleen tekst lezen. Typ je vraag in een bericht."]


async def test_long_answer_is_split_with_buttons_on_the_last_part(standin: TelegramStandIn) -> None:
    chat = 9100
    paragraph = " ".join(f"Dit is zin {n} van een lang antwoord." for n in range(60))
    text = "\n\n".join([paragraph] * 9)
    assert telegram_length(text) > 2 * TELEGRAM_TEXT_LIMIT
    client = TelegramClient(TOKEN, standin.base_url)
    output = TelegramOutput(client, PayloadBook())
    await output.send_text_with_buttons(str(chat), text, [{"title": "Ja", "payload": "/affirm"}])
    await client.shutdown()
    parts = standin.calls("sendMessage", chat)
    assert len(parts) >= 3
    assert all(telegram_length(call.params["text"]) <= TELEGRAM_TEXT_LIMIT for call in parts)
    assert all(call.params["text"].endswith(".") for call in parts), "split on sentence ends"
    assert [call.keyboard is not None for call in parts] == [False] * (len(parts) - 1) + [True]
    assert " ".join(call.params["text"] for call in parts).split() == text.split()


def test_split_text_boundaries() -> None:
    assert split_text("Kort.") == ["Kort."]
    assert split_text("a\n\nb", limit=2) == ["a", "b"]
    assert split_text("Een zin. Nog een zin.", limit=10) == ["Een zin.", "Nog een", "zin."]
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_text("😀" * 3, limit=4) == ["😀😀", "😀"]


def test_empty_token_leaves_the_channel_off_without_crashing() -> None:
    channel = TelegramInput.from_credentials({"access_token": "", "webhook_secret": "", "base_url": None})
    assert channel.problem and "TELEGRAM_TOKEN" in channel.problem
    assert channel.get_output_channel() is None
    assert channel.blueprint(lambda message: None) is not None  # type: ignore[arg-type, return-value]


def test_start_again_greets_once_and_edits_and_stale_buttons_get_a_kind_note(
    rasa_server: RasaServer, standin: TelegramStandIn
) -> None:
    chat = 9009
    standin.deliver(standin.text_update(chat, "/start"))
    before = len(standin.texts(chat))
    standin.deliver(standin.text_update(chat, "/start"))  # a returning resident: the greeting, once
    again = standin.calls("sendMessage", chat)[before:]
    assert len([call for call in again if call.keyboard]) == 1
    assert again[-1].params["text"].startswith("Hallo! Waar gaat je vraag over?")

    edited = standin.text_update(chat, "ik heb schulden")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": int(time.time())}
    before = len(standin.texts(chat))
    assert standin.deliver(edited).status_code == 200
    assert standin.texts(chat)[before:] == [EDITED_TEXT]

    before = len(standin.texts(chat))
    stale = standin.button_update(chat, "p:" + "0" * 24, message_id=4000)  # a long payload's forgotten key
    assert standin.deliver(stale).status_code == 200
    assert standin.texts(chat)[before:] == [STALE_BUTTON_TEXT]
    answered = standin.calls("answerCallbackQuery")[-1]
    assert answered.params["callback_query_id"] == stale["callback_query"]["id"]
