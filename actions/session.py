"""Session start: tell the resident, before anything else, that this is a computer and what it does."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionSessionStart(Action):
    """Like Rasa's default session start (carrying slots over), plus the introduction message."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        carry_over = domain.get("session_config", {}).get("carry_over_slots_to_new_session", True)
        carried_over = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if carry_over and value is not None and name != "session_started_metadata"
        ]
        dispatcher.utter_message(response="utter_intro")
        return [SessionStarted(), *carried_over, ActionExecuted("action_listen")]
