"""Cancel or move a spreekuur booking by its code and a second factor, both checked by the backend."""

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
from bot.assistant.municipality import is_slug
from bot.assistant.settings import rasa_side_settings
from bot.shared.booking_codes import find_code

#: What the verification slot holds once the backend accepted the factor (never the factor itself).
CHECKED = "gecontroleerd"
#: The change choice that ends the form after too many failed lookups.
BLOCKED = "geblokkeerd"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.IGNORECASE)
_CANCEL = re.compile(r"afzeg|af te zeggen|annuleer|annuleren|niet komen|cancel|weg(halen)?\b|afmelden")
_MOVE = re.compile(r"verzet|verplaats|ander(e)? (tijd|dag|moment)|later|eerder|omzetten|wijzig")


def read_verification(text: str) -> str | None:
    """The second factor in a message: an e-mail address, or 4 or more digits (the last 4 count)."""
    mail = _EMAIL.search(text)
    if mail:
        return mail[0].strip(".,;:!?")
    digits = re.sub(r"\D", "", text)
    return digits[-4:] if len(digits) >= 4 else None


def read_change_choice(text: str) -> str | None:
    lowered = text.lower()
    if _MOVE.search(lowered):
        return "verzetten"
    if _CANCEL.search(lowered):
        return "afzeggen"
    return None


class ValidateBookingChangeForm(BookingFormValidation):
    """Code, then the second factor (checked by the backend), then cancel or move.

    The booking is shown only after the backend accepted the code and the factor together; it keeps
    only a change ticket in the conversation, never the digits or the e-mail address (issue 20).
    """

    def name(self) -> str:
        return "validate_booking_change_form"

    async def extract_change_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The code in the message that starts the form ("afzeggen, mijn code is VD-..."): not asked again.

        Only before the form asks anything, and only a code written with its `VD`: a later answer (the
        last four digits of a phone number) must never be read as a code.
        """
        if tracker.get_slot("change_code") or tracker.get_slot("requested_slot"):
            return {}
        text = str(tracker.latest_message.get("text") or "")
        code = find_code(text) if "VD" in text.upper() else None
        return {"change_code": code} if code else {}

    async def validate_change_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = find_code(str(value or ""))
        if code is None:
            return self.refuse(dispatcher, tracker, "change_code", "utter_code_unknown")
        return {"change_code": code}

    async def validate_change_verification(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        verification = read_verification(str(value or ""))
        code = tracker.get_slot("change_code")
        if verification is None or not code:
            return self.refuse(
                dispatcher, tracker, "change_verification", "utter_invalid_change_verification"
            )
        try:
            opened = await self.client().lookup_booking(str(code), verification, tracker.sender_id)
        except BackendUnavailable:
            return self.refuse(dispatcher, tracker, "change_verification", "utter_backend_down")
        except BackendRejected as refusal:
            if refusal.code == "too_many_lookups":
                say(dispatcher, "utter_change_too_many", self.settings(), tracker)
                # Ends the form: the submit action sees no ticket and only clears the slots.
                return {"change_code": str(code), "change_verification": CHECKED, "change_choice": BLOCKED}
            say(dispatcher, "utter_change_not_verified", self.settings(), tracker)
            return {"change_code": None, "change_verification": None}
        booking, ticket = opened["booking"], opened["ticket"]
        if booking["status"] != "bevestigd":
            say(dispatcher, "utter_code_cancelled", self.settings(), tracker)
            return {"change_code": None, "change_verification": None}
        slot = booking["slot"]
        opened_slots = {
            "change_code": booking["code"],
            "change_verification": CHECKED,
            "change_ticket": ticket,
            "topic": booking["topic"],
            "change_label": f"{slot_button_text(slot)}, {slot['location']['name']}",
        }
        # A booking stays in its municipality: a move offers that municipality's times.
        municipality = booking.get("municipality") or slot["location"].get("municipality")
        if is_slug(municipality):
            opened_slots["gemeente"] = municipality
        return opened_slots

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
        settings = rasa_side_settings()
        reset = [SlotSet(slot, None) for slot in CHANGE_SLOTS]
        code = tracker.get_slot("change_code")
        choice = tracker.get_slot("change_choice")
        ticket = tracker.get_slot("change_ticket")
        if not code or not ticket or choice not in ("afzeggen", "verzetten"):
            return reset
        if choice == "verzetten":
            return [
                *reset,
                SlotSet("move_code", code),
                SlotSet("move_ticket", ticket),
                FollowupAction("spreekuur_form"),
            ]
        try:
            await BackendClient.from_settings(settings).cancel_booking(code, ticket)
        except BackendUnavailable:
            say(dispatcher, "utter_backend_down", settings, tracker)
            return reset
        except BackendRejected as refusal:
            say(dispatcher, "utter_backend_refused", settings, tracker, reason=refusal.message)
            return reset
        say(dispatcher, "utter_booking_cancelled", settings, tracker, code=code)
        return reset
