"""Follow-up check-ins ("vinger aan de pols", issue 24) and "stop berichten".

Consent comes first. `action_checkin_offer` asks "Mag ik je over 5 werkdagen een bericht sturen?" after
a stappenplan helped (the "Ja" to "Heeft dit geholpen?"; a "Nee" leads to the offer of a person instead),
after a staff member closed a handover, and after a callback was marked done (the backend's
`EXTERNAL_callback_done`). Only on channels that can reach the resident later (Telegram, WhatsApp), never
after a crisis message in the conversation (someone else may read the phone), and not after "stop
berichten". "Ja" schedules the check-in in the case backend (POST /api/checkins).

When it is due the backend's worker sends `EXTERNAL_checkin` with the scheduled message's id;
`action_checkin` asks the question of the plan or topic (content/plans, content/checkins.yml) with the
buttons "Goed, dank je" / "Het lukt niet" / "Ik wil iemand spreken". `action_checkin_answer` records the
answer (the staff page shows it): "Het lukt niet" offers the stappenplan again (or resumes it) and a
callback; "Ik wil iemand spreken" goes on to the handover's consent question (data/rules/checkins.yml).

"stop berichten" (`action_stop_messages`) stops every message the assistant would send by itself:
check-ins and reminders, here and in linked conversations (POST /api/keep-in-touch/stop).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.content import content_store, plan_start_payload
from actions.municipality import known_municipality
from actions.session import conversation_channel
from bot.assistant.settings import rasa_side_settings

logger = logging.getLogger(__name__)

#: Channels on which the assistant can write to the resident days later.
REACHABLE_CHANNELS = frozenset({"telegram", "whatsapp"})
#: What the resident agreed to be asked about (the backend's `FollowUpSource`).
PLAN, HANDOVER, CALLBACK = "stappenplan", "overdracht", "terugbelverzoek"
OFFER_SLOT = "checkin_offer"
#: Set after "stop berichten": no more offers in this conversation.
STOPPED_SLOT = "messages_stopped"
#: The check-in's buttons: intent -> the outcome the backend stores.
OUTCOMES = {
    "checkin_goed": "goed",
    "checkin_lukt_niet": "lukt_niet",
    "checkin_iemand_spreken": "iemand_spreken",
    # Typed right after the check-in (data/rules/checkins.yml): "ja", "dank je", "nee", "iemand spreken".
    "affirm": "goed",
    "thank": "goed",
    "deny": "lukt_niet",
    "request_human": "iemand_spreken",
}
#: The check-in just asked (for a typed answer, which carries no id).
MESSAGE_SLOT = "checkin_message_id"
#: No check-in after these topics: a message days later could be read by the wrong person.
NO_CHECKIN_TOPICS = frozenset({"veiligheid"})

MESSAGES = {
    "je": {
        "offer": "Mag ik je over {days} werkdagen een bericht sturen? Dan vraag ik hoe het gaat. "
        "Dat hoeft niet.",
        "callback_done": "Hallo, met de digitale assistent van het wijkteam. "
        "Iemand van het wijkteam heeft je teruggebeld.",
        "yes": "Ja, graag",
        "no": "Nee, dank je",
        "consented": "Goed. Ik stuur je op {when} een bericht. Wil je geen berichten meer? "
        "Typ dan 'stop berichten'.",
        "declined": "Goed, ik stuur je geen bericht. Je kunt me altijd zelf een bericht sturen.",
        "opted_out": "Je wilde geen berichten meer van mij. Daarom stuur ik je niets. "
        "Je kunt me altijd zelf een bericht sturen.",
        "unavailable": "Dat lukt me nu even niet. Je kunt me later altijd zelf een bericht sturen.",
        "checkin": "Hallo, met de digitale assistent van het wijkteam. Je vond het goed dat ik zou vragen "
        "hoe het gaat. {question}\n\n"
        "Wil je geen berichten meer? Typ dan 'stop berichten'.",
        "good_button": "Goed, dank je",
        "stuck_button": "Het lukt niet",
        "person_button": "Ik wil iemand spreken",
        "good": "Fijn om te horen! Heb je later nog een vraag? Stuur me gerust een bericht.",
        "stuck_plan": "Jammer dat het niet lukt. Je hoeft het niet alleen te doen. Wil je het stappenplan "
        "nog eens doen? Of zal iemand van het wijkteam je bellen?",
        "stuck": "Jammer dat het niet lukt. Je hoeft het niet alleen te doen. Zal iemand van het wijkteam "
        "je bellen? Of wil je nu iemand spreken?",
        "plan_again": "Stappenplan nog eens",
        "plan_resume": "Verder met het stappenplan",
        "person": "Goed. Ik help je om iemand van het wijkteam te spreken.",
        "stopped": "Goed. Je krijgt geen berichten meer van mij: geen herinneringen en geen vragen hoe "
        "het gaat. Je kunt me altijd zelf een bericht sturen.",
        "stop_failed": "Dat lukt me nu even niet. Typ straks nog eens 'stop berichten'.",
        "ask_away": "Waar kan ik je mee helpen? Typ je vraag, of kies een onderwerp.",
        "later": "Goed. Heb je later nog een vraag? Stuur me gerust een bericht.",
    },
    "u": {
        "offer": "Mag ik u over {days} werkdagen een bericht sturen? Dan vraag ik hoe het gaat. "
        "Dat hoeft niet.",
        "callback_done": "Hallo, met de digitale assistent van het wijkteam. "
        "Iemand van het wijkteam heeft u teruggebeld.",
        "yes": "Ja, graag",
        "no": "Nee, dank u",
        "consented": "Goed. Ik stuur u op {when} een bericht. Wilt u geen berichten meer? "
        "Typ dan 'stop berichten'.",
        "declined": "Goed, ik stuur u geen bericht. U kunt mij altijd zelf een bericht sturen.",
        "opted_out": "U wilde geen berichten meer van mij. Daarom stuur ik u niets. "
        "U kunt mij altijd zelf een bericht sturen.",
        "unavailable": "Dat lukt me nu even niet. U kunt mij later altijd zelf een bericht sturen.",
        "checkin": "Hallo, met de digitale assistent van het wijkteam. U vond het goed dat ik zou vragen "
        "hoe het gaat. {question}\n\n"
        "Wilt u geen berichten meer? Typ dan 'stop berichten'.",
        "good_button": "Goed, dank u",
        "stuck_button": "Het lukt niet",
        "person_button": "Ik wil iemand spreken",
        "good": "Fijn om te horen! Heeft u later nog een vraag? Stuur mij gerust een bericht.",
        "stuck_plan": "Jammer dat het niet lukt. U hoeft het niet alleen te doen. Wilt u het stappenplan "
        "nog eens doen? Of zal iemand van het wijkteam u bellen?",
        "stuck": "Jammer dat het niet lukt. U hoeft het niet alleen te doen. Zal iemand van het wijkteam "
        "u bellen? Of wilt u nu iemand spreken?",
        "plan_again": "Stappenplan nog eens",
        "plan_resume": "Verder met het stappenplan",
        "person": "Goed. Ik help u om iemand van het wijkteam te spreken.",
        "stopped": "Goed. U krijgt geen berichten meer van mij: geen herinneringen en geen vragen hoe "
        "het gaat. U kunt mij altijd zelf een bericht sturen.",
        "stop_failed": "Dat lukt me nu even niet. Typ straks nog eens 'stop berichten'.",
        "ask_away": "Waar kan ik u mee helpen? Typ uw vraag, of kies een onderwerp.",
        "later": "Goed. Heeft u later nog een vraag? Stuur mij gerust een bericht.",
    },
}
CALLBACK_BUTTON = {"title": "Terugbelverzoek", "payload": "/request_callback"}
PERSON_BUTTON = {"title": "Iemand spreken", "payload": "/request_human"}
TOPIC_BUTTONS = [
    {"title": "Geldzorgen", "payload": "/schulden_algemeen"},
    {"title": "Wonen", "payload": "/huisvesting_algemeen"},
    {"title": "Opvoeden en jeugd", "payload": "/jeugdhulp_algemeen"},
]


@dataclass(frozen=True)
class Offer:
    """What a check-in would be about."""

    source: str
    source_id: int | None = None
    plan_id: str | None = None
    topic: str | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, raw: Any) -> Offer | None:
        try:
            data = json.loads(raw) if isinstance(raw, str) else None
            return cls(**data) if isinstance(data, dict) else None
        except (TypeError, ValueError):
            return None


def _intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def _int(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def last_handover_id(tracker: Tracker) -> int | None:
    """The conversation's latest handover (action_handover_closed clears the slot before the offer)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "handover_id" and event.get("value"):
            return _int(event.get("value"))
    return None


