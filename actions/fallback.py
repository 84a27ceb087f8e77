"""When the model is unsure: never a dead end.

What an unsure message (`nlu_fallback`) gets, in this order:
1. two competing answers (the two best intents are both topic questions and the runner-up is
   plausible): a short question with those two as buttons, by topic or by question;
2. a clear topic but no clear question: the model's confidence summed per topic (schulden,
   huisvesting, jeugdhulp, algemeen, booking, person) points at one topic, so the resident gets that
   topic's 2-4 most likely questions as buttons, plus "Iets anders" and "Iemand spreken";
3. nothing clear: a request to rephrase, with topic buttons.
"Iets anders" (`something_else`) is answered here too, with the rephrase request. A second miss in a
row offers a person (data/rules/fallback.yml: the rule looks at this action followed by another
`nlu_fallback`). A message recognised as a crisis (by the safety net, which runs after the
FallbackClassifier, or by the model) never gets here: the crisis rules answer it. Each run reports the
conversation to the backend as misunderstood: the team's dashboard counts it as "niet begrepen" when
it never gets a topic.

The thresholds are chosen by benchmarks/tune_fallback.py (docs/fallback-threshold.md), which runs
`decide` below on the tuning set, so the action and the tuning share one decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ask_which_topic, report_missed, topic_of
from actions.backend_client import BackendClient
from actions.content import content_store
from actions.session import conversation_channel
from bot.assistant.settings import rasa_side_settings

NLU_FALLBACK = "nlu_fallback"
#: The payload of the "Iets anders" button.
SOMETHING_ELSE = "something_else"
REQUEST_HUMAN = "request_human"
# The runner-up must have at least this much confidence for a message to count as ambiguous.
MIN_RUNNER_UP_CONFIDENCE = 0.15
WHICH = {"je": "Bedoel je een van deze vragen?", "u": "Bedoelt u een van deze vragen?"}
WHICH_OF_TOPIC = {"je": "Gaat je vraag over een van deze?", "u": "Gaat uw vraag over een van deze?"}

#: Topics beyond the content topics: the actions a resident can ask for, each with a Dutch button title in
#: the first person, like the answers' questions (so one title serves both forms of address). The order
#: is the fill-in order of a short choice.
ACTION_TOPICS: dict[str, dict[str, str]] = {
    "booking": {
        "book_spreekuur": "Ik wil een afspraak maken op het spreekuur",
        "request_callback": "Ik wil dat het wijkteam mij terugbelt",
        "cancel_booking": "Ik wil mijn afspraak afzeggen of verzetten",
    },
    "person": {REQUEST_HUMAN: "Ik wil iemand van het wijkteam spreken"},
}
#: A topic with fewer than two candidate questions borrows these (asking for a person is one
#: question; being called back is the other way to talk to someone).
FILL_INS = {"person": ("request_callback",)}
EXTRA_BUTTONS = {"something_else": "Iets anders", "person": "Iemand spreken"}
MIN_CHOICES, MAX_CHOICES = 2, 4


@dataclass(frozen=True)
class TopicClarity:
    """When a topic counts as clear: its summed confidence reaches `min_mass`, and it leads the next
    topic (or the best single intent outside the topics) by at least `min_lead`. A question is offered
    when its confidence is at least `min_share` of its topic's sum (the best two always are)."""

    min_mass: float
    min_lead: float
    min_share: float = 0.1


#: Tuned with `make tune-fallback` on the tuning set tests/nlu/*.yml (docs/fallback-threshold.md).
TOPIC_CLARITY = TopicClarity(min_mass=0.20, min_lead=0.00, min_share=0.10)


@dataclass(frozen=True)
class Decision:
    """What the fallback does: `kind` is competing_topics, competing_questions, topic_choice or
    rephrase; `intents` are the intents offered as buttons (for topic_choice: of `topic`)."""

    kind: str
    intents: tuple[str, ...] = ()
    topic: str | None = None


def topic_group(intent: str | None) -> str | None:
    """The topic an intent belongs to for the fallback: a content topic, booking, person, or None."""
    topic = topic_of(intent)
    if topic is not None:
        return topic
    return next((name for name, intents in ACTION_TOPICS.items() if intent in intents), None)


