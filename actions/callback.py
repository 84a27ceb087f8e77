"""Terugbelverzoek: the form's validator, its summary question and the action that files the request."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.form_base import (
    CALLBACK_SLOTS,
    BookingFormValidation,
    clean_first_name,
    clean_phone,
    conversation_topic,
    say,
)
from actions.municipality import ask_once, known_municipality, municipality_of
from bot.assistant.settings import rasa_side_settings
from bot.shared.phone import normalise_phone
from bot.shared.topics import RESIDENT_LABELS

#: The topic in the summary; a callback without a topic is filed as "algemeen": "een algemene vraag".
TOPIC_LABELS = {**RESIDENT_LABELS, "algemeen": "een algemene vraag"}
PART_LABELS = {
    "ochtend": "in de ochtend",
    "middag": "in de middag",
    "avond": "in de avond",
    "geen voorkeur": "op elk moment van de dag",
}
_NO_PREFERENCE = re.compile(
    r"maakt niet uit|geen voorkeur|maakt me niet uit|maakt mij niet uit|altijd|maakt niks uit"
)


ALL_PARTS = ("ochtend", "middag", "avond")
NO_PREFERENCE_BUTTON = {"title": "Maakt niet uit", "payload": "maakt niet uit"}


async def callable_parts(client: BackendClient, tracker: Tracker) -> list[str]:
    """The parts of the day the resident's municipality's team works (its office hours; the default
    municipality's while unknown); all three when the backend cannot say."""
    try:
        hours = await client.office_hours(known_municipality(tracker))
    except (BackendUnavailable, BackendRejected):
        return list(ALL_PARTS)
    parts = [part for part in hours.get("parts_of_day") or [] if part in ALL_PARTS]
    return parts or list(ALL_PARTS)


def part_buttons(parts: list[str]) -> list[dict[str, str]]:
    return [{"title": part.capitalize(), "payload": part} for part in parts] + [NO_PREFERENCE_BUTTON]


def read_part_of_day(text: str) -> str | None:
    lowered = text.lower()
    if _NO_PREFERENCE.search(lowered):
        return "geen voorkeur"
    for part, pattern in (
        ("ochtend", r"ochtend|morgen|voor de middag|voor 12"),
        ("middag", r"middag"),
        ("avond", r"avond"),
    ):
        if re.search(pattern, lowered):
            return part
    return None


class ValidateCallbackForm(BookingFormValidation):
    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_first_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = clean_first_name(str(value or ""))
        if name is None or self.looks_like_question(tracker):
            return self.refuse(dispatcher, tracker, "callback_first_name", "utter_invalid_first_name")
        return {"callback_first_name": name}

    async def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        phone = clean_phone(str(value or ""))
        if phone is None:
            return self.refuse(dispatcher, tracker, "callback_phone", "utter_invalid_phone")
        return {"callback_phone": phone}

    async def validate_callback_part_of_day(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        part = read_part_of_day(str(value or ""))
        if part == "geen voorkeur":
            return {"callback_part_of_day": part}
        parts = await callable_parts(self.client(), tracker)
        if part is None:
            return self.refuse(
                dispatcher, tracker, "callback_part_of_day", "utter_invalid_part_of_day",
                buttons=part_buttons(parts),
            )  # fmt: skip
        if part not in parts:
            return self.refuse(
                dispatcher, tracker, "callback_part_of_day", "utter_part_of_day_outside_hours",
                parts_label=" of ".join(PART_LABELS[name] for name in parts), buttons=part_buttons(parts),
            )  # fmt: skip
        return {"callback_part_of_day": part}


class ActionAskCallbackPartOfDay(Action):
    """Asks when to call, offering only the parts of the day the team works (a 9-17 team: no 'Avond')."""

    def name(self) -> str:
        return "action_ask_callback_part_of_day"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        parts = await callable_parts(BackendClient.from_settings(rasa_side_settings()), tracker)
        dispatcher.utter_message(response="utter_ask_callback_part_of_day", buttons=part_buttons(parts))
        return []


class ActionAskCallbackConfirmed(Action):
    """Shows what will be sent, and asks whether it is right."""

    def name(self) -> str:
        return "action_ask_callback_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The callback goes to the resident's municipality's team: ask it once first (the pipeline
        # runs this action again with the answer).
        asked = await ask_once(dispatcher, tracker, rasa_side_settings(), self.name())
        if asked is not None:
            return asked
        dispatcher.utter_message(
            response="utter_callback_summary",
            topic_label=TOPIC_LABELS[conversation_topic(tracker)],
            part_label=PART_LABELS.get(
                tracker.get_slot("callback_part_of_day") or "", "op elk moment van de dag"
            ),
        )
        return []


def handover_reference(tracker: Tracker) -> str | None:
    """Points staff to the handover (with the conversation's summary) this callback follows from."""
    handover_id = tracker.get_slot("handover_id")
    if not handover_id:
        return None
    return f"Zie overdracht {int(handover_id)}: daar staat de samenvatting van het gesprek."


class ActionSubmitCallback(Action):
    """Files the terugbelverzoek in the case backend and says when the wijkteam will call."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = rasa_side_settings()
        reset = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        if tracker.get_slot("callback_confirmed") is not True:
            return reset
        part = tracker.get_slot("callback_part_of_day")
        try:
            callback = await BackendClient.from_settings(settings).create_callback(
                conversation_topic(tracker),
                str(tracker.get_slot("callback_first_name")),
                normalise_phone(str(tracker.get_slot("callback_phone"))),
                preferred_part_of_day=part if part in ("ochtend", "middag", "avond") else None,
                question=handover_reference(tracker),
                conversation_id=tracker.sender_id,
                municipality=municipality_of(tracker, settings),
            )
        except BackendUnavailable:
            say(dispatcher, "utter_backend_down", settings, tracker)
            return reset
        except BackendRejected as refusal:
            say(dispatcher, "utter_backend_refused", settings, tracker, reason=refusal.message)
            return reset
        say(
            dispatcher,
            "utter_callback_done",
            settings,
            tracker,
            due_label=callback["due_label"],
            part_label=PART_LABELS.get(part or "", "op elk moment van de dag"),
        )
        return reset
