"""The message pipeline's feedback step: the resident's answer to "Wat miste je?" (issue 23).

After "Nee" to "Heeft dit geholpen?" `action_feedback` (actions/feedback.py) asks one optional short
question, "Wat miste je?", and sets the slot `feedback_remark_for` to the answer's id. The next typed
message, when the bot's last message is still that question, is the remark:

1. unless the NLU (with the safety net) reads a crisis or a possible signal in it: then it goes on to
   Rasa like any message, and the crisis rules answer it;
2. it is sent to the case backend (POST /api/feedback/remark; masked and cut to 300 characters there);
3. when the NLU reads a clear question of another answer or a request in it ("hoe vraag ik huurtoeslag
   aan?", "kan iemand me bellen?"), the slot is cleared and the message goes on to Rasa, which answers it:
   a resident who answers "Wat miste je?" with the question they still have loses nothing;
4. otherwise the slot is cleared, `action_feedback_remark` thanks the resident and offers a person, and
   the bot listens again.

A remark of step 4 does not go on to Rasa's NLU and policies, so it is not stored in the conversation. A
button (Overslaan, Iemand spreken), a paused conversation, an active form and any other moment leave the
message untouched. A backend that cannot be reached loses the remark, never the resident's turn.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, SlotSet

from bot.assistant.backend_http import backend_client
from bot.assistant.channels.action_contract import (
    FEEDBACK_REMARK_ACTION,
    FEEDBACK_REMARK_FOR_SLOT,
    MISSING_QUESTIONS,
)
from bot.assistant.channels.crisis_while_paused import reads_as_crisis
from bot.assistant.channels.turn_events import Turn, TurnReader, latest_bot_text
from bot.shared.topics import ANSWER_TOPICS

logger = logging.getLogger(__name__)

#: The policy name the step's action is logged with in the tracker.
FEEDBACK_POLICY = "FeedbackStep"
REMARK_TIMEOUT_SECONDS = 3.0
#: What is sent of a remark at most (the backend keeps 300 characters).
REMARK_SEND_MAX = 2000
#: Requests that are no remark but something the resident wants now.
REQUEST_INTENTS = frozenset(
    {"request_human", "request_callback", "book_spreekuur", "cancel_booking", "delete_my_data"}
)


async def take_remark(agent: Any, message: UserMessage, turn_before: TurnReader) -> bool:
    """Handle the answer to "Wat miste je?"; True when it was (it goes no further).

    `turn_before` gives the latest stored turn (`stored_turn`), read once for the pipeline's steps."""
    text = (message.text or "").strip()
    if agent is None or getattr(agent, "processor", None) is None or not text or text.startswith("/"):
        return False
    try:
        answer_id = await remark_expected(agent, message.sender_id, turn_before())
        if answer_id is None:
            return False
        parsed = await agent.parse_message(text)
        if reads_as_crisis(parsed):
            return False  # the crisis rules answer it
        await send_remark(message.sender_id, text, answer_id)
        if is_another_question(parsed, answer_id):
            await forget_question(agent, message)
            return False  # Rasa answers the question the resident still has
        await thank(agent, message)
    except Exception as error:  # never lose the resident's message over this step
        logger.error("Taking a feedback remark failed (%s); the message goes on", type(error).__name__)
        return False
    return True


def is_another_question(parsed: dict[str, Any], answer_id: str) -> bool:
    """Whether the NLU reads a clear question of another answer, or a request, in the remark."""
    intent = str((parsed.get("intent") or {}).get("name") or "")
    if not intent or intent == answer_id:
        return False
    return intent.startswith(tuple(f"{topic}_" for topic in ANSWER_TOPICS)) or intent in REQUEST_INTENTS


async def forget_question(agent: Any, message: UserMessage) -> None:
    """Clear the slot, so that the message goes on to Rasa as an ordinary one."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.processor.fetch_tracker_and_update_session(
            message.sender_id, message.output_channel, message.metadata
        )
        tracker.update(SlotSet(FEEDBACK_REMARK_FOR_SLOT, None))
        await agent.processor.save_tracker(tracker)


def asked_in_latest_turn(turn: Turn) -> bool:
    """Whether the latest turn's last bot message asked "Wat miste je?"."""
    return any(question in latest_bot_text(turn) for question in MISSING_QUESTIONS)


async def remark_expected(agent: Any, sender_id: str, turn: Turn | None) -> str | None:
    """The answer id ("" when unknown) whose "Wat miste je?" is the bot's last message; else None.

    Nearly every message is no such answer: the latest turn's rows (one indexed query,
    bot/assistant/channels/turn_events.py) say so without loading the conversation."""
    if turn is not None and not asked_in_latest_turn(turn):
        return None
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None or tracker.is_paused() or tracker.active_loop_name:
        return None
    answer_id = tracker.get_slot(FEEDBACK_REMARK_FOR_SLOT)
    latest = tracker.latest_bot_utterance
    if answer_id is None or latest is None:
        return None
    return (
        str(answer_id) if any(question in str(latest.text or "") for question in MISSING_QUESTIONS) else None
    )


async def send_remark(sender_id: str, text: str, answer_id: str) -> bool:
    """POST /api/feedback/remark; False (logged) when the backend did not take it."""
    body: dict[str, Any] = {"conversation_id": sender_id[:200], "text": text[:REMARK_SEND_MAX]}
    if answer_id:
        body["answer_id"] = answer_id
    try:
        async with backend_client(REMARK_TIMEOUT_SECONDS) as client:
            response = await client.post("/api/feedback/remark", json=body)
    except httpx.HTTPError as error:
        logger.warning("Feedback remark not recorded: %s", type(error).__name__)
        return False
    if response.status_code != 200:
        logger.warning("Feedback remark not recorded: the backend answered %d", response.status_code)
        return False
    return True


async def thank(agent: Any, message: UserMessage) -> None:
    """Steps 3 and 4 of the module's docstring, under the conversation's lock."""
    processor = agent.processor
    sender = message.sender_id
    async with agent.lock_store.lock(sender):
        tracker = await processor.fetch_tracker_and_update_session(
            sender, message.output_channel, message.metadata
        )
        tracker.update(SlotSet(FEEDBACK_REMARK_FOR_SLOT, None))
        await processor.save_tracker(tracker)
        if FEEDBACK_REMARK_ACTION in agent.domain.action_names_or_texts:
            prediction = PolicyPrediction.for_action_name(
                agent.domain, FEEDBACK_REMARK_ACTION, FEEDBACK_POLICY
            )
            tracker = await processor.execute_action(
                sender, FEEDBACK_REMARK_ACTION, message.output_channel, agent.nlg, prediction
            )
        if tracker is not None:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await processor.save_tracker(tracker)
