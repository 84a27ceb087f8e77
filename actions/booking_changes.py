"""Cancel or move a spreekuur booking by its code; the code is checked with the backend first."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.form_base import CHANGE_SLOTS, BookingFormValidation, say
from actions.spreekuur import slot_button_text
from bot.settings import RasaSideSettings

_CANCEL = re.compile(r"afzeg|af te zeggen|annuleer|annuleren|niet komen|cancel|weg(halen)?\b|afmelden")
_MOVE = re.compile(r"verzet|verplaats|ander(e)? (tijd|dag|moment)|later|eerder|omzetten|wijzig")


def read_change_choice(text: str) -> str | None:
    lowered = text.lower()
    if _MOVE.search(lowered):
        return "verzetten"
    if _CANCEL.search(lowered):
        return "afzeggen"
    return None


class ValidateBookingChangeForm(BookingFormValidation):
    def name(self) -> str:
        return "validate_booking_change_form"

    async def validate_change_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        match = re.search(r"(?:vd[\s-]?)?([a-z0-9]{4})\b", text.lower())
        if not match:
            return self.refuse(dispatcher, tracker, "change_code", "utter_code_unknown")
        try:
            booking = await self.client().get_booking(text if len(text) <= 12 else match[0])
        except BackendUnavailable:
            return self.refuse(dispatcher, tracker, "change_code", "utter_backend_down")
        except BackendRejected:
            return self.refuse(dispatcher, tracker, "change_code", "utter_code_unknown")
        if booking["status"] != "bevestigd":
            return self.refuse(dispatcher, tracker, "change_code", "utter_code_cancelled")
        slot = booking["slot"]
        return {
            "change_code": booking["code"],
            "topic": booking["topic"],
            "change_label": f"{slot_button_text(slot)}, {slot['location']['name']}",
        }

    async def validate_change_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        choice = read_change_choice(str(value or ""))
        if choice is None:
            return self.refuse(dispatcher, tracker, "change_choice", "utter_invalid_change_choice")
        return {"change_choice": choice}


class ActionSubmitBookingChange(Action):
    """Cancels the booking, or starts the spreekuur form to pick the new time of a move."""

    def name(self) -> str:
        return "action_submit_booking_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = RasaSideSettings.from_env()
        reset = [SlotSet(slot, None) for slot in CHANGE_SLOTS]
        code = tracker.get_slot("change_code")
        choice = tracker.get_slot("change_choice")
        if not code or not choice:
            return reset
        if choice == "verzetten":
            return [*reset, SlotSet("move_code", code), FollowupAction("spreekuur_form")]
        try:
            await BackendClient.from_settings(settings).cancel_booking(code)
        except BackendUnavailable:
            say(dispatcher, "utter_backend_down", settings)
            return reset
        except BackendRejected as refusal:
            say(dispatcher, "utter_backend_refused", settings, reason=refusal.message)
            return reset
        say(dispatcher, "utter_booking_cancelled", settings, code=code)
        return reset
