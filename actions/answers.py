"""Answers to topic questions, read from content/answers/*.yml (see docs/content.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient
from actions.content import content_store
from actions.feedback import count_shown, feedback_buttons, may_ask, with_question
from actions.glossary import FirstUse
from actions.municipality import ask_once, known_municipality, municipality_of
from actions.session import conversation_channel
from bot.assistant.settings import RasaSideSettings, rasa_side_settings
from bot.shared.topics import ANSWER_TOPICS, RESIDENT_LABELS

WHICH_TOPIC = {
    "je": "Gaat je vraag over {first} of over {second}?",
    "u": "Gaat uw vraag over {first} of over {second}?",
}


def report_missed(tracker: Tracker, settings: RasaSideSettings, kind: str, guesses: list[str]) -> None:
    """Report a typed message that ended in a fallback or a clarifying question, for the review page
    (best effort, without waiting); a button's payload is not reported."""
    text = str(tracker.latest_message.get("text") or "")
    if not text.strip() or text.startswith("/"):
        return
    BackendClient.from_settings(settings).missed_message_soon(
        text, kind, conversation_channel(tracker), municipality=known_municipality(tracker), guesses=guesses
    )


def topic_of(intent: str | None) -> str | None:
    """The topic (bot/shared/topics.py) an intent belongs to, by its prefix; None for other intents."""
    prefix = (intent or "").split("_")[0].split("/")[0]
    return prefix if prefix in ANSWER_TOPICS else None


def ask_which_topic(dispatcher: CollectingDispatcher, form: str, choices: list[tuple[str, str]]) -> None:
    """One short question with a button per (topic, intent) choice; a button leads straight to its answer."""
    (first, _), (second, _) = choices[:2]
    dispatcher.utter_message(
        text=WHICH_TOPIC[form].format(first=RESIDENT_LABELS[first], second=RESIDENT_LABELS[second]),
        buttons=[
            {"title": RESIDENT_LABELS[topic].capitalize(), "payload": f"/{intent}"}
            for topic, intent in choices
        ],
    )


class ActionAnswer(Action):
    """Sends the content answer for the resident's topic intent and remembers the topic.

    A typed question that belongs to two topics (content/ambiguous.yml) is answered for the topic of
    the conversation, or else met with a question which topic is meant. Buttons are never questioned.
    """

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        store = content_store(settings.content_dir)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        form = settings.address_form
        ambiguity = store.ambiguities.get(intent or "")
        typed = not str(tracker.latest_message.get("text") or "").startswith("/")
        if ambiguity and typed:
            current_topic = tracker.get_slot("topic")
            if current_topic not in ambiguity.choices:
                ask_which_topic(dispatcher, form, list(ambiguity.choices.items()))
                report_missed(
                    tracker, settings, "verduidelijking", [intent for _, intent in ambiguity.choices.items()]
                )
                return []
            intent = ambiguity.choices[current_topic]
        answer = store.answers.get(intent or "")
        if answer is None:
            dispatcher.utter_message(response="utter_ask_rephrase")
            report_missed(tracker, settings, "fallback", [intent] if intent else [])
            return []
        if store.uses_local_values(answer.texts):
            # The answer names the municipality's own facts: ask it once first (the message pipeline
            # runs this action again with the answer, for the same question).
            asked = await ask_once(dispatcher, tracker, settings, self.name())
            if asked is not None:
                return asked
        municipality = municipality_of(tracker, settings)
        first_use = FirstUse(tracker, settings)  # explains jargon the first time (actions/glossary.py)
        text = first_use.annotate(store.text(answer.texts, form, municipality=municipality))
        buttons = store.buttons(answer.offers, form, municipality=municipality)
        if may_ask(tracker):  # "Heeft dit geholpen?" on the answer's own message (actions/feedback.py)
            text, buttons = with_question(text), [*buttons, *feedback_buttons(answer.intent)]
        dispatcher.utter_message(text=text, buttons=buttons)
        count_shown(tracker, settings, answer.intent)
        topic = topic_of(intent)
        if topic != tracker.get_slot("topic"):  # counted for the team's dashboard, best effort
            BackendClient.from_settings(settings).note_conversation_soon(
                tracker.sender_id, conversation_channel(tracker), topic, municipality=municipality
            )
        return [SlotSet("topic", topic), *first_use.events()]
