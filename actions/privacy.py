"""'Verwijder mijn gegevens': tell the resident what is deleted and what is not.

The rules (data/rules/privacy.yml) ask to confirm first. This action only says what happens: the
conversation's stored events are deleted by the resident channel in the Rasa process, right after
Rasa has saved this turn (bot/channels/paused_safety.py calls bot/channels/forget.py), because the
action server has no tracker store and a deletion before Rasa saves the turn would be undone by that
save. The next message then starts a new conversation. Bookings and callback requests stay in the
case backend until the spreekuur or the call has taken place (the retention command removes them
later); the message says how to cancel them. See docs/privacy.md.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.form_base import say
from bot.settings import rasa_side_settings

#: The resident channel deletes the conversation after a turn in which this action ran.
ACTION_DELETE_MY_DATA = "action_delete_my_data"


class ActionDeleteMyData(Action):
    """Confirm the deletion and say what stays (bookings, callbacks) and how to cancel them."""

    def name(self) -> str:
        return ACTION_DELETE_MY_DATA

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "utter_my_data_deleted", rasa_side_settings())
        return []
