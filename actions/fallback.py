"""When the model is unsure: ask what is meant if two answers compete, else ask to rephrase.

Rent arrears are money *and* housing: rather than guess, the assistant asks a short question with a
button per topic, each leading straight to the answer the model had in mind for that topic. Two close
questions of one topic get the same treatment, with the questions themselves as buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ask_which_topic, topic_of
from actions.content import content_store
from bot.settings import RasaSideSettings

NLU_FALLBACK = "nlu_fallback"
# The runner-up must have at least this much confidence for a message to count as ambiguous.
MIN_RUNNER_UP_CONFIDENCE = 0.15
WHICH = {"je": "Bedoel je een van deze vragen?", "u": "Bedoelt u een van deze vragen?"}


def competing_answers(latest_message: dict[str, Any]) -> list[str]:
    """The two best intents, if both are topic questions and the runner-up is plausible."""
    ranking = [
        entry for entry in latest_message.get("intent_ranking") or [] if entry.get("name") != NLU_FALLBACK
    ]
    top_two = ranking[:2]
    if len(top_two) < 2 or any(topic_of(entry.get("name")) is None for entry in top_two):
        return []
    if float(top_two[1].get("confidence") or 0) < MIN_RUNNER_UP_CONFIDENCE:
        return []
    return [entry["name"] for entry in top_two]


class ActionHandleNluFallback(Action):
    """Clarifying question for a message between two topics; otherwise the rephrase request."""

    def name(self) -> str:
        return "action_handle_nlu_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        candidates = competing_answers(tracker.latest_message)
        settings = RasaSideSettings.from_env()
        answers = content_store(settings.content_dir).answers
        if not candidates or any(intent not in answers for intent in candidates):
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        form = settings.address_form
        topics = [topic_of(intent) or "" for intent in candidates]
        if topics[0] != topics[1]:
            ask_which_topic(dispatcher, form, list(zip(topics, candidates, strict=True)))
            return []
        dispatcher.utter_message(
            text=WHICH[form],
            buttons=[{"title": answers[intent].question, "payload": f"/{intent}"} for intent in candidates],
        )
        return []
