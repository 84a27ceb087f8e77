"""Session start: tell the resident, before anything else, that this is a computer and what it does."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import RasaSideSettings


def response_variation(domain: dict[str, Any], name: str, form: str) -> dict[str, Any]:
    """The variation of a domain response for an address form ('u' is conditioned on the slot)."""
    for variation in domain.get("responses", {}).get(name, []):
        conditions = variation.get("condition") or []
        wants_u = any(c.get("name") == "address_form" and c.get("value") == "u" for c in conditions)
        if wants_u == (form == "u"):
            return variation
    raise KeyError(f"response {name} has no {form!r} variation")


class ActionSessionStart(Action):
    """Like Rasa's default session start (carrying slots over), plus the form of address and the intro."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = RasaSideSettings.from_env().address_form
        carry_over = domain.get("session_config", {}).get("carry_over_slots_to_new_session", True)
        carried_over = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if carry_over and value is not None and name not in ("session_started_metadata", "address_form")
        ]
        # Rendered here, not by name: Rasa fills a response before this action's SlotSet applies.
        intro = response_variation(domain, "utter_intro", form)
        dispatcher.utter_message(text=intro["text"], buttons=intro.get("buttons", []))
        return [
            SessionStarted(),
            *carried_over,
            SlotSet("address_form", form),
            ActionExecuted("action_listen"),
        ]