def real_ranking(latest_message: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The model's ranking without the fallback intent the FallbackClassifier put on top."""
    return [
        (str(entry.get("name")), float(entry.get("confidence") or 0.0))
        for entry in latest_message.get("intent_ranking") or []
        if entry.get("name") and entry.get("name") != NLU_FALLBACK
    ]


def topic_masses(ranking: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Summed confidence per topic. An intent outside the topics (greet, out_of_scope, ...) competes on
    its own, under its own name, so many small-talk intents together do not outweigh one topic."""
    masses: dict[str, float] = {}
    for intent, confidence in ranking:
        key = topic_group(intent) or f"intent:{intent}"
        masses[key] = masses.get(key, 0.0) + confidence
    return masses


def clear_topic(ranking: list[tuple[str, float]], clarity: TopicClarity) -> str | None:
    """The topic the message is clearly about, or None."""
    ordered = sorted(topic_masses(ranking).items(), key=lambda item: -item[1])
    if not ordered or ordered[0][0].startswith("intent:"):
        return None
    (topic, mass), runner_up = ordered[0], (ordered[1][1] if len(ordered) > 1 else 0.0)
    return topic if mass >= clarity.min_mass and mass - runner_up >= clarity.min_lead else None


def topic_choices(
    topic: str, ranking: list[tuple[str, float]], answerable: Iterable[str], clarity: TopicClarity
) -> tuple[str, ...]:
    """The topic's 2-4 most likely questions, best first; only intents the assistant can answer."""
    can_answer = set(answerable) | {intent for intents in ACTION_TOPICS.values() for intent in intents}
    ranked = [
        (intent, conf) for intent, conf in ranking if topic_group(intent) == topic and intent in can_answer
    ]
    mass = sum(conf for _, conf in ranked)
    chosen = [
        intent
        for index, (intent, conf) in enumerate(ranked)
        if index < MIN_CHOICES or conf >= clarity.min_share * mass
    ][:MAX_CHOICES]
    same_topic = sorted(intent for intent in can_answer if topic_group(intent) == topic)
    extra = [*ACTION_TOPICS.get(topic, {}), *FILL_INS.get(topic, ()), f"{topic}_algemeen", *same_topic]
    for intent in extra:
        if len(chosen) >= MIN_CHOICES:
            break
        if intent not in chosen and intent in can_answer:
            chosen.append(intent)
    return tuple(chosen)


def competing_answers(latest_message: Mapping[str, Any]) -> list[str]:
    """The two best intents, if both are topic questions and the runner-up is plausible."""
    top_two = real_ranking(latest_message)[:2]
    if len(top_two) < 2 or any(topic_of(intent) is None for intent, _ in top_two):
        return []
    if top_two[1][1] < MIN_RUNNER_UP_CONFIDENCE:
        return []
    return [intent for intent, _ in top_two]


def decide(
    latest_message: Mapping[str, Any], answerable: Iterable[str], clarity: TopicClarity | None = None
) -> Decision:
    """What to do with an unsure message (see the module docstring); `clarity` defaults to TOPIC_CLARITY."""
    clarity = clarity or TOPIC_CLARITY
    answerable = set(answerable)
    competing = competing_answers(latest_message)
    if competing and all(intent in answerable for intent in competing):
        same_topic = topic_of(competing[0]) == topic_of(competing[1])
        return Decision("competing_questions" if same_topic else "competing_topics", tuple(competing))
    ranking = real_ranking(latest_message)
    topic = clear_topic(ranking, clarity)
    if topic is not None:
        choices = topic_choices(topic, ranking, answerable, clarity)
        if len(choices) >= MIN_CHOICES:
            return Decision("topic_choice", choices, topic)
    return Decision("rephrase")


def topic_choice_buttons(intents: Iterable[str], questions: Mapping[str, str]) -> list[dict[str, str]]:
    """One button per question, then "Iets anders" and (unless offered already) "Iemand spreken"."""
    titles = {
        intent: title for action_titles in ACTION_TOPICS.values() for intent, title in action_titles.items()
    }
    buttons = [
        {"title": questions.get(intent) or titles[intent], "payload": f"/{intent}"} for intent in intents
    ]
    buttons.append({"title": EXTRA_BUTTONS["something_else"], "payload": f"/{SOMETHING_ELSE}"})
    if REQUEST_HUMAN not in intents:
        buttons.append({"title": EXTRA_BUTTONS["person"], "payload": f"/{REQUEST_HUMAN}"})
    return buttons


class ActionHandleNluFallback(Action):
    """The first answer to an unsure message, and to "Iets anders" (see the module docstring)."""

    def name(self) -> str:
        return "action_handle_nlu_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        # Counted for the team's dashboard: without a topic later, this conversation is "niet begrepen".
        # Best effort, never in the resident's way.
        BackendClient.from_settings(settings).note_conversation_soon(
            tracker.sender_id, conversation_channel(tracker), None, misunderstood=True
        )
        if (tracker.latest_message.get("intent") or {}).get("name") == SOMETHING_ELSE:
            dispatcher.utter_message(response="utter_ask_rephrase_other")
            return []
        answers = content_store(settings.content_dir).answers
        form = settings.address_form
        decision = decide(tracker.latest_message, answers)
        # For the review page: the message, the kind of reply and the model's best guesses.
        guesses = [intent for intent, _ in real_ranking(tracker.latest_message)[:3]]
        report_missed(
            tracker, settings, "fallback" if decision.kind == "rephrase" else "verduidelijking", guesses
        )
        if decision.kind == "competing_topics":
            topics = [topic_of(intent) or "" for intent in decision.intents]
            ask_which_topic(dispatcher, form, list(zip(topics, decision.intents, strict=True)))
        elif decision.kind == "competing_questions":
            dispatcher.utter_message(
                text=WHICH[form],
                buttons=[
                    {"title": answers[intent].question, "payload": f"/{intent}"}
                    for intent in decision.intents
                ],
            )
        elif decision.kind == "topic_choice":
            questions = {intent: answer.question for intent, answer in answers.items()}
            dispatcher.utter_message(
                text=WHICH_OF_TOPIC[form], buttons=topic_choice_buttons(decision.intents, questions)
            )
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
