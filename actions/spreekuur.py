"""Spreekuur booking: free slots as buttons, Dutch dates and times, booking (or moving) with the backend."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.dutch_dates import When, day_label, parse_when, part_of_day
from actions.form_base import (
    SPREEKUUR_SLOTS,
    BookingFormValidation,
    clean_email,
    clean_first_name,
    clean_phone,
    conversation_topic,
    say,
)
from actions.municipality import ask_once, municipality_of
from bot.assistant.settings import rasa_side_settings
from bot.shared.phone import normalise_phone

TIMEZONE = ZoneInfo("Europe/Amsterdam")
MAX_BUTTONS = 4
# What to bring, per topic; neutral wording so it fits the je and the u form.
BRING = {
    "schulden": "brieven over geld, zoals aanmaningen, en bankafschriften van de laatste maand",
    "huisvesting": "het huurcontract en brieven van de verhuurder of woningcorporatie",
    "jeugdhulp": "brieven of verslagen over het kind, als die er zijn",
    "algemeen": "brieven die over de vraag gaan",
}
MAX_DAY_BUTTONS = 6
#: The slot list's own choices besides the times: the days with free places, and stopping the form.
OTHER_DAY = "andere dag"
OTHER_DAY_BUTTON = {"title": "Andere dag", "payload": OTHER_DAY}
STOP_BUTTON = {"title": "Stoppen", "payload": "/deny"}
_OTHER_DAY = re.compile(r"\b(andere|ander)\s+(dag|datum|moment|tijd)\b|\bniet op (die|deze) dag")
# A slot the backend refuses for one of these reasons can be replaced by another time.
SLOT_GONE = {"slot_full", "slot_in_past", "closed", "outside_schedule", "slot_not_found"}


def today() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def slot_button_text(slot: dict[str, Any]) -> str:
    """`vrijdag 27 november om 09:00`: what a button sends, and what a resident could type."""
    return f"{day_label(dt.date.fromisoformat(slot['date']))} om {slot['start_time']}"


def slot_summary(slot: dict[str, Any]) -> str:
    location = slot["location"]
    return f"{slot_button_text(slot)}, {location['name']}, {location['address']}"


def matching_slots(slots: list[dict[str, Any]], when: When) -> list[dict[str, Any]]:
    """The free slots that fit the day, part of the day and time the resident asked for."""
    found = []
    for slot in slots:
        start = dt.time.fromisoformat(slot["start_time"])
        end = dt.time.fromisoformat(slot["end_time"])
        if when.day and dt.date.fromisoformat(slot["date"]) != when.day:
            continue
        if when.part_of_day and part_of_day(start) != when.part_of_day:
            continue
        if when.time and not (start == when.time or start <= when.time < end):
            continue
        found.append(slot)
    return found


def mentioned_wijk(text: str, slots: list[dict[str, Any]]) -> str | None:
    lowered = text.lower()
    for slot in slots:
        wijk = slot["location"]["wijk"]
        if wijk and wijk.lower() in lowered.split():
            return str(wijk)
    return None


async def free_slots(
    client: BackendClient, tracker: Tracker, wijk: str | None = None
) -> list[dict[str, Any]]:
    """The free slots of the resident's municipality (the default one while it is unknown)."""
    return await client.free_slots(
        conversation_topic(tracker), wijk=wijk, limit=50, municipality=municipality_of(tracker)
    )


class ValidateSpreekuurForm(BookingFormValidation):
    def name(self) -> str:
        return "validate_spreekuur_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Moving a booking keeps its name and contact: only the new time and the confirmation."""
        if tracker.get_slot("move_code"):
            return [slot for slot in domain_slots if slot in ("spreekuur_slot", "spreekuur_confirmed")]
        return domain_slots

    async def validate_spreekuur_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        try:
            every_slot = await free_slots(self.client(), tracker, tracker.get_slot("spreekuur_wijk"))
        except (BackendUnavailable, BackendRejected):
            return {"spreekuur_slot": None}  # the question that follows says the backend cannot be reached
        when = parse_when(text, today())
        if when.empty and _OTHER_DAY.search(text.lower()):
            # The question that follows offers the days that have free places.
            return {"spreekuur_slot": None, "spreekuur_wish": OTHER_DAY}
        wijk = mentioned_wijk(text, every_slot) if not tracker.get_slot("spreekuur_wijk") else None
        if when.empty and wijk:
            return {"spreekuur_slot": None, "spreekuur_wijk": wijk, "spreekuur_wish": None}
        if when.empty:
            return self.refuse(dispatcher, tracker, "spreekuur_slot", "utter_spreekuur_not_understood")
        found = matching_slots(every_slot, when)
        if not found:
            return {
                **self.refuse(dispatcher, tracker, "spreekuur_slot", "utter_spreekuur_no_match"),
                "spreekuur_wish": None,
            }
        if len(found) > 1:
            return {
                **self.refuse(dispatcher, tracker, "spreekuur_slot", "utter_spreekuur_choose"),
                "spreekuur_wish": text,
            }
        slot = found[0]
        return {
            "spreekuur_slot": str(slot["id"]),
            "spreekuur_label": slot_summary(slot),
            "spreekuur_wish": None,
        }

    async def validate_spreekuur_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = clean_first_name(str(value or ""))
        if name is None or self.looks_like_question(tracker):
            return self.refuse(dispatcher, tracker, "spreekuur_first_name", "utter_invalid_first_name")
        return {"spreekuur_first_name": name}

    async def validate_spreekuur_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        contact = clean_email(text) if "@" in text else clean_phone(text)
        if contact is None:
            return self.refuse(dispatcher, tracker, "spreekuur_contact", "utter_invalid_contact")
        return {"spreekuur_contact": contact}


