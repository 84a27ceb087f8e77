"""Booking reminder actions with CollectingDispatcher against a real case backend (issue 24): the
reminder's text and buttons, Ik kom / Afzeggen / Verzetten, and the widget's "Zet in je agenda" link."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient
from actions.reminders import ActionBookingReminder, ActionReminderAnswer, answer_buttons
from actions.spreekuur import ActionSubmitSpreekuur
from bot.assistant.channels.telegram import CALLBACK_DATA_LIMIT
from tests.rasa.booking_backend import TOKEN, running_backend, use_backend
from tests.rasa.trackers import make_tracker

HOME = "voorbeeldstad"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_backend(tmp_path_factory.mktemp("backend")) as url:
        yield url


@pytest.fixture
def up(backend: str, monkeypatch: pytest.MonkeyPatch) -> str:
    use_backend(monkeypatch, backend)
    return backend


def lookup(url: str, code: str) -> dict[str, Any]:
    body = {"code": code, "verification": "5678", "client": f"check-{uuid.uuid4()}"}
    response = httpx.post(
        f"{url}/api/bookings/lookup", headers={"Authorization": f"Bearer {TOKEN}"}, json=body
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["booking"])


async def book(url: str, sender: str, index: int = 0) -> dict[str, Any]:
    client = BackendClient(url, TOKEN)
    slot = (await client.free_slots("schulden", municipality=HOME))[index]
    return await client.book_slot(slot["id"], "Anna", phone="0612345678", conversation_id=sender)


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher.messages, events


def pressed(intent: str, code: str, sender: str) -> Tracker:
    return make_tracker(intent=intent, entities=[{"entity": "booking_code", "value": code}], sender_id=sender,
                        slots={"gemeente": HOME})  # fmt: skip


def test_the_buttons_fit_telegram_s_callback_data() -> None:
    buttons = answer_buttons("VD-7K3P-X9QA")
    assert [button["title"] for button in buttons] == ["Ik kom", "Afzeggen", "Verzetten"]
    assert buttons[1]["payload"] == '/reminder_afzeggen{"booking_code":"VD-7K3P-X9QA"}'
    assert all(len(button["payload"].encode()) <= CALLBACK_DATA_LIMIT for button in buttons)


async def test_the_reminder_says_when_and_where_with_three_buttons(up: str) -> None:
    sender = f"tg-{uuid.uuid4().hex[:8]}"
    booking = await book(up, sender)
    trigger = make_tracker(intent="EXTERNAL_booking_reminder", sender_id=sender,
                           entities=[{"entity": "booking_code", "value": booking["code"]},
                                     {"entity": "scheduled_message_id", "value": "7"}])  # fmt: skip
    messages, events = await run(ActionBookingReminder(), trigger)
    (message,) = messages
    assert message["response"] == "utter_booking_reminder"
    assert message["code"] == booking["code"] and message["address"] == booking["slot"]["location"]["address"]
    assert message["when"].endswith(f"om {booking['slot']['start_time']} tot {booking['slot']['end_time']}")
    assert message["buttons"] == answer_buttons(booking["code"])
    assert events == [SlotSet("reminder_code", booking["code"])]
    # Another conversation gets nothing of the booking: no message at all.
    stranger = make_tracker(intent="EXTERNAL_booking_reminder", sender_id="someone-else",
                            entities=[{"entity": "booking_code", "value": booking["code"]}])  # fmt: skip
    assert await run(ActionBookingReminder(), stranger) == ([], [])


async def test_ik_kom_and_ja_after_the_reminder_confirm(up: str) -> None:
    sender = f"tg-{uuid.uuid4().hex[:8]}"
    booking = await book(up, sender)
    messages, events = await run(ActionReminderAnswer(), pressed("reminder_komt", booking["code"], sender))
    assert [m["response"] for m in messages] == ["utter_reminder_coming"] and events == []
    typed = make_tracker(intent="affirm", text="ja hoor", sender_id=sender,
                         slots={"reminder_code": booking["code"]})  # fmt: skip
    messages, _ = await run(ActionReminderAnswer(), typed)
    assert [m["response"] for m in messages] == ["utter_reminder_coming"]
    assert lookup(up, booking["code"])["status"] == "bevestigd"


async def test_afzeggen_frees_the_place(up: str) -> None:
    sender = f"tg-{uuid.uuid4().hex[:8]}"
    booking = await book(up, sender)
    free_before = booking["slot"]["free"]
    messages, events = await run(
        ActionReminderAnswer(), pressed("reminder_afzeggen", booking["code"], sender)
    )
    assert [m["response"] for m in messages] == ["utter_booking_cancelled"]
    assert messages[0]["code"] == booking["code"] and SlotSet("reminder_code", None) in events
    assert lookup(up, booking["code"])["status"] == "geannuleerd"
    slots = await BackendClient(up, TOKEN).free_slots("schulden", municipality=HOME, limit=50)
    assert [slot["free"] for slot in slots if slot["id"] == booking["slot"]["id"]] == [free_before + 1]
    # Pressed again (an old message): the backend's reason, nothing changes.
    messages, _ = await run(ActionReminderAnswer(), pressed("reminder_afzeggen", booking["code"], sender))
    assert messages[0]["response"] == "utter_backend_refused" and "geannuleerd" in messages[0]["reason"]


async def test_a_button_from_another_conversation_changes_nothing(up: str) -> None:
    booking = await book(up, f"tg-{uuid.uuid4().hex[:8]}")
    messages, _ = await run(
        ActionReminderAnswer(), pressed("reminder_afzeggen", booking["code"], "other-chat")
    )
    assert messages[0]["response"] == "utter_backend_refused"
    assert lookup(up, booking["code"])["status"] == "bevestigd"


async def test_verzetten_starts_the_move_with_the_backend_s_ticket(up: str) -> None:
    sender = f"tg-{uuid.uuid4().hex[:8]}"
    booking = await book(up, sender)
    typed = make_tracker(intent="cancel_booking", text="ik wil hem verzetten", sender_id=sender,
                         slots={"reminder_code": booking["code"]})  # fmt: skip
    messages, events = await run(ActionReminderAnswer(), typed)
    assert messages == [] and events[-1] == FollowupAction("spreekuur_form")
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots["move_code"] == booking["code"] and len(slots["move_ticket"]) >= 40
    assert slots["topic"] == "schulden" and slots["gemeente"] == HOME
    other = [s for s in await BackendClient(up, TOKEN).free_slots("schulden", municipality=HOME)
             if s["id"] != booking["slot"]["id"]][0]  # fmt: skip
    confirmed = make_tracker(sender_id=sender, slots={**slots, "spreekuur_slot": str(other["id"]),
                                                      "spreekuur_confirmed": True})  # fmt: skip
    messages, _ = await run(ActionSubmitSpreekuur(), confirmed)
    assert messages[0]["response"] == "utter_booking_moved"
    assert lookup(up, booking["code"])["slot"]["id"] == other["id"]


def socketio_tracker(slots: dict[str, Any], sender: str) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots,
            "latest_message": {"text": "ja", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
            "events": [{"event": "user", "text": "ja", "input_channel": "socketio", "parse_data": {}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


async def test_the_website_confirmation_links_the_calendar_file(up: str) -> None:
    sender = uuid.uuid4().hex
    slot = (await BackendClient(up, TOKEN).free_slots("schulden", municipality=HOME))[0]
    slots = {
        "gemeente": HOME,
        "topic": "schulden",
        "spreekuur_slot": str(slot["id"]),
        "spreekuur_confirmed": True,
        "spreekuur_first_name": "Anna",
        "spreekuur_contact": "06-12345678",
    }
    messages, _ = await run(ActionSubmitSpreekuur(), socketio_tracker(slots, sender))
    assert messages[0]["response"] == "utter_booking_done"
    ((button),) = messages[0]["buttons"]
    assert button["title"] == "Zet in je agenda"
    path = urlparse(button["payload"]).path
    assert path.startswith("/calendar/") and path.endswith(".ics")
    calendar = httpx.get(f"{up}{path}")
    assert calendar.status_code == 200 and messages[0]["code"] in calendar.text
    assert "TZID=Europe/Amsterdam" in calendar.text
    # On Telegram the confirmation has no link (the resident gets a reminder in the chat instead).
    telegram = make_tracker(slots={**slots, "spreekuur_slot": str(slot["id"])}, sender_id="42")
    messages, _ = await run(ActionSubmitSpreekuur(), telegram)
    assert messages[0]["response"] == "utter_booking_done" and not messages[0]["buttons"]