def had_crisis(tracker: Tracker) -> bool:
    """Whether any message of the conversation was read as a crisis."""
    return any(
        str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "").startswith("crisis_")
        for event in tracker.events
        if event.get("event") == "user"
    )


def offer_of(tracker: Tracker) -> Offer | None:
    """What the moment offers a check-in about, from the message that led here; None: nothing."""
    intent = _intent(tracker)
    store = content_store(rasa_side_settings().content_dir)
    topic = tracker.get_slot("topic")
    plan_id: str | None = None
    if intent == "feedback_yes":
        answer_id = str(next(tracker.get_latest_entity_values("answer_id"), "") or "")
        plan_id = answer_id.removeprefix("plan:") if answer_id.startswith("plan:") else None
    elif intent == "affirm":  # a typed "ja" to the end of a stappenplan (action_plan_helped)
        plan_id = tracker.get_slot("plan_finished")
    elif intent == "EXTERNAL_handover_closed":
        return Offer(HANDOVER, last_handover_id(tracker), topic=topic)
    elif intent == "EXTERNAL_callback_done":
        callback_id = _int(next(tracker.get_latest_entity_values("callback_id"), None))
        return Offer(CALLBACK, callback_id, topic=topic) if callback_id else None
    plan = store.plans.get(plan_id or "")
    return Offer(PLAN, plan_id=plan.id, topic=plan.topic) if plan is not None else None


