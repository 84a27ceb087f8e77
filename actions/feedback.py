"""Feedback on answers (issue 23): "Heeft dit geholpen?" with Ja and Nee on the answer's own message.

An answer (actions/answers.py) and the end of a stappenplan (actions/plans.py) carry the question and
the two buttons, whose payloads name the answer (`/feedback_yes{"answer_id": ...}`), unless the
question would be out of place: during a form (a booking, a callback), in a turn with a crisis reply or
a safety check-in. Each shown answer is counted in the case backend (POST /api/feedback/shown).

`action_feedback` handles the buttons (data/rules/feedback.yml): "Ja" thanks; "Nee" asks one optional
short question, "Wat miste je?", with the buttons Overslaan and Iemand spreken. The message pipeline
reads the resident's answer to it (bot/assistant/channels/feedback_step.py), sends it to the backend
(masked and cut there) and runs `action_feedback_remark`, which thanks. The verdict and the remark are
stored per answer id, municipality (the slot `gemeente`, may be unknown), content version and channel.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import AnswerReport, BackendClient
from actions.content import content_version
from actions.municipality import known_municipality
from actions.session import conversation_channel
from bot.assistant.channels.action_contract import FEEDBACK_REMARK_FOR_SLOT
from bot.assistant.settings import RasaSideSettings, rasa_side_settings

#: The slot that holds the answer whose "Nee" asked "Wat miste je?" (domain/feedback.yml).
REMARK_FOR_SLOT = FEEDBACK_REMARK_FOR_SLOT
QUESTION = "Heeft dit geholpen?"
ANSWER_ID = re.compile(r"^(plan:)?[a-z][a-z0-9_]{0,90}$")
#: Replies in whose turn the question would be out of place: crisis replies and the safety check-ins.
_SAFETY_REPLY_PREFIXES = ("utter_crisis", "utter_safety_check_in")
PERSON_BUTTON = {"title": "Iemand spreken", "payload": "/request_human"}
TOPIC_BUTTONS = [
    {"title": "Geldzorgen", "payload": "/schulden_algemeen"},
    {"title": "Wonen", "payload": "/huisvesting_algemeen"},
    {"title": "Opvoeden en jeugd", "payload": "/jeugdhulp_algemeen"},
]
MESSAGES = {
    "je": {
        "glad": "Fijn dat het geholpen heeft! Heb je nog een andere vraag? Stel hem gerust.",
        "missing": "Jammer dat dit niet hielp. Wat miste je? Schrijf het in een paar woorden. Zo maken we "
        "de antwoorden beter. Schrijf geen naam of telefoonnummer.\n\nJe mag dit ook overslaan. Wil je "
        "liever iemand van het wijkteam spreken? Dat kan ook.",
        "skipped": "Goed. Waar kan ik je nog mee helpen?",
        "thanks": "Dank je wel. Het team leest dit en maakt de antwoorden beter. Wil je toch iemand van "
        "het wijkteam spreken? Dat kan.",
    },
    "u": {
        "glad": "Fijn dat het geholpen heeft! Heeft u nog een andere vraag? Stel hem gerust.",
        "missing": "Jammer dat dit niet hielp. Wat miste u? Schrijf het in een paar woorden. Zo maken we "
        "de antwoorden beter. Schrijf geen naam of telefoonnummer.\n\nU mag dit ook overslaan. Wilt u "
        "liever iemand van het wijkteam spreken? Dat kan ook.",
        "skipped": "Goed. Waar kan ik u nog mee helpen?",
        "thanks": "Dank u wel. Het team leest dit en maakt de antwoorden beter. Wilt u toch iemand van "
        "het wijkteam spreken? Dat kan.",
    },
}


def feedback_buttons(answer_id: str) -> list[dict[str, str]]:
    """Ja and Nee, each naming the answer."""
    entity = json.dumps({"answer_id": answer_id})
    return [
        {"title": "Ja", "payload": f"/feedback_yes{entity}"},
        {"title": "Nee", "payload": f"/feedback_no{entity}"},
    ]


def with_question(text: str) -> str:
    return f"{text}\n\n{QUESTION}"


def may_ask(tracker: Tracker) -> bool:
    """Whether "Heeft dit geholpen?" fits this turn: no form active, no crisis reply or safety check-in
    since the resident's message."""
    if tracker.active_loop.get("name"):
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and str(event.get("name") or "").startswith(_SAFETY_REPLY_PREFIXES):
            return False
    return True


def answer_report(tracker: Tracker, settings: RasaSideSettings, answer_id: str) -> AnswerReport:
    """The answer's id, the channel, the content version and the resident's municipality (if known)."""
    return AnswerReport(
        answer_id,
        conversation_channel(tracker),
        content_version(settings.content_dir),
        known_municipality(tracker),
    )


def count_shown(tracker: Tracker, settings: RasaSideSettings, answer_id: str) -> None:
    """Report a shown answer to the backend, without waiting (best effort)."""
    BackendClient.from_settings(settings).answer_shown_soon(
        tracker.sender_id, answer_report(tracker, settings, answer_id)
    )


class ActionFeedback(Action):
    """The buttons Ja, Nee (with the answer's id) and Overslaan; see the module's docstring."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        messages = MESSAGES[settings.address_form]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events: list[EventType] = [SlotSet(REMARK_FOR_SLOT, None)]
        if tracker.get_slot("plan_feedback_pending"):
            events.append(SlotSet("plan_feedback_pending", None))
        if intent == "feedback_skip":
            dispatcher.utter_message(text=messages["skipped"], buttons=TOPIC_BUTTONS)
            return events
        answer_id = next(tracker.get_latest_entity_values("answer_id"), None)
        valid = isinstance(answer_id, str) and ANSWER_ID.match(answer_id) is not None
        helped = intent == "feedback_yes"
        if valid:
            report = answer_report(tracker, settings, str(answer_id))
            await BackendClient.from_settings(settings).answer_verdict(
                tracker.sender_id, report, helped=helped
            )
        if helped:
            dispatcher.utter_message(text=messages["glad"])
            return events
        skip = {"title": "Overslaan", "payload": "/feedback_skip"}
        dispatcher.utter_message(text=messages["missing"], buttons=[skip, PERSON_BUTTON])
        return [*events[1:], SlotSet(REMARK_FOR_SLOT, str(answer_id) if valid else "")]


class ActionFeedbackRemark(Action):
    """Thanks for the answer to "Wat miste je?" (the message pipeline stored it and runs this action)."""

    def name(self) -> str:
        return "action_feedback_remark"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        messages = MESSAGES[rasa_side_settings().address_form]
        dispatcher.utter_message(text=messages["thanks"], buttons=[PERSON_BUTTON])
        return [SlotSet(REMARK_FOR_SLOT, None)]
