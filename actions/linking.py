"""One conversation across channels (issue 24): "Verder op Telegram" and "verder op de website".

- `action_link_code`: in the widget a Telegram deep link (`https://t.me/<bot>?start=<code>`, setting
  `TELEGRAM_BOT_USERNAME`); on Telegram (or WhatsApp) a code to type in the website's chat. The code comes
  from the case backend: valid 15 minutes, one use.
- `action_link_conversation`: the other side's `/link_conversation{"link_code": ...}` (Telegram's
  `/start <code>`, or a code typed in the widget, bot/assistant/channels/link_code_step.py). The backend
  links both conversations as one resident and returns the first one's slots; the ones in
  `CARRIED_SLOTS` are carried on, so the resident repeats nothing (their municipality, the form of
  address, the topic, the place in a stappenplan).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.form_base import say
from actions.session import conversation_channel
from bot.assistant.settings import rasa_side_settings

logger = logging.getLogger(__name__)

ACTION_LINK_CODE = "action_link_code"
ACTION_LINK_CONVERSATION = "action_link_conversation"
LINK_CODE_ENTITY = "link_code"
CONTINUE_ON_TELEGRAM = "continue_on_telegram"
#: Channels the resident can carry on from with a deep link to Telegram (the widget; REST in tests).
WEB_CHANNELS = ("socketio", "rest")
#: What the other conversation passes on: never a form's answers (name, phone): only what the resident
#: would otherwise be asked again about where they are and what they were doing.
CARRIED_SLOTS = (
    "gemeente",
    "address_form",
    "topic",
    "plan_id",
    "plan_step",
    "plan_finished",
    "glossary_explained",
)

#: The backend's refusals of a code (bot/backend/services/resident_links.py) and what the resident reads.
REFUSALS = {
    "link_code_unknown": "utter_link_code_wrong",
    "link_code_expired": "utter_link_code_expired",
    "link_code_used": "utter_link_code_used",
    "link_code_same_conversation": "utter_link_code_same",
}


def telegram_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


class ActionLinkCode(Action):
    """Give the resident a one-time code for the other channel."""

    def name(self) -> str:
        return ACTION_LINK_CODE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        channel = conversation_channel(tracker)
        on_web = channel in WEB_CHANNELS
        asked = (tracker.latest_message or {}).get("intent", {}).get("name")
        if channel == "telegram" and asked == CONTINUE_ON_TELEGRAM:
            say(dispatcher, "utter_link_already_telegram", settings, tracker)
            return []
        if on_web and not settings.telegram_bot_username:
            say(dispatcher, "utter_link_no_telegram", settings, tracker)
            return []
        try:
            new = await BackendClient.from_settings(settings).create_link_code(tracker.sender_id, channel)
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("No link code: %s", type(error).__name__)
            say(dispatcher, "utter_link_unavailable", settings, tracker)
            return []
        if on_web:
            link = telegram_link(settings.telegram_bot_username, str(new["code"]))
            say(dispatcher, "utter_link_telegram", settings, tracker, link=link, code=new["shown"])
        else:
            say(dispatcher, "utter_link_website", settings, tracker, code=new["shown"])
        return []


class ActionLinkConversation(Action):
    """Redeem a code from the other channel: link, carry the slots on, and say we go on."""

    def name(self) -> str:
        return ACTION_LINK_CONVERSATION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        code = next(tracker.get_latest_entity_values(LINK_CODE_ENTITY), None)
        if not isinstance(code, str) or not code:
            say(dispatcher, "utter_link_code_wrong", settings, tracker)
            return []
        client = BackendClient.from_settings(settings)
        try:
            linked = await client.redeem_link_code(
                code, tracker.sender_id, conversation_channel(tracker), list(CARRIED_SLOTS)
            )
        except BackendRejected as refusal:
            say(dispatcher, REFUSALS.get(refusal.code, "utter_link_code_wrong"), settings, tracker)
            return []
        except BackendUnavailable as error:
            logger.warning("Link code not redeemed: %s", type(error).__name__)
            say(dispatcher, "utter_link_unavailable", settings, tracker)
            return []
        found = linked.get("slots")
        slots: dict[str, Any] = found if isinstance(found, dict) else {}
        events: list[EventType] = [
            SlotSet(name, slots[name]) for name in CARRIED_SLOTS if slots.get(name) is not None
        ]
        say(dispatcher, "utter_linked", settings, tracker)
        logger.info("Linked a %s conversation to a %s one", conversation_channel(tracker),
                    linked.get("linked_channel"))  # fmt: skip
        return events