def may_offer(tracker: Tracker, offer: Offer | None) -> bool:
    """Consent is asked only where the assistant can reach the resident later, and where it is safe."""
    return (
        offer is not None
        and conversation_channel(tracker) in REACHABLE_CHANNELS
        and offer.topic not in NO_CHECKIN_TOPICS
        and not tracker.get_slot(STOPPED_SLOT)
        and not had_crisis(tracker)
    )


class ActionCheckinOffer(Action):
    """Asks consent for a check-in, when the moment and the channel allow it (see the module's docstring)."""

    def name(self) -> str:
        return "action_checkin_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        offer = offer_of(tracker)
        if offer is None or not may_offer(tracker, offer):
            return []
        settings = rasa_side_settings()
        messages = MESSAGES[settings.address_form]
        question = messages["offer"].format(days=settings.checkin_working_days)
        if offer.source == CALLBACK:  # out of the blue for the resident: say why first
            question = f"{messages['callback_done']} {question}"
        dispatcher.utter_message(
            text=question,
            buttons=[
                {"title": messages["yes"], "payload": "/affirm"},
                {"title": messages["no"], "payload": "/deny"},
            ],
        )
        return [SlotSet(OFFER_SLOT, offer.dump())]


class ActionCheckinConsent(Action):
    """ "Ja" schedules the check-in in the backend; "nee" is fine too. The rules send every "ja" or "nee"
    right after `action_checkin_offer` here, also when it offered nothing: then a kind general reply."""

    def name(self) -> str:
        return "action_checkin_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        messages = MESSAGES[settings.address_form]
        events: list[EventType] = [SlotSet(OFFER_SLOT, None)]
        offer = Offer.load(tracker.get_slot(OFFER_SLOT))
        agreed = _intent(tracker) == "affirm"
        if offer is None:  # nothing was offered: "ja" or "nee" to the message before
            if agreed:
                dispatcher.utter_message(text=messages["ask_away"], buttons=TOPIC_BUTTONS)
            else:
                dispatcher.utter_message(text=messages["later"])
            return events
        if not agreed:
            dispatcher.utter_message(text=messages["declined"])
            return events
        try:
            planned = await BackendClient.from_settings(settings).schedule_checkin(
                tracker.sender_id,
                conversation_channel(tracker),
                offer.source,
                source_id=offer.source_id,
                plan_id=offer.plan_id,
                topic=offer.topic,
                municipality=known_municipality(tracker),
            )
        except BackendRejected as error:
            logger.info("Check-in not planned: %s", error.code)
            key = "opted_out" if error.code == "opted_out" else "unavailable"
            dispatcher.utter_message(text=messages[key])
            return events
        except BackendUnavailable as error:
            logger.warning("Check-in not planned: %s", error)
            dispatcher.utter_message(text=messages["unavailable"])
            return events
        dispatcher.utter_message(text=messages["consented"].format(when=planned.get("due_label") or "later"))
        return events


