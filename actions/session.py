"""Session start: tell the resident, before anything else, that this is a computer and what it does."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient
from actions.content import content_store
from actions.municipality import known_slugs
from bot.assistant.channels.action_contract import CHANNEL_METADATA_KEY
from bot.assistant.municipality import GEMEENTE_SLOT, METADATA_KEY, is_slug
from bot.assistant.settings import rasa_side_settings

#: Channel names the case backend accepts (rest, socketio, telegram, ...).
_CHANNEL = re.compile(r"^[a-z][a-z0-9_\-]{0,29}$")


def conversation_channel(tracker: Tracker) -> str:
    """The channel the resident used last (rest, socketio, telegram), as the backend accepts it."""
    metadata = tracker.get_slot("session_started_metadata") or {}
    channel = tracker.get_latest_input_channel() or (
        metadata.get(CHANNEL_METADATA_KEY) if isinstance(metadata, dict) else None
    )
    return channel if isinstance(channel, str) and _CHANNEL.match(channel) else "onbekend"


def response_variation(domain: dict[str, Any], name: str, form: str) -> dict[str, Any]:
    """The variation of a domain response for an address form ('u' is conditioned on the slot)."""
    for variation in domain.get("responses", {}).get(name, []):
        conditions = variation.get("condition") or []
        wants_u = any(c.get("name") == "address_form" and c.get("value") == "u" for c in conditions)
        if wants_u == (form == "u"):
            return variation
    raise KeyError(f"response {name} has no {form!r} variation")


class ActionSessionStart(Action):
    """Like Rasa's default session start (carrying slots over), plus the form of address and the intro.

    A conversation handed over to a staff member stays paused when its session expires (after an
    hour of silence, domain/general.yml): the resident's next message is for the staff member, so
    the new session is paused again and starts without the bot's introduction. Rasa's own session
    start would unpause it and let the bot talk over the staff member.
    """

    def name(self) -> str:
        return "action_session_start"

    @staticmethod
    def municipality_from_metadata(tracker: Tracker) -> list[EventType]:
        """The widget's `data-gemeente` (message metadata): the slot, when the content knows the slug."""
        metadata = tracker.get_slot("session_started_metadata") or {}
        slug = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
        if not is_slug(slug):
            return []
        settings = rasa_side_settings()
        if slug not in known_slugs(content_store(settings.content_dir), settings):
            return []
        return [SlotSet(GEMEENTE_SLOT, slug)]

    @staticmethod
    def started_by_the_backend(tracker: Tracker) -> bool:
        """A session that starts again because the backend sends a later message (a booking reminder, a
        check-in: Rasa's `trigger_intent`), days after the resident last wrote. That message comes without
        the introduction before it: the resident met the assistant in the first session.

        A resident's message starts a session with its metadata (our channels always add the channel's
        name), which Rasa sets as the last event before this action; `trigger_intent` has none.
        """
        events = tracker.events or []
        last = events[-1] if events else {}
        by_resident = last.get("event") == "slot" and last.get("name") == "session_started_metadata"
        return not by_resident and any(event.get("event") == "user" for event in events)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = rasa_side_settings().address_form
        carry_over = domain.get("session_config", {}).get("carry_over_slots_to_new_session", True)
        carried_over = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if carry_over and value is not None and name not in ("session_started_metadata", "address_form")
        ]
        if tracker.is_paused() and tracker.get_slot("handover_id") is not None:
            return [
                SessionStarted(),
                *carried_over,
                *self.municipality_from_metadata(tracker),
                SlotSet("address_form", form),
                ConversationPaused(),
                ActionExecuted("action_listen"),
            ]
        # A handed-over conversation stays paused (above), also for a message the backend sends.
        if self.started_by_the_backend(tracker):
            return [
                SessionStarted(),
                *carried_over,
                SlotSet("address_form", form),
                ActionExecuted("action_listen"),
            ]
        # Rendered here, not by name: Rasa fills a response before this action's SlotSet applies.
        intro = response_variation(domain, "utter_intro", form)
        dispatcher.utter_message(text=intro["text"], buttons=intro.get("buttons", []))
        # Counted for the team's dashboard; best effort, never in the resident's way.
        municipality = self.municipality_from_metadata(tracker)
        BackendClient.from_settings().note_conversation_soon(
            tracker.sender_id,
            conversation_channel(tracker),
            tracker.get_slot("topic"),
            municipality=municipality[0]["value"] if municipality else tracker.get_slot(GEMEENTE_SLOT),
        )
        return [
            SessionStarted(),
            *carried_over,
            *municipality,
            SlotSet("address_form", form),
            ActionExecuted("action_listen"),
        ]
