"""Answers to topic questions, read from content/answers/*.yml (see docs/content.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import content_store
from bot.settings import RasaSideSettings

TOPICS = ("schulden", "huisvesting", "jeugdhulp")


def topic_of(intent: str | None) -> str | None:
    prefix = (intent or "").split("_")[0].split("/")[0]
    return prefix if prefix in TOPICS else None


class ActionAnswer(Action):
    """Sends the content answer for the resident's topic intent and remembers the topic."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = RasaSideSettings.from_env()
        store = content_store(settings.content_dir)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answer = store.answers.get(intent or "")
        if answer is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        form = settings.address_form
        dispatcher.utter_message(text=store.text(answer.texts, form), buttons=store.buttons(answer.offers, form))
        return [SlotSet("topic", topic_of(intent))]
