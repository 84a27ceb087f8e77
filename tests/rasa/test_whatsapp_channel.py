"""The WhatsApp channel end to end: a real Rasa server (trained model, action server, a real case backend,
this channel) talking to a local stand-in for Meta's WhatsApp Cloud API.

The stand-in posts signed webhook notifications like Meta and records what the channel sends. Staff
actions go through Rasa's HTTP API, as the staff page does; the 24-hour window is moved by ageing the
resident's last message in the contacts table, as if a day had passed.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import httpx
import pytest
from sanic import Sanic

from bot.assistant.channels.whatsapp import (
    STALE_BUTTON_TEXT,
    TEXT_ONLY_TEXT,
    WhatsAppInput,
    WhatsAppOutput,
    WhatsAppSettings,
    in_turn_order,
)
from bot.assistant.channels.whatsapp_client import WhatsAppClient
from bot.assistant.channels.whatsapp_contacts import (
    DELIVERY_MEMORY_SECONDS,
    PREFIX,
    Contacts,
    MemoryContacts,
    hashed_sender_id,
    id_key,
)
from bot.assistant.channels.whatsapp_templates import TemplateConfigError, Templates, parse
from bot.assistant.channels.whatsapp_text import (
    INTERACTIVE_BODY_LIMIT,
    LIST_BUTTON,
    MORE_CHOICES_TEXT,
    TEXT_LIMIT,
    PayloadBook,
    render,
    shorten,
)
from tests.rasa.booking_backend import TOKEN, free_port, running_backend
from tests.rasa.rasa_servers import ROOT, Processes, actions_command, rasa_command, rasa_env_with_backend, up
from tests.rasa.whatsapp_standin import API_VERSION, Call, WhatsAppStandIn

pytestmark = pytest.mark.slow

WA_TOKEN = "EAAtest-token-for-the-stand-in"
PHONE_NUMBER_ID = "109876543210"
APP_SECRET = "test-app-secret-0123456789abcdef"
VERIFY_TOKEN = "test-verify-token_123"
API_TOKEN = "whatsapp-api-token"
HANDED_OVER = "Ik heb je vraag doorgegeven."
CLOSED_TEXT = "De medewerker heeft het gesprek afgesloten."
DAY = 24 * 3600

# Unquoted ${VAR}: Rasa expands environment variables only in unquoted YAML values.
CREDENTIALS = """\
bot.assistant.channels.web_channels.RestInput:
bot.assistant.channels.whatsapp.WhatsAppInput:
  access_token: ${WHATSAPP_TOKEN}
  phone_number_id: ${WHATSAPP_PHONE_NUMBER_ID}
  app_secret: ${WHATSAPP_APP_SECRET}
  verify_token: ${WHATSAPP_VERIFY_TOKEN}
  api_url: ${WHATSAPP_API_URL}
  api_version: ${WHATSAPP_API_VERSION}
