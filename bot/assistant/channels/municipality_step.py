"""The message pipeline's municipality step: "ik woon in Heideveen" sets the slot `gemeente`.

Deterministic, before the NLU reads the message (no training data): a message that names a place or
postcode ("ik woon in Oud-Heide", "mijn postcode is 1234 AB", or just "Heideveen" or "1234 AB" right
after the question "In welke gemeente woon je?") is looked up in the case backend
(GET /api/municipalities/lookup). Only when the lookup finds a municipality is the message handled here:

1. the slot `gemeente` is set in the stored conversation;
2. `action_municipality_chosen` confirms it ("Ik onthoud dat je in Heideveen woont");
3. the action that asked the question (the slot `gemeente_pending`) runs again, now with the
   municipality; without one, an active form asks its current question again (its free slots were
   another municipality's);
4. the bot listens again.

The message itself does not go on to Rasa's NLU and policies. Anything the lookup does not know
("ik woon in een huurhuis"), a conversation paused for a staff member, and a backend that cannot be
reached leave the message untouched.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, SlotSet

from bot.assistant.channels.turn_events import Turn, TurnReader, latest_bot_text
from bot.assistant.municipality import (
    ASK_START,
    ASKED_SLOT,
    CHOSEN_ACTION,
    GEMEENTE_SLOT,
    PENDING_SLOT,
    bare_answer,
    explicit_choice,
    lookup,
)

logger = logging.getLogger(__name__)

#: The policy name the step's actions are logged with in the tracker.
MUNICIPALITY_POLICY = "MunicipalityStep"
LOOKUP_TIMEOUT_SECONDS = 3.0


async def choose_municipality(agent: Any, message: UserMessage, turn_before: TurnReader) -> bool:
    """Handle a message that names the resident's municipality; True when it was (it goes no further).

    `turn_before` gives the latest stored turn (`stored_turn`), read once for the pipeline's steps."""
    if agent is None or getattr(agent, "processor", None) is None or not message.text:
        return False
    query = explicit_choice(message.text)
    if query is None:
        query = bare_answer(message.text)
        if query is None or not await question_pending(agent, message.sender_id, turn_before()):
            return False
    found = await lookup(query, LOOKUP_TIMEOUT_SECONDS)
    if found is None:
        return False
    try:
        return await apply_choice(agent, message, str(found["slug"]))
    except Exception as error:  # never lose the resident's message over this step
        logger.error("Setting the municipality failed (%s); the message goes on", type(error).__name__)
        return False


async def question_pending(agent: Any, sender_id: str, turn: Turn | None) -> bool:
    """Whether the bot's last message asked "In welke gemeente woon je?" (and it was not answered).

    Most short messages are no such answer: the latest turn's rows (one indexed query) say so without
    loading the whole conversation."""
    if turn is not None and not latest_bot_text(turn).startswith(ASK_START):
        return False
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception as error:
        logger.error("Could not read the conversation for the municipality step: %s", type(error).__name__)
        return False
    if tracker is None or not tracker.get_slot(ASKED_SLOT) or tracker.get_slot(GEMEENTE_SLOT):
        return False
    latest = tracker.latest_bot_utterance
    return latest is not None and str(latest.text or "").startswith(ASK_START)


def ask_again(agent: Any, tracker: Any) -> str | None:
    """What to run after the choice: the action that asked, else the active form's current question."""
    pending = tracker.get_slot(PENDING_SLOT)
    if pending:
        return str(pending)
    requested = tracker.get_slot(REQUESTED_SLOT) if tracker.active_loop_name else None
    if not requested:
        return None
    for name in (f"action_ask_{requested}", f"utter_ask_{requested}"):
        if name in agent.domain.action_names_or_texts:
            return name
    return None


async def apply_choice(agent: Any, message: UserMessage, slug: str) -> bool:
    """Steps 1 to 4 of the module's docstring, under the conversation's lock."""
    processor = agent.processor
    sender = message.sender_id
    async with agent.lock_store.lock(sender):
        tracker = await processor.fetch_tracker_and_update_session(
            sender, message.output_channel, message.metadata
        )
        if tracker.is_paused():
            return False  # a staff member has the conversation: the message is for them
        again = ask_again(agent, tracker)
        tracker.update(SlotSet(GEMEENTE_SLOT, slug))
        await processor.save_tracker(tracker)
        logger.info("The resident chose a municipality (%s)", slug)
        for action in (CHOSEN_ACTION, again):
            if action and action in agent.domain.action_names_or_texts:
                prediction = PolicyPrediction.for_action_name(agent.domain, action, MUNICIPALITY_POLICY)
                tracker = await processor.execute_action(
                    sender, action, message.output_channel, agent.nlg, prediction
                )
        if tracker is not None:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await processor.save_tracker(tracker)
    return True
