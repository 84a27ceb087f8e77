"""What the booking forms share: settings, the backend client, and the Dutch messages for failures."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.answers import topic_of
from actions.backend_client import BackendClient
from actions.content import content_store
from actions.municipality import municipality_of
from bot.assistant.settings import RasaSideSettings, rasa_side_settings
from bot.shared import fields
from bot.shared.phone import InvalidPhoneNumber, format_national, normalise_phone
from bot.shared.topics import ANSWER_TOPICS

QUESTION_CONFIDENCE = 0.8


def wijkteam_phone(settings: RasaSideSettings, municipality: str | None = None) -> str:
    """The wijkteam's number of the municipality (content/local/<slug>.yml, else content/local.yml),
    rendered like every other content text."""
    return content_store(settings.content_dir).render("{wijkteam_telefoon}", municipality=municipality)


def say(
    dispatcher: CollectingDispatcher,
    response: str,
    settings: RasaSideSettings,
    tracker: Tracker | None = None,
    **values: Any,
) -> None:
    """Send a domain response; `{wijkteam_telefoon}` (of the resident's municipality when `tracker` is
    given) is always available to it."""
    municipality = municipality_of(tracker, settings) if tracker is not None else None
    phone = wijkteam_phone(settings, municipality)
    dispatcher.utter_message(response=response, wijkteam_telefoon=phone, **values)


def clean_first_name(text: str) -> str | None:
    """The first name with a capital (the rule of bot/shared/fields.py), or None when it is not one."""
    try:
        name = fields.clean_first_name(text)
    except fields.InvalidField:
        return None
    return name[:1].upper() + name[1:]


def clean_phone(text: str) -> str | None:
    """The number as the resident will read it back (06-12345678), or None when it is not Dutch."""
    try:
        return format_national(normalise_phone(text))
    except InvalidPhoneNumber:
        return None


def clean_email(text: str) -> str | None:
    """The address as the backend stores it (bot/shared/fields.py), or None when it is not one."""
    try:
        return fields.clean_email(text)
    except fields.InvalidField:
        return None


def conversation_topic(tracker: Tracker) -> str:
    topic = tracker.get_slot("topic")
    return topic if topic in ANSWER_TOPICS else "algemeen"


class BookingFormValidation(FormValidationAction, ABC):
    """Base of the booking form validators: one place for settings, the backend client and refusals."""

    @abstractmethod
    def name(self) -> str: ...

    def settings(self) -> RasaSideSettings:
        return rasa_side_settings()

    def client(self) -> BackendClient:
        return BackendClient.from_settings(self.settings())

    def refuse(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, response: str, **values: Any
    ) -> dict[str, Any]:
        """Say kindly why the answer cannot be used; the form asks again.

        When the message was a topic question rather than an answer, it gets its answer instead.
        """
        if not self.answer_question(dispatcher, tracker):
            say(dispatcher, response, self.settings(), tracker, **values)
        return {slot: None}

    def looks_like_question(self, tracker: Tracker) -> bool:
        """A topic question the model is sure of, in a sentence (not a name, number or date)."""
        intent = tracker.latest_message.get("intent") or {}
        text = str(tracker.latest_message.get("text") or "")
        return (
            topic_of(intent.get("name")) is not None
            and float(intent.get("confidence") or 0) >= QUESTION_CONFIDENCE
            and len(text.split()) >= 3
        )

    def answer_question(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        """Answer a topic question asked in the middle of a form; the form then asks its question again."""
        if not self.looks_like_question(tracker):
            return False
        settings = self.settings()
        store = content_store(settings.content_dir)
        answer = store.answers.get(str(tracker.latest_message["intent"]["name"]))
        if answer is None:
            return False
        # Without the answer's offer buttons: they would start another flow in the middle of this one.
        municipality = municipality_of(tracker, settings)
        dispatcher.utter_message(
            text=store.text(answer.texts, settings.address_form, municipality=municipality)
        )
        dispatcher.utter_message(response="utter_form_continues")
        return True


# The slots each form fills, so a form can forget its own input; together every booking slot.
CALLBACK_SLOTS = ("callback_first_name", "callback_phone", "callback_part_of_day", "callback_confirmed")
SPREEKUUR_SLOTS = (
    "spreekuur_slot",
    "spreekuur_first_name",
    "spreekuur_contact",
    "spreekuur_confirmed",
    "spreekuur_wish",
    "spreekuur_wijk",
    "spreekuur_label",
    "move_code",
    "move_ticket",
)
CHANGE_SLOTS = ("change_code", "change_verification", "change_choice", "change_label", "change_ticket")
BOOKING_SLOTS = CALLBACK_SLOTS + SPREEKUUR_SLOTS + CHANGE_SLOTS


class ActionStopBooking(Action):
    """'stop' or 'toch niet' in a booking form: end it kindly and forget what was typed."""

    def name(self) -> str:
        return "action_stop_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_form_stopped")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(slot, None) for slot in BOOKING_SLOTS],
        ]