"""


def sender_of(wa_id: str) -> str:
    """The conversation id the channel gives a number."""
    return hashed_sender_id(wa_id, id_key(APP_SECRET))


class Stack:
    """The running Rasa server, its backend and its SQLite tracker store (which holds the contacts)."""

    def __init__(self, url: str, backend_url: str, folder: Path) -> None:
        self.url, self.backend_url, self.folder = url, backend_url, folder
        self.tracker_db = folder / "tracker.db"

    def stored_events(self, sender: str) -> int:
        with sqlite3.connect(self.tracker_db) as db:
            return int(db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0])

    def contact(self, sender: str) -> tuple[str, float] | None:
        with sqlite3.connect(self.tracker_db) as db:
            if not db.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'voordeur_whatsapp_contacts'"
            ).fetchone():
                return None  # the channel creates its table with the first contact
            row = db.execute(
                "SELECT wa_id, last_inbound_at FROM voordeur_whatsapp_contacts WHERE sender_id = ?", (sender,)
            ).fetchone()
        return (str(row[0]), float(row[1])) if row else None

    def age_contact(self, sender: str, seconds: float) -> None:
        """Move the resident's last message `seconds` into the past: the clock moved on."""
        with sqlite3.connect(self.tracker_db) as db:
            changed = db.execute(
                "UPDATE voordeur_whatsapp_contacts SET last_inbound_at = last_inbound_at - ? "
                "WHERE sender_id = ?",
                (seconds, sender),
            ).rowcount
        assert changed == 1

    def tracker(self, sender: str) -> dict[str, Any]:
        return dict(
            httpx.get(
                f"{self.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
            ).json()
        )

    def staff_reply(self, sender: str, text: str, name: str = "Sanne") -> httpx.Response:
        """What the staff page sends (bot/backend/staff_web/rasa_client.py): a named bot event."""
        event = {"event": "bot", "text": f"{name} (wijkteam): {text}", "metadata": {"staff": name}}
        return httpx.post(
            f"{self.url}/conversations/{sender}/tracker/events",
            params={"token": API_TOKEN, "output_channel": "latest", "execute_side_effects": "true"},
            json=[event],
            timeout=30,
        )

    def close(self, sender: str) -> None:
        """What the staff page does on closing: resume, then the closing intent to the latest channel."""
        httpx.post(
            f"{self.url}/conversations/{sender}/tracker/events",
            params={"token": API_TOKEN},
            json=[{"event": "resume"}],
            timeout=30,
        ).raise_for_status()
        httpx.post(
            f"{self.url}/conversations/{sender}/trigger_intent",
            params={"token": API_TOKEN, "output_channel": "latest"},
            json={"name": "EXTERNAL_handover_closed", "entities": {}},
            timeout=60,
        ).raise_for_status()

    def handovers(self, sender: str) -> list[dict[str, Any]]:
        return list(
            httpx.get(
                f"{self.backend_url}/api/handovers",
                params={"conversation_id": sender},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=10,
            ).json()
        )

    def log(self) -> str:
        return (self.folder / "rasa.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def standin() -> Iterator[WhatsAppStandIn]:
    with WhatsAppStandIn(WA_TOKEN, PHONE_NUMBER_ID, APP_SECRET, VERIFY_TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def stack(standin: WhatsAppStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A real backend (always open, so a handover goes to a person), the action server and Rasa."""
    folder = tmp_path_factory.mktemp("whatsapp")
    (folder / "credentials.yml").write_text(CREDENTIALS)
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        backend = running_backend(folder)
        backend_url = backend.__enter__()
    action_port, rasa_port = free_port(), free_port()
    env = rasa_env_with_backend(
        action_port,
        folder,
        backend_url,
        WHATSAPP_TOKEN=WA_TOKEN,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        WHATSAPP_API_URL=standin.base_url,
        WHATSAPP_API_VERSION=API_VERSION,
    )
    processes = Processes(folder, env)
    processes.start("actions", actions_command(action_port))
    processes.start("rasa", rasa_command(folder / "credentials.yml", rasa_port, API_TOKEN))
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    standin.webhook_url = f"{rasa_url}/webhooks/whatsapp/webhook"
    try:
        processes.wait_until(
            lambda: up(f"http://127.0.0.1:{action_port}/health") and up(f"{rasa_url}/status", API_TOKEN),
            timeout=300,
        )
        yield Stack(rasa_url, backend_url, folder)
    finally:
        processes.stop()
        backend.__exit__(None, None, None)


def new_calls(standin: WhatsAppStandIn, wa_id: str, before: int) -> list[Call]:
    return standin.calls(wa_id)[before:]


def say(standin: WhatsAppStandIn, wa_id: str, text: str) -> list[Call]:
    """A resident's text message; what the channel sent back."""
    before = len(standin.calls(wa_id))
    assert standin.deliver(standin.text(wa_id, text)).status_code == 200
    return new_calls(standin, wa_id, before)


def press(standin: WhatsAppStandIn, wa_id: str, call: Call, index: int = 0) -> list[Call]:
    """Tap a reply button or a list row of a message the channel sent."""
    choice = call.buttons[index]
    before = len(standin.calls(wa_id))
    notification = (
        standin.button_reply(wa_id, choice["id"], choice["title"])
        if call.kind == "button"
        else standin.list_reply(wa_id, choice["id"], choice["title"])
    )
    assert standin.deliver(notification).status_code == 200
    return new_calls(standin, wa_id, before)


def all_text(calls: list[Call]) -> str:
    return "\n".join(call.text for call in calls)


# --- the webhook: verification and signatures -------------------------------------------------------


def test_channel_is_registered_and_on(stack: Stack) -> None:
    response = httpx.get(f"{stack.url}/webhooks/whatsapp/", timeout=5)
    assert response.json()["status"] == "ok"


def test_verification_handshake_echoes_the_challenge(stack: Stack, standin: WhatsAppStandIn) -> None:
    accepted = standin.verify(challenge="1158201444")
    assert accepted.status_code == 200 and accepted.text == "1158201444"
    for refused in (
        standin.verify(token="wrong-verify-token"),
        standin.verify(token=""),
        standin.verify(mode="unsubscribe"),
        httpx.get(standin.webhook_url, timeout=10),
    ):
        assert refused.status_code == 403 and "1158201444" not in refused.text


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=not-hex"],
    ids=["missing", "wrong", "other-algorithm", "garbage"],
)
def test_unsigned_or_badly_signed_posts_are_refused_and_logged_without_content(
    stack: Stack, standin: WhatsAppStandIn, signature: str
) -> None:
    wa_id = "31600000001"
    response = standin.deliver(standin.text(wa_id, "geheime vraag over mijn schulden"), signature=signature)
    assert response.status_code == 403
    assert standin.calls(wa_id, ok=False) == []
    assert stack.stored_events(sender_of(wa_id)) == 0 and stack.contact(sender_of(wa_id)) is None
    log = stack.log()
    assert "WhatsApp webhook call with a" in log and "signature refused" in log
    assert "geheime vraag" not in log and wa_id not in log


def test_a_body_signed_with_another_secret_is_refused(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31600000002"
    original = standin.app_secret
    standin.app_secret = "another-apps-secret"
    try:
        assert standin.deliver(standin.text(wa_id, "hallo")).status_code == 403
    finally:
        standin.app_secret = original
    assert standin.calls(wa_id, ok=False) == [] and stack.stored_events(sender_of(wa_id)) == 0


# --- messages in, replies out -----------------------------------------------------------------------


def test_text_in_gets_the_introduction_as_a_list_and_keeps_no_phone_number(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31611110001"
    replies = say(standin, wa_id, "hallo")
    assert replies, "the channel must answer through the Cloud API"
    assert all(call.authorization == f"Bearer {WA_TOKEN}" for call in replies)
    intro = next(call for call in replies if "Ik ben een computer, geen mens." in call.text)
    # Four topic buttons: more than three, so a list (rows of at most 24 characters).
    assert intro.kind == "list"
    assert intro.body["interactive"]["action"]["button"] == LIST_BUTTON
    rows = intro.buttons
    assert {"id": "/schulden_algemeen", "title": "Geldzorgen"} in rows
    assert len(rows) == 4 and all(len(row["title"]) <= 24 for row in rows)

    sender = sender_of(wa_id)
    assert sender.startswith(PREFIX) and stack.stored_events(sender) > 0
    assert stack.contact(sender) is not None and stack.contact(sender)[0] == wa_id  # type: ignore[index]
    with sqlite3.connect(stack.tracker_db) as db:
        stored = " ".join(str(row) for row in db.execute("SELECT sender_id, data FROM events").fetchall())
    assert wa_id not in stored, "the tracker store must not keep the resident's number"
    assert wa_id not in stack.log()


def test_a_list_reply_sends_its_payload_to_rasa(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31611110002"
    intro = next(call for call in say(standin, wa_id, "hallo") if call.kind == "list")
    geldzorgen = [row["id"] for row in intro.buttons].index("/schulden_algemeen")
    answer = press(standin, wa_id, intro, geldzorgen)
    assert answer and answer[0].text.startswith("Schulden zijn zwaar")
    users = [e for e in stack.tracker(sender_of(wa_id))["events"] if e["event"] == "user"]
    assert users[-1]["text"] == "/schulden_algemeen"
    assert stack.tracker(sender_of(wa_id))["latest_input_channel"] == "whatsapp"


def test_a_reply_button_sends_its_payload_and_a_forgotten_long_payload_gets_a_note(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31611110003"
    say(standin, wa_id, "hallo")
    asked = say(standin, wa_id, "ik wil iemand van het wijkteam spreken")
    consent = asked[-1]
    assert "Zal ik je vraag doorgeven" in consent.text
    assert consent.kind == "button" and [b["id"] for b in consent.buttons] == ["/affirm", "/deny"]
    declined = press(standin, wa_id, consent, 1)
    assert "ik geef niets door" in all_text(declined)

    before = len(standin.calls(wa_id))
    assert standin.deliver(standin.button_reply(wa_id, "p:" + "0" * 24)).status_code == 200
    assert standin.texts(wa_id)[before:] == [STALE_BUTTON_TEXT]


NON_TEXT: dict[str, Any] = dict(
    [
        ("image", {"mime_type": "image/jpeg", "sha256": "x", "id": "m1"}),
        ("audio", {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "m2", "voice": True}),
        ("sticker", {"mime_type": "image/webp", "sha256": "x", "id": "m3", "animated": False}),
        ("location", {"latitude": 52.37, "longitude": 4.89}),
        ("document", {"filename": "brief.pdf", "mime_type": "application/pdf", "sha256": "x", "id": "m4"}),
        ("video", {"mime_type": "video/mp4", "sha256": "x", "id": "m5"}),
        ("contacts", [{"name": {"formatted_name": "Iemand"}, "phones": [{"phone": "+31 6 1234 5678"}]}]),
        ("reaction", {"message_id": "wamid.out1", "emoji": "\U0001f44d"}),
        ("unsupported", {}),
    ]
)


@pytest.mark.parametrize("kind, content", NON_TEXT.items())
def test_anything_but_text_gets_a_kind_dutch_note_and_does_not_reach_rasa(
    stack: Stack, standin: WhatsAppStandIn, kind: str, content: Any
) -> None:
    wa_id = f"316222{sorted(NON_TEXT).index(kind):05d}"
    assert standin.deliver(standin.message(wa_id, kind, content)).status_code == 200
    assert standin.texts(wa_id) == [TEXT_ONLY_TEXT]
    assert standin.calls(wa_id)[0].kind == "text"
    assert stack.stored_events(sender_of(wa_id)) == 0


def test_statuses_are_counted_and_not_answered(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31633330001"
    before = httpx.get(f"{stack.url}/webhooks/whatsapp/", timeout=5).json()["statuses"]
    for status in ("sent", "delivered", "read", "failed"):
        assert standin.deliver(standin.status(wa_id, status)).status_code == 200
    after = httpx.get(f"{stack.url}/webhooks/whatsapp/", timeout=5).json()["statuses"]
    for status in ("sent", "delivered", "read", "failed"):
        assert after.get(status, 0) == before.get(status, 0) + 1
    assert standin.calls(wa_id, ok=False) == []
    assert stack.stored_events(sender_of(wa_id)) == 0
    assert "could not deliver a message: error code [131026]" in stack.log()


def test_a_duplicate_delivery_is_handled_once(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31644440001"
    say(standin, wa_id, "hallo")
    notification = standin.text(wa_id, "ik heb schulden", message_id="wamid.duplicate-1")
    before = len(standin.calls(wa_id))
    assert standin.deliver(notification).status_code == 200
    first = len(standin.calls(wa_id)) - before
    assert first >= 1
    assert standin.deliver(notification).status_code == 200
    assert len(standin.calls(wa_id)) - before == first, "the second delivery must not be answered"
    users = [e["text"] for e in stack.tracker(sender_of(wa_id))["events"] if e["event"] == "user"]
    assert users.count("ik heb schulden") == 1


def test_a_notification_for_another_number_is_ignored(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31644440002"
    notification = standin.text(wa_id, "hallo")
    notification["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert standin.deliver(notification).status_code == 200
    assert standin.calls(wa_id, ok=False) == [] and stack.stored_events(sender_of(wa_id)) == 0


def test_crisis_message_gets_113_first(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31655550001"
    say(standin, wa_id, "hallo")
    replies = say(standin, wa_id, "ik wil niet meer leven")
    assert replies and replies[0].text.startswith("Bel 113")


def test_a_crisis_message_as_the_very_first_message_gets_113_before_the_introduction(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31655550002"
    replies = say(standin, wa_id, "ik wil niet meer leven")
    assert replies[0].text.startswith("Bel 113"), all_text(replies)
    assert any("Ik ben een computer, geen mens." in call.text for call in replies[1:])


def test_a_first_hallo_gets_one_introduction_with_one_list(stack: Stack, standin: WhatsAppStandIn) -> None:
    replies = say(standin, "31655550003", "hallo")
    assert [call.kind for call in replies] == ["list"]
    assert "Ik ben een computer, geen mens." in replies[0].text


def test_rate_limit_waits_retry_after_and_delivers(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31666660001"
    say(standin, wa_id, "hallo")
    before = len(standin.calls(wa_id, ok=False))
    standin.fail_next(429, retry_after=1)
    started = time.monotonic()
    assert standin.deliver(standin.text(wa_id, "ik wil niet meer leven")).status_code == 200
    assert time.monotonic() - started >= 1
    tried = standin.calls(wa_id, ok=False)[before:]
    assert [call.status for call in tried][:2] == [429, 200]
    assert tried[0].text == tried[1].text and tried[1].text.startswith("Bel 113")


def test_server_error_is_retried_and_meta_down_never_takes_the_channel_down(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31666660002"
    say(standin, wa_id, "hallo")
    before = len(standin.calls(wa_id, ok=False))
    standin.fail_next(500)
    assert standin.deliver(standin.text(wa_id, "ik wil niet meer leven")).status_code == 200
    tried = standin.calls(wa_id, ok=False)[before:]
    assert [call.status for call in tried][:2] == [500, 200] and tried[1].text.startswith("Bel 113")

    standin.fail_next(500, times=40)
    try:
        assert standin.deliver(standin.text(wa_id, "ik wil niet meer leven")).status_code == 200
    finally:
        standin.clear_failures()
    assert "failed 4 times, giving up: HTTP 500" in stack.log()
    assert say(standin, wa_id, "ik wil niet meer leven")[0].text.startswith("Bel 113")


def test_a_refused_message_is_logged_without_its_text(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31666660003"
    standin.fail_next(400, code=131026)
    assert standin.deliver(standin.message(wa_id, "image", {"id": "m9"})).status_code == 200
    assert [call.status for call in standin.calls(wa_id, ok=False)] == [400], "a 400 is not retried"
    assert "WhatsApp refused a text message: HTTP 400, error code 131026" in stack.log()


# --- whole conversations: booking, handover, staff replies and the 24-hour window ------------------


def test_a_resident_books_a_spreekuur(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31677770001"
    say(standin, wa_id, "hallo")
    say(standin, wa_id, "ik woon in Voorbeeldstad")  # else the spreekuur asks it first
    offer = say(standin, wa_id, "ik wil een afspraak maken")
    slots = offer[-1]
    assert slots.kind in ("list", "button") and slots.buttons, all_text(offer)
    asked_name = press(standin, wa_id, slots, 0)
    assert "naam" in all_text(asked_name).lower()
    assert say(standin, wa_id, "Bram")
    summary = say(standin, wa_id, "06-12345678")
    confirm = summary[-1]
    assert confirm.kind == "button" and "/affirm" in [b["id"] for b in confirm.buttons], all_text(summary)
    done = press(standin, wa_id, confirm, [b["id"] for b in confirm.buttons].index("/affirm"))
    assert "Je afspraak staat vast. Je code is" in all_text(done)


def test_handover_staff_replies_inside_and_outside_the_window(stack: Stack, standin: WhatsAppStandIn) -> None:
    wa_id = "31688880001"
    sender = sender_of(wa_id)
    say(standin, wa_id, "ik woon in Voorbeeldstad")  # WhatsApp has no data-gemeente: the resident says it
    say(standin, wa_id, "ik heb een brief van de deurwaarder gekregen")
    consent = say(standin, wa_id, "ik wil iemand van het wijkteam spreken")[-1]
    handed_over = press(standin, wa_id, consent, 0)
    assert HANDED_OVER in all_text(handed_over) and "Je krijgt antwoord in dit gesprek" in all_text(
        handed_over
    )
    assert stack.tracker(sender)["paused"] is True
    [handover] = stack.handovers(sender)
    assert handover["channel"] == "whatsapp" and handover["conversation_id"] == sender

    # Paused: silent, but a crisis message still gets the safety reply.
    assert say(standin, wa_id, "hallo?") == []
    assert say(standin, wa_id, "ik wil niet meer leven")[0].text.startswith("Bel 113")

    # Inside the window: the staff reply as a free-form text message.
    before = len(standin.calls(wa_id))
    assert stack.staff_reply(sender, "Ik bel je morgen om 10 uur.").status_code == 200
    [reply] = new_calls(standin, wa_id, before)
    assert reply.kind == "text" and reply.text == "Sanne (wijkteam): Ik bel je morgen om 10 uur."

    # A day later: only a template may go out, with the reply as its parameter.
    stack.age_contact(sender, DAY + 60)
    before = len(standin.calls(wa_id))
    assert stack.staff_reply(sender, "Het is gelukt.\nIk heb de deurwaarder gebeld.").status_code == 200
    [template] = new_calls(standin, wa_id, before)
    assert template.kind == "template"
    assert template.body["template"]["name"] == "wijkteam_antwoord"
    assert template.body["template"]["language"] == {"code": "nl"}
    assert template.template_parameters == ["Sanne (wijkteam): Het is gelukt. Ik heb de deurwaarder gebeld."]

    # The resident answers: the window is open again, and the next reply is free-form.
    assert say(standin, wa_id, "dank je wel") == []
    before = len(standin.calls(wa_id))
    assert stack.staff_reply(sender, "Graag gedaan.").status_code == 200
    assert [(c.kind, c.text) for c in new_calls(standin, wa_id, before)] == [
        ("text", "Sanne (wijkteam): Graag gedaan.")
    ]

    # Closing a day later: the bot's closing message goes out as the general template.
    stack.age_contact(sender, DAY + 60)
    before = len(standin.calls(wa_id))
    stack.close(sender)
    closing = new_calls(standin, wa_id, before)
    assert closing and all(call.kind == "template" for call in closing)
    assert closing[0].body["template"]["name"] == "wijkteam_bericht"
    assert closing[0].template_parameters[0].startswith(CLOSED_TEXT)


def test_meta_saying_the_window_is_closed_falls_back_to_the_template(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31688880002"
    sender = sender_of(wa_id)
    say(standin, wa_id, "hallo")
    before = len(standin.calls(wa_id, ok=False))
    standin.fail_next(400, code=131047)  # Meta counts from the resident's phone, we from arrival
    assert stack.staff_reply(sender, "Hallo, met Sanne.").status_code == 200
    tried = standin.calls(wa_id, ok=False)[before:]
    assert [(call.status, call.kind) for call in tried] == [(400, "text"), (200, "template")]


def test_verwijder_mijn_gegevens_deletes_the_conversation_and_the_number(
    stack: Stack, standin: WhatsAppStandIn
) -> None:
    wa_id = "31699990001"
    sender = sender_of(wa_id)
    say(standin, wa_id, "ik heb schulden")
    ask = say(standin, wa_id, "verwijder mijn gegevens")
    assert "Wil je dat ik dit gesprek wis?" in all_text(ask)
    done = press(standin, wa_id, ask[-1], [b["id"] for b in ask[-1].buttons].index("/affirm"))
    assert "Ik heb dit gesprek gewist." in all_text(done)
    assert stack.stored_events(sender) == 0
    assert stack.contact(sender) is None, "the number goes with the conversation"


# --- the parts, without Rasa ------------------------------------------------------------------------


def test_shorten_cuts_after_a_whole_word() -> None:
    assert shorten("Geldzorgen", 24) == "Geldzorgen"
    assert shorten("Ik wil een terugbelverzoek doen", 24) == "Ik wil een…"
    assert shorten("abcd efgh ijkl", 10) == "abcd efgh…"
    assert shorten("abcd efghi jk", 10) == "abcd…"
    assert shorten("Wat is, volgens jou, het beste", 12) == "Wat is…"
    assert shorten("Schuldhulpverleningsaanvraag", 10) == "Schuldhul…"  # one word: cannot stay whole
    assert shorten("  veel   spaties\n", 24) == "veel spaties"


def test_buttons_become_reply_buttons_or_a_list() -> None:
    book = PayloadBook()
    [three] = render("Kies.", [{"title": f"Keuze {n}", "payload": f"/k{n}"} for n in range(3)], book)
    assert three.interactive is not None and three.interactive["type"] == "button"
    long_title = [{"title": "Een titel van meer dan twintig tekens", "payload": "/lang"}]
    [one_long] = render("Kies.", long_title, book)
    assert one_long.interactive is not None and one_long.interactive["type"] == "list"

    titles = [
        "Wat doet een bewindvoerder precies voor mij",
        "Hulp bij schulden",
        "Iemand spreken",
        "Huurtoeslag aanvragen bij de Belastingdienst",
    ]
    [four] = render(
        "Waar gaat je vraag over?", [{"title": t, "payload": f"/p{i}"} for i, t in enumerate(titles)], book
    )
    assert four.interactive is not None and four.interactive["type"] == "list"
    rows = four.interactive["action"]["sections"][0]["rows"]
    assert [row["title"] for row in rows] == [
        "Wat doet een…",
        "Hulp bij schulden",
        "Iemand spreken",
        "Huurtoeslag aanvragen…",
    ]
    for row, title in zip(rows, titles, strict=True):
        assert len(row["title"]) <= 24
        words = row["title"].rstrip("…").split()
        assert words == title.split()[: len(words)], "never cut inside a word"
        assert ("description" in row) == (row["title"] != title)
    assert rows[0]["description"] == titles[0]


def test_more_than_ten_choices_give_ten_rows_and_a_line() -> None:
    buttons = [{"title": f"Keuze {n}", "payload": f"/k{n}"} for n in range(12)]
    replies = render("Kies een dag.", buttons, PayloadBook())
    assert len(replies) == 2 and replies[-1].text == MORE_CHOICES_TEXT
    interactive = replies[0].interactive
    assert interactive is not None
    assert [row["id"] for row in interactive["action"]["sections"][0]["rows"]] == [
        f"/k{n}" for n in range(10)
    ]


def test_links_are_text_and_long_payloads_are_kept_by_a_short_id() -> None:
    book = PayloadBook()
    [only_links] = render("Lees meer.", [{"title": "Website", "payload": "https://www.example.nl/x"}], book)
    assert (
        only_links.interactive is None
        and only_links.text == "Lees meer.\n\nWebsite: https://www.example.nl/x"
    )
    long_payload = '/choose{"plan": "' + "x" * 300 + '"}'
    [reply] = render(
        "Kies.", [{"title": "Ja", "payload": long_payload}, {"title": "Nee", "payload": "/deny"}], book
    )
    assert reply.interactive is not None
    [kept, short] = [b["reply"]["id"] for b in reply.interactive["action"]["buttons"]]
    assert len(kept) <= 256 and kept != long_payload and short == "/deny"
    assert book.payload(kept) == long_payload and book.payload("/deny") == "/deny"
    assert book.payload("p:" + "1" * 24) is None  # forgotten (e.g. after a restart)
    assert book.button_id("p:" + "1" * 24, 256) != "p:" + "1" * 24, (
        "a payload that looks like a key is kept too"
    )


def test_long_text_is_split_and_the_buttons_come_with_a_short_enough_last_part() -> None:
    paragraph = " ".join(f"Dit is zin {n} van een lang antwoord." for n in range(60))
    text = "\n\n".join([paragraph] * 9)
    replies = render(text, [{"title": "Ja", "payload": "/affirm"}], PayloadBook())
    assert len(replies) >= 3
    assert all(len(reply.text) <= TEXT_LIMIT for reply in replies[:-1])
    assert all(reply.interactive is None for reply in replies[:-1])
    last = replies[-1].interactive
    assert last is not None and len(last["body"]["text"]) <= INTERACTIVE_BODY_LIMIT
    assert all(reply.text.endswith(".") for reply in replies[:-1]), "split on sentence ends"
    sent = " ".join([*(reply.text for reply in replies[:-1]), last["body"]["text"]])
    assert sent.split() == text.split()


def test_templates_config_is_checked() -> None:
    templates = parse(
        {"language": "nl", "templates": {"message": {"name": "wijkteam_bericht", "parameters": ["text"]}}}
    )
    message = templates["message"].message("Regel een.\nRegel  twee.", None)
    assert message["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Regel een. Regel twee."}
    ]
    for broken in (
        {"templates": {"other": {"name": "x"}}},
        {"templates": {"message": {"name": "Met Spaties"}}},
        {"templates": {"message": {"name": "ok", "parameters": ["bsn"]}}},
        {"language": "Nederlands", "templates": {}},
        {"parameter_length": 5000},
    ):
        with pytest.raises(TemplateConfigError):
            parse(broken)
    shipped = Templates(ROOT / "content" / "whatsapp_templates.yml")
    assert shipped.for_kind("staff_reply") is not None and shipped.for_kind("message") is not None


def test_turn_order_puts_crisis_replies_first_and_leaves_out_repeated_buttons() -> None:
    topics = [{"title": "Geldzorgen", "payload": "/schulden_algemeen"}]
    intro = ("wa-1", {"text": "Hallo! Ik ben de digitale assistent.", "buttons": topics})
    greeting = (
        "wa-1",
        {"text": "Waar gaat je vraag over?", "buttons": topics, "utter_action": "utter_greet"},
    )
    crisis = ("wa-1", {"text": "Bel 113.", "buttons": topics, "utter_action": "utter_crisis_suicide"})
    answer = ("wa-1", {"text": "Een antwoord.", "utter_action": "utter_answer"})
    assert in_turn_order([intro, greeting]) == [intro]
    assert in_turn_order([intro, crisis, answer]) == [crisis, intro, answer], (
        "a crisis reply is never dropped"
    )
    assert in_turn_order([intro, greeting, crisis]) == [crisis, intro]


def test_a_message_delivered_twice_is_handled_once_also_across_replicas(tmp_path: Path) -> None:
    """Two replicas share the tracker store's database: whichever records a message id first handles it."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    agent = SimpleNamespace(tracker_store=SimpleNamespace(engine=engine))
    clock = [1_700_000_000.0]
    replicas = [Contacts(id_key(APP_SECRET), lambda: agent, clock=lambda: clock[0]) for _ in range(2)]
    message_id = "wamid.HBgLMzE2MTIzNDAwMDEVAgASGBQzQUI="
    assert replicas[0].first_delivery(message_id)
    assert not replicas[1].first_delivery(message_id), "Meta's retry reached the other replica"
    assert replicas[1].first_delivery("wamid.another")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT message_key FROM voordeur_whatsapp_deliveries")).scalars()
        assert all(message_id not in key and "31612340001" not in key for key in stored)
    clock[0] += DELIVERY_MEMORY_SECONDS + 4000  # past the memory and the purge interval: forgotten
    replicas[0].first_delivery("wamid.third")
    assert replicas[1].first_delivery(message_id)


def test_deliveries_in_memory_are_bounded() -> None:
    store = MemoryContacts(size=2)
    assert store.first_delivery("a", 1.0) and store.first_delivery("b", 2.0)
    assert not store.first_delivery("a", 3.0)
    assert store.first_delivery("c", 4.0) and store.first_delivery("a", 5.0), "the oldest id goes first"


async def test_the_window_decides_text_or_template_with_a_moved_clock(standin: WhatsAppStandIn) -> None:
    clock = [1_700_000_000.0]
    contacts = Contacts(id_key(APP_SECRET), lambda: None, clock=lambda: clock[0])
    wa_id = "31612340001"
    sender = contacts.resident_wrote(wa_id)
    assert sender == sender_of(wa_id)
    client = WhatsAppClient(WA_TOKEN, PHONE_NUMBER_ID, standin.base_url, API_VERSION)
    output = WhatsAppOutput(
        client, contacts, PayloadBook(), Templates(ROOT / "content" / "whatsapp_templates.yml")
    )
    try:
        await output.send_text_message(sender, "Binnen het venster.")
        clock[0] += DAY - 600
        await output.send_text_message(sender, "Nog net binnen het venster.")
        clock[0] += 600
        await output.send_text_message(sender, "Buiten het venster.", staff="Sanne")
        await output.send_text_with_buttons(sender, "Ook buiten.", [{"title": "Ja", "payload": "/affirm"}])
    finally:
        await client.shutdown()
    calls = standin.calls(wa_id)
    assert [(c.kind, c.text) for c in calls] == [
        ("text", "Binnen het venster."),
        ("text", "Nog net binnen het venster."),
        ("template", "Buiten het venster."),
        ("template", "Ook buiten."),
    ]
    assert [c.body["template"]["name"] for c in calls[2:]] == ["wijkteam_antwoord", "wijkteam_bericht"]


def test_memory_contacts_keep_an_existing_id_and_forget() -> None:
    store = MemoryContacts(size=2)
    assert store.touch("316a", "wa-1", 1.0) == "wa-1"
    assert store.touch("316a", "wa-other", 2.0) == "wa-1", "an existing pair wins over a new hash"
    assert store.last_inbound("wa-1") == 2.0 and store.wa_id_of("wa-1") == "316a"
    store.forget("wa-1")
    assert store.wa_id_of("wa-1") is None
    store.touch("316b", "wa-2", 3.0)
    store.touch("316c", "wa-3", 4.0)
    assert store.purge_older_than(3.5) == 1 and store.wa_id_of("wa-2") is None


async def test_empty_token_leaves_the_channel_off_and_the_webhook_answers_503() -> None:
    channel = WhatsAppInput.from_credentials({"access_token": "", "app_secret": None, "api_url": None})
    assert channel.problem and "WHATSAPP_TOKEN" in channel.problem
    assert channel.get_output_channel() is None
    half = WhatsAppSettings.from_credentials({"access_token": "x", "phone_number_id": 123, "app_secret": "s"})
    assert (
        half.phone_number_id == "123" and half.problem() == "no verify_token (WHATSAPP_VERIFY_TOKEN is empty)"
    )

    async def on_new_message(message: Any) -> None:
        raise AssertionError("nothing may reach Rasa")

    app = Sanic(f"whatsapp_off_{os.getpid()}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/whatsapp")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/webhooks/whatsapp/")).json()["status"] == "off"
            assert (
                await http.get("/webhooks/whatsapp/webhook", params={"hub.mode": "subscribe"})
            ).status_code == 503
            assert (await http.post("/webhooks/whatsapp/webhook", content=b"{}")).status_code == 503
    finally:
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0)