class ActionAskSpreekuurSlot(Action):
    """Offers the next free times as buttons; says so kindly when there are none or the backend is down."""

    def name(self) -> str:
        return "action_ask_spreekuur_slot"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = rasa_side_settings()
        # The slots are the resident's municipality's: ask it once first (the pipeline runs this
        # action again with the answer).
        asked = await ask_once(dispatcher, tracker, settings, self.name())
        if asked is not None:
            return asked
        wijk = tracker.get_slot("spreekuur_wijk")
        try:
            slots = await free_slots(BackendClient.from_settings(settings), tracker, wijk)
        except (BackendUnavailable, BackendRejected):
            # The form stays open with a Stoppen button: the resident can try again or stop.
            say(dispatcher, "utter_spreekuur_unavailable", settings, tracker)
            return []
        wish = tracker.get_slot("spreekuur_wish")
        if not slots:
            say(dispatcher, "utter_spreekuur_none_free", settings, tracker)
            return []
        if wish == OTHER_DAY:
            days = list(dict.fromkeys(dt.date.fromisoformat(slot["date"]) for slot in slots))
            buttons = [{"title": day_label(day), "payload": day_label(day)} for day in days[:MAX_DAY_BUTTONS]]
            dispatcher.utter_message(response="utter_ask_spreekuur_day", buttons=[*buttons, STOP_BUTTON])
            return []
        if wish:
            slots = matching_slots(slots, parse_when(wish, today())) or slots
        buttons = [
            {
                "title": slot_button_text(slot) + f" ({slot['location']['name']})",
                "payload": slot_button_text(slot),
            }
            for slot in slots[:MAX_BUTTONS]
        ]
        response = "utter_ask_spreekuur_slot_wijk" if wijk else "utter_ask_spreekuur_slot"
        dispatcher.utter_message(
            response=response, buttons=[*buttons, OTHER_DAY_BUTTON, STOP_BUTTON], wijk=wijk or ""
        )
        return []


class ActionAskSpreekuurConfirmed(Action):
    """Summary of the new booking, or of the new time when a booking is moved."""

    def name(self) -> str:
        return "action_ask_spreekuur_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        moving = bool(tracker.get_slot("move_code"))
        dispatcher.utter_message(response="utter_move_summary" if moving else "utter_spreekuur_summary")
        return []


class ActionSubmitSpreekuur(Action):
    """Books (or moves) the chosen slot and confirms with the code, the address and what to bring."""

    def name(self) -> str:
        return "action_submit_spreekuur"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = rasa_side_settings()
        reset = [SlotSet(slot, None) for slot in SPREEKUUR_SLOTS]
        slot_id = tracker.get_slot("spreekuur_slot")
        if tracker.get_slot("spreekuur_confirmed") is not True or not slot_id:
            return reset
        client = BackendClient.from_settings(settings)
        move_code = tracker.get_slot("move_code")
        try:
            if move_code:
                booking = await client.move_booking(
                    move_code, int(slot_id), str(tracker.get_slot("move_ticket") or "")
                )
            else:
                contact = str(tracker.get_slot("spreekuur_contact") or "")
                booking = await client.book_slot(
                    int(slot_id),
                    str(tracker.get_slot("spreekuur_first_name")),
                    email=contact if "@" in contact else None,
                    phone=None if "@" in contact else normalise_phone(contact),
                    conversation_id=tracker.sender_id,
                    municipality=municipality_of(tracker, settings),
                    channel=tracker.get_latest_input_channel(),
                )
        except BackendUnavailable:
            say(dispatcher, "utter_backend_down", settings, tracker)
            return reset
        except BackendRejected as refusal:
            if refusal.code in SLOT_GONE:
                say(dispatcher, "utter_slot_taken", settings, tracker, reason=refusal.message)
                # Keep name and contact: choosing another time is all that is left.
                return [
                    SlotSet("spreekuur_slot", None),
                    SlotSet("spreekuur_confirmed", None),
                    SlotSet("spreekuur_label", None),
                ]
            say(dispatcher, "utter_backend_refused", settings, tracker, reason=refusal.message)
            return reset
        slot = booking["slot"]
        say(
            dispatcher,
            "utter_booking_moved" if move_code else "utter_booking_done",
            settings,
            tracker,
            code=booking["code"],
            when=slot_button_text(slot),
            location=slot["location"]["name"],
            address=slot["location"]["address"],
            bring=BRING.get(booking["topic"], BRING["algemeen"]),
            buttons=calendar_buttons(tracker, booking, settings.address_form),
        )
        return reset


#: The confirmation's link to the booking's calendar file, in the website chat (docs/reminders.md).
CALENDAR_TITLES = {"je": "Zet in je agenda", "u": "Zet in uw agenda"}


def calendar_buttons(tracker: Tracker, booking: dict[str, Any], address_form: str) -> list[dict[str, str]]:
    """A link button to the .ics file in the widget (it opens links, not payloads, for http(s) buttons).

    Not on Telegram or WhatsApp: they get a reminder in the chat instead, and Telegram refuses a link
    to an address it cannot reach."""
    url = str(booking.get("calendar_url") or "")
    if tracker.get_latest_input_channel() != "socketio" or not url.startswith(("https://", "http://")):
        return []
    return [{"title": CALENDAR_TITLES.get(address_form, CALENDAR_TITLES["je"]), "payload": url}]
