"""'Verwijder mijn gegevens': tell the resident what is deleted and what is not.

The rules (data/rules/privacy.yml) ask to confirm first. This action says what happens and sets the
slot `delete_requested` (`DELETE_REQUESTED_SLOT`); the conversation's stored events are then deleted by
the message pipeline in the Rasa process, right after Rasa has saved this turn
(bot/assistant/channels/message_pipeline.py), because the action server has no tracker store and a deletion
before Rasa saves the turn would be undone by that save. The next message then starts a new
conversation. Bookings and callback requests stay in the case backend until the spreekuur or the call
has taken place (the retention command removes them later); the message says how to cancel them. The
case backend forgets the conversation's links to other channels, its link codes and the pending
reminders and check-ins of every linked conversation (issue 24). See docs/privacy.md.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.form_base import say
from bot.assistant.channels.action_contract import DELETE_REQUESTED_SLOT
from bot.assistant.settings import rasa_side_settings

logger = logging.getLogger(__name__)

ACTION_DELETE_MY_DATA = "action_delete_my_data"


class ActionDeleteMyData(Action):
    """Confirm the deletion, say what stays (bookings, callbacks) and how to cancel them, and ask the
    message pipeline to delete the conversation after this turn."""

    def name(self) -> str:
        return ACTION_DELETE_MY_DATA

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        try:
            await BackendClient.from_settings(settings).forget_conversation(tracker.sender_id)
        except (BackendUnavailable, BackendRejected) as error:  # the conversation is deleted all the same
            logger.warning("Links and scheduled messages not forgotten: %s", type(error).__name__)
        say(dispatcher, "utter_my_data_deleted", settings, tracker)
        return [SlotSet(DELETE_REQUESTED_SLOT, True)]
