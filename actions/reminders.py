"""Booking reminders in the conversation (issue 24, docs/reminders.md).

The backend's worker sends a reminder by Rasa's `trigger_intent` (`EXTERNAL_booking_reminder` with the
booking code): `action_booking_reminder` asks the backend for the booking (only this conversation's or a
linked one's) and shows when and where, with the buttons Ik kom / Afzeggen / Verzetten. A button's
payload is `/reminder_komt{"booking_code":"VD-..."}` (within Telegram's 64 bytes, so it works after a
restart and on any replica). `action_reminder_answer` passes the answer to the backend: "Afzeggen"
frees the place, "Verzetten" starts the spreekuur form's move with the backend's change ticket. The
conversation that booked is the second factor: no code check with phone digits is needed here.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.booking_changes import read_change_choice
from actions.form_base import say
from actions.spreekuur import BRING, slot_button_text
from bot.assistant.municipality import is_slug
from bot.assistant.settings import rasa_side_settings
from bot.shared.booking_codes import find_code

REMINDER_CODE_SLOT = "reminder_code"
#: The answer each button's intent stands for.
ANSWER_INTENTS = {"reminder_komt": "komt", "reminder_afzeggen": "afzeggen", "reminder_verzetten": "verzetten"}
BUTTON_TITLES = (
    ("reminder_komt", "Ik kom"),
    ("reminder_afzeggen", "Afzeggen"),
    ("reminder_verzetten", "Verzetten"),
)


def answer_buttons(code: str) -> list[dict[str, str]]:
    """Ik kom / Afzeggen / Verzetten for one booking."""
    entity = json.dumps({"booking_code": code}, separators=(",", ":"))
    return [{"title": title, "payload": f"/{intent}{entity}"} for intent, title in BUTTON_TITLES]


def booking_code_of(tracker: Tracker) -> str | None:
    """The code from the button's (or the trigger's) entity, else the last reminder's code."""
    for value in (
        next(tracker.get_latest_entity_values("booking_code"), None),
        tracker.get_slot(REMINDER_CODE_SLOT),
    ):
        code = find_code(str(value or ""))
        if code:
            return code
    return None


def answer_of(tracker: Tracker) -> str | None:
    """What the resident answered: a button, "ja" (= Ik kom), or a typed cancel or move."""
    intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    if intent in ANSWER_INTENTS:
        return ANSWER_INTENTS[intent]
    if intent == "affirm":
        return "komt"
    return read_change_choice(str(tracker.latest_message.get("text") or ""))


class ActionBookingReminder(Action):
    """Sends the reminder the backend triggered (`EXTERNAL_booking_reminder`)."""

    def name(self) -> str:
        return "action_booking_reminder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = rasa_side_settings()
        code = booking_code_of(tracker)
        if code is None:
            return []
        try:
            booking = await BackendClient.from_settings(settings).reminder_booking(code, tracker.sender_id)
        except BackendRejected:
            return []  # not this conversation's booking (or gone): nothing to remind of
        except BackendUnavailable:
            say(dispatcher, "utter_booking_reminder_short", settings, tracker, code=code)
            dispatcher.utter_message(response="utter_reminder_question", buttons=answer_buttons(code))
            return [SlotSet(REMINDER_CODE_SLOT, code)]
        if booking.get("status") != "bevestigd":
            return []
        slot = booking["slot"]
        say(
            dispatcher,
            "utter_booking_reminder",
            settings,
            tracker,
            code=booking["code"],
            when=f"{slot_button_text(slot)} tot {slot['end_time']}",
            location=slot["location"]["name"],
            address=slot["location"]["address"],
            bring=BRING.get(booking["topic"], BRING["algemeen"]),
            buttons=answer_buttons(booking["code"]),
        )
        return [SlotSet(REMINDER_CODE_SLOT, booking["code"])]


class ActionReminderAnswer(Action):
    """Ik kom / Afzeggen / Verzetten under a reminder (or "ja", or a typed cancel right after it)."""

    def name(self) -> str:
        return "action_reminder_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = rasa_side_settings()
        code = booking_code_of(tracker)
        answer = answer_of(tracker)
        if code is None:
            say(dispatcher, "utter_reminder_unknown", settings, tracker)
            return []
        if answer is None:
            dispatcher.utter_message(response="utter_reminder_question", buttons=answer_buttons(code))
            return []
        try:
            result = await BackendClient.from_settings(settings).answer_reminder(
                code, tracker.sender_id, answer
            )
        except BackendUnavailable:
            say(dispatcher, "utter_backend_down", settings, tracker)
            return []
        except BackendRejected as refusal:
            say(dispatcher, "utter_backend_refused", settings, tracker, reason=refusal.message)
            return []
        booking = result["booking"]
        if answer == "komt":
            say(dispatcher, "utter_reminder_coming", settings, tracker,
                bring=BRING.get(booking["topic"], BRING["algemeen"]))  # fmt: skip
            return []
        if answer == "afzeggen":
            say(dispatcher, "utter_booking_cancelled", settings, tracker, code=booking["code"])
            return [SlotSet(REMINDER_CODE_SLOT, None)]
        return self.start_move(booking, str(result.get("ticket") or ""))

    @staticmethod
    def start_move(booking: dict[str, Any], ticket: str) -> list[EventType]:
        """The spreekuur form in its move mode: only the new time and a confirmation are asked."""
        events: list[EventType] = [
            SlotSet("move_code", booking["code"]),
            SlotSet("move_ticket", ticket),
            SlotSet("topic", booking["topic"]),
        ]
        municipality = booking.get("municipality")
        if is_slug(municipality):
            events.append(SlotSet("gemeente", municipality))
        return [*events, FollowupAction("spreekuur_form")]