def checkin_buttons(messages: dict[str, str], message_id: str) -> list[dict[str, str]]:
    entity = json.dumps({"scheduled_message_id": message_id})
    return [
        {"title": messages["good_button"], "payload": f"/checkin_goed{entity}"},
        {"title": messages["stuck_button"], "payload": f"/checkin_lukt_niet{entity}"},
        {"title": messages["person_button"], "payload": f"/checkin_iemand_spreken{entity}"},
    ]


class ActionCheckin(Action):
    """The check-in itself (`EXTERNAL_checkin` from the backend's worker): the plan's or topic's question."""

    def name(self) -> str:
        return "action_checkin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        form = settings.address_form
        messages = MESSAGES[form]
        message_id = _int(next(tracker.get_latest_entity_values("scheduled_message_id"), None))
        plan_id = next(tracker.get_latest_entity_values("plan_id"), None) or None
        topic = next(tracker.get_latest_entity_values("topic"), None) or None
        if message_id is None:
            logger.warning("A check-in without a scheduled message id was not shown")
            return []
        store = content_store(settings.content_dir)
        question = store.text(
            store.checkin_question(plan_id, topic), form, municipality=known_municipality(tracker)
        )
        dispatcher.utter_message(
            text=messages["checkin"].format(question=question),
            buttons=checkin_buttons(messages, str(message_id)),
        )
        return [SlotSet(MESSAGE_SLOT, str(message_id))]


class ActionCheckinAnswer(Action):
    """Records the answer to a check-in and helps on: see the module's docstring."""

    def name(self) -> str:
        return "action_checkin_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        messages = MESSAGES[settings.address_form]
        outcome = OUTCOMES.get(_intent(tracker), "goed")
        pressed = next(tracker.get_latest_entity_values("scheduled_message_id"), None)
        message_id = _int(pressed if pressed is not None else tracker.get_slot(MESSAGE_SLOT))
        checkin: dict[str, Any] = {}
        if message_id is not None:
            try:
                checkin = await BackendClient.from_settings(settings).answer_checkin(
                    message_id, tracker.sender_id, outcome
                )
            except (BackendRejected, BackendUnavailable) as error:
                logger.warning("Check-in answer not recorded: %s", error)
        if outcome == "goed":
            dispatcher.utter_message(text=messages["good"])
        elif outcome == "iemand_spreken":
            dispatcher.utter_message(text=messages["person"])  # the consent question follows (rules)
        else:
            self.stuck(dispatcher, tracker, messages, checkin.get("plan_id"))
        return [SlotSet(MESSAGE_SLOT, None)]

    @staticmethod
    def stuck(
        dispatcher: CollectingDispatcher, tracker: Tracker, messages: dict[str, str], plan_id: Any
    ) -> None:
        """ "Het lukt niet": the plan again (where it was, when it is still open), or a callback."""
        plan = content_store(rasa_side_settings().content_dir).plans.get(str(plan_id or ""))
        if plan is None:
            dispatcher.utter_message(text=messages["stuck"], buttons=[CALLBACK_BUTTON, PERSON_BUTTON])
            return
        if tracker.get_slot("plan_id") == plan.id:
            plan_button = {"title": messages["plan_resume"], "payload": "/stappenplan_hervatten"}
        else:
            plan_button = {"title": messages["plan_again"], "payload": plan_start_payload(plan.id)}
        dispatcher.utter_message(
            text=messages["stuck_plan"], buttons=[plan_button, CALLBACK_BUTTON, PERSON_BUTTON]
        )


class ActionStopMessages(Action):
    """ "stop berichten": no more check-ins or reminders, here and in linked conversations."""

    def name(self) -> str:
        return "action_stop_messages"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        messages = MESSAGES[settings.address_form]
        try:
            await BackendClient.from_settings(settings).stop_messages(tracker.sender_id)
        except (BackendRejected, BackendUnavailable) as error:
            logger.warning("Stop messages not recorded: %s", error)
            dispatcher.utter_message(text=messages["stop_failed"])
            return []
        dispatcher.utter_message(text=messages["stopped"])
        return [SlotSet(STOPPED_SLOT, True), SlotSet(OFFER_SLOT, None)]
