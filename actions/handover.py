"""Handover to a person: ask consent, record the handover with a summary, pause or offer a callback.

Three ways lead here: the resident asks for a person (`request_human`, also the "Iemand spreken"
buttons), a second misunderstanding in a row, or a stappenplan that did not help. The summary carries
what the resident already told, so they tell their story once. Within office hours the bot pauses
(`ConversationPaused`) and a staff member answers in the same chat; outside them the bot says when
the team is open again and offers a terugbelverzoek. See docs/handover.md.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected, BackendUnavailable
from actions.content import ContentStore, content_store
from actions.form_base import say
from actions.municipality import ask_once, known_municipality, municipality_name, municipality_of
from actions.plans import record_typed_verdict
from actions.session import conversation_channel
from bot.assistant.channels.action_contract import CLIENT_METADATA_KEY
from bot.assistant.channels.limit_replies import handovers_reply
from bot.assistant.settings import rasa_side_settings
from bot.shared.booking_codes import written_codes
from bot.shared.fields import SUMMARY_MAX
from bot.shared.topics import ANSWER_TOPICS, RESIDENT_LABELS

logger = logging.getLogger(__name__)

#: Why the conversation is handed over: the slot value, and the reason the staff page shows.
REASONS = {
    "request": "De bewoner vroeg om een medewerker.",
    "fallback": "De assistent begreep de bewoner twee keer niet.",
    "plan": "Het stappenplan hielp de bewoner niet genoeg.",
    "crisis": "Na een crisisbericht: de bewoner wil iemand spreken.",
}
CONSENT_QUESTIONS = {
    "request": "utter_ask_handover_consent",
    "crisis": "utter_ask_handover_consent",
    "fallback": "utter_ask_handover_consent_fallback",
    "plan": "utter_ask_handover_consent_plan",
}
#: The in-hours message per channel (the widget is Rasa's socket.io channel).
OPEN_MESSAGES = {"socketio": "utter_handover_open_widget", "telegram": "utter_handover_open_telegram"}
CONTACT_CHAT = "Antwoord in dit chatgesprek."
#: The staff page shows the callback request itself beside the handover once the resident fills it in.
CONTACT_CALLBACK = "Buiten openingstijden: de bewoner kan een terugbelverzoek invullen."
DEFAULT_REPLY_TIME = "een half uur"
#: Messages that say nothing about the question itself.
# Misunderstood messages stay: a person must read them.
SMALL_TALK = {"affirm", "deny", "greet", "thank", "goodbye"}
MAX_MESSAGES = 5
MAX_MESSAGE_CHARS = 240
TOO_MANY_HANDOVERS = "too_many_handovers"


def _shorten(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def resident_messages(tracker: Tracker) -> list[str]:
    """The resident's last typed messages about their question (no button presses, no 'ja'/'nee')."""
    found = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        text = str(event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if text and not text.startswith("/") and intent not in SMALL_TALK:
            found.append(_shorten(text))
    return found[-MAX_MESSAGES:]


def last_booking_code(tracker: Tracker) -> str | None:
    """The last booking code said in the conversation (a confirmation, or typed by the resident)."""
    codes = [
        match
        for event in tracker.events
        if event.get("event") in ("user", "bot")
        for match in written_codes(str(event.get("text") or ""))
    ]
    return codes[-1] if codes else None


def client_key(tracker: Tracker) -> str | None:
    """The hashed address the channel put on the resident's latest message, for the limit per client."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            value = metadata.get(CLIENT_METADATA_KEY) if isinstance(metadata, dict) else None
            return value if isinstance(value, str) else None
    return None


def handover_topic(tracker: Tracker, reason: str) -> str | None:
    if reason == "crisis":
        return "veiligheid"
    topic = tracker.get_slot("topic")
    return topic if topic in ANSWER_TOPICS else None


def municipality_line(tracker: Tracker, store: ContentStore) -> str:
    """ "Gemeente: Heideveen." (or that the default was taken because the resident did not say)."""
    slug = known_municipality(tracker)
    if slug is not None:
        return f"Gemeente: {municipality_name(store, slug)}."
    default = municipality_name(store, rasa_side_settings().default_municipality)
    return f"Gemeente: niet bekend (de bewoner zei het niet; {default} aangenomen)."


def conversation_summary(tracker: Tracker, store: ContentStore, reason: str) -> str:
    """What a staff member needs to read first, in Dutch, at most about 2000 characters."""
    lines = [REASONS.get(reason, REASONS["request"]), municipality_line(tracker, store)]
    topic = tracker.get_slot("topic")
    if topic in RESIDENT_LABELS:
        lines.append(f"Onderwerp: {RESIDENT_LABELS[topic]}.")
    plan = store.plans.get(tracker.get_slot("plan_id") or "")
    finished = store.plans.get(tracker.get_slot("plan_finished") or "")
    if plan is not None:
        step = int(tracker.get_slot("plan_step") or 0) + 1
        lines.append(f"Stappenplan: '{plan.title['je']}', bij stap {step} van {len(plan.steps)}.")
    elif finished is not None:
        lines.append(f"Stappenplan afgerond: '{finished.title['je']}'.")
    code = last_booking_code(tracker)
    if code:
        lines.append(f"Afspraakcode: {code}.")
    messages = resident_messages(tracker)
    if messages:
        lines.append("De bewoner schreef (laatste berichten):")
        lines += [f"- {message}" for message in messages]
    return "\n".join(lines)[:SUMMARY_MAX]


def consent_reason(tracker: Tracker) -> str:
    """Which of the three triggers (or a crisis just before) led to the consent question."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        return "fallback"
    if intent == "deny":  # only the end of a stappenplan asks consent after a "nee"
        return "plan"
    recent = [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
        for event in tracker.events
        if event.get("event") == "user"
    ][-4:]
    return "crisis" if any(name.startswith("crisis_") for name in recent) else "request"


class ActionAskHandoverConsent(Action):
    """Asks whether the question may be passed on to a staff member (nothing is sent yet)."""

    def name(self) -> str:
        return "action_ask_handover_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = consent_reason(tracker)
        dispatcher.utter_message(response=CONSENT_QUESTIONS[reason])
        events: list[EventType] = [SlotSet("handover_reason", reason)]
        if tracker.get_slot("plan_feedback_pending"):  # a typed "nee" to "Heeft dit geholpen?"
            await record_typed_verdict(tracker, helped=False)
            events.append(SlotSet("plan_feedback_pending", None))
        return events


class ActionHandoverDeclined(Action):
    """Answers "nee" to the consent question (nothing is passed on), or to the callback offer after hours."""

    def name(self) -> str:
        return "action_handover_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reason = tracker.get_slot("handover_reason")
        if reason == "fallback":
            dispatcher.utter_message(response="utter_try_again")
        elif reason is None and tracker.get_slot("handover_id") is not None:
            # "Nee" to the callback offer after hours: the handover itself is recorded.
            say(dispatcher, "utter_handover_no_callback", rasa_side_settings(), tracker)
        else:
            dispatcher.utter_message(response="utter_handover_declined")
        return [SlotSet("handover_reason", None)]


class ActionHandover(Action):
    """Records the handover; pauses the bot within office hours, else offers a terugbelverzoek."""

    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = rasa_side_settings()
        # The handover goes to the resident's municipality's team: ask it once first (the pipeline
        # runs this action again with the answer; handover_reason stays set meanwhile). Never after a
        # crisis message: a person is reached first, the default team passes it on.
        if tracker.get_slot("handover_reason") != "crisis":
            asked = await ask_once(dispatcher, tracker, settings, self.name())
            if asked is not None:
                return asked
        store = content_store(settings.content_dir)
        municipality = municipality_of(tracker, settings)
        client = BackendClient.from_settings(settings)
        reason = tracker.get_slot("handover_reason") or "request"
        channel = conversation_channel(tracker)
        topic = handover_topic(tracker, reason)
        try:
            hours = await client.office_hours(known_municipality(tracker))  # unknown: the default's
            contact = CONTACT_CHAT if hours.get("open_now") else CONTACT_CALLBACK
            handover = await client.create_handover(
                tracker.sender_id,
                channel,
                REASONS.get(reason, REASONS["request"]),
                topic=topic,
                summary=conversation_summary(tracker, store, reason),
                contact_request=contact,
                client=client_key(tracker),
                municipality=municipality,
            )
        except (BackendUnavailable, BackendRejected) as error:
            logger.warning("Handover not recorded: %s", error)
            if isinstance(error, BackendRejected) and error.code == TOO_MANY_HANDOVERS:
                # One connection asked for a person too often this hour (docs/security.md, "Abuse limits").
                phone = store.local_values_for(municipality).get("wijkteam_telefoon")
                reply = handovers_reply(error.retry_after or 3600, phone, settings.address_form)
                dispatcher.utter_message(text=reply)
            else:
                say(dispatcher, "utter_handover_unavailable", settings, tracker)
            return [SlotSet("handover_reason", None)]
        client.note_conversation_soon(tracker.sender_id, channel, topic, municipality=municipality)
        events: list[EventType] = [
            SlotSet("handover_id", float(handover["id"])),
            SlotSet("handover_reason", None),
        ]
        if hours.get("open_now"):
            say(
                dispatcher,
                OPEN_MESSAGES.get(channel, "utter_handover_open_chat"),
                settings,
                tracker,
                reactietijd=store.local_values_for(municipality).get(
                    "wijkteam_chat_reactietijd", DEFAULT_REPLY_TIME
                ),
                closes_label=hours.get("closes_at_label") or "het einde van de dag",
            )
            # The bot listens again once resumed: without this action_listen the rules that start
            # with an intent (EXTERNAL_handover_closed) would not match after the pause.
            return [*events, ConversationPaused(), ActionExecuted("action_listen")]
        if hours.get("next_open_label"):
            say(
                dispatcher,
                "utter_handover_after_hours",
                settings,
                tracker,
                next_open_label=hours["next_open_label"],
            )
        else:
            say(dispatcher, "utter_handover_after_hours_no_date", settings, tracker)
        return events


class ActionHandoverClosed(Action):
    """The staff member closed the handover (EXTERNAL_handover_closed): the bot talks again."""

    def name(self) -> str:
        return "action_handover_closed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_handover_closed")
        return [SlotSet("handover_id", None), SlotSet("handover_reason", None)]
