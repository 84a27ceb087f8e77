"""When the model is unsure: ask which topic is meant if two topics compete, else ask to rephrase.

Rent arrears are money *and* housing: rather than guess, the assistant asks a short question with a
button per topic, each leading straight to the answer the model had in mind for that topic.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import topic_of
from bot.settings import RasaSideSettings

NLU_FALLBACK = "nlu_fallback"
# The runner-up must have at least this much confidence for a message to count as ambiguous.
MIN_RUNNER_UP_CONFIDENCE = 0.15
TOPIC_LABELS = {"schulden": "geld en schulden", "huisvesting": "wonen en huur", "jeugdhulp": "opvoeden en jeugd"}
QUESTION = {"je": "Gaat je vraag over {first} of over {second}?", "u": "Gaat uw vraag over {first} of over {second}?"}


def competing_topics(latest_message: dict[str, Any]) -> list[dict[str, Any]]:
    """The two best intents when they belong to different topics and both are plausible."""
    ranking = [entry for entry in latest_message.get("intent_ranking") or [] if entry.get("name") != NLU_FALLBACK]
    best_per_topic: dict[str, dict[str, Any]] = {}
    for entry in ranking:
        topic = topic_of(entry.get("name"))
        if topic and topic not in best_per_topic:
            best_per_topic[topic] = entry
    candidates = sorted(best_per_topic.values(), key=lambda entry: -float(entry.get("confidence") or 0))[:2]
    top_is_topic = bool(ranking) and topic_of(ranking[0].get("name")) is not None
    if len(candidates) < 2 or not top_is_topic:
        return []
    if float(candidates[1].get("confidence") or 0) < MIN_RUNNER_UP_CONFIDENCE:
        return []
    return candidates


class ActionHandleNluFallback(Action):
    """Clarifying question for a message between two topics; otherwise the rephrase request."""

    def name(self) -> str:
        return "action_handle_nlu_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        candidates = competing_topics(tracker.latest_message)
        if not candidates:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        form = RasaSideSettings.from_env().address_form
        labels = [TOPIC_LABELS[topic_of(entry["name"]) or ""] for entry in candidates]
        dispatcher.utter_message(
            text=QUESTION[form].format(first=labels[0], second=labels[1]),
            buttons=[{"title": label.capitalize(), "payload": f"/{entry['name']}"}
                     for label, entry in zip(labels, candidates)],
        )
        return []
