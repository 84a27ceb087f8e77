"""What the resident channels do after Rasa has handled a message: one look at the conversation, if any.

Three things can be needed once Rasa has handled (and saved) a resident's message:

- **A crisis message in a paused conversation.** While a staff member has the conversation, the
  tracker is paused (`ConversationPaused`): Rasa logs each message, runs the NLU on it (so the SafetyNet
  component still sets its crisis intent), and predicts nothing. We run the crisis response the rules
  give (`utter_<crisis intent>`, data/rules/safety.yml) into the same output channel.
- **Silence.** Rasa 3.6 stays silent when a custom action fails (the action server is down or too
  slow): it logs the exception, drops that action's events and listens again. The message is stored,
  so nothing is lost, but the resident would see nothing; we send `utter_technical_problem`
  (domain/robustness.yml) unless the conversation is paused for a staff member.
- **"Verwijder mijn gegevens".** After a turn in which `action_delete_my_data` ran and told the resident,
  we delete the conversation (bot/channels/forget.py). It must happen after Rasa saved the turn: the
  SQL tracker store saves the events it does not yet hold, so an earlier deletion would be undone.

All three follow from what Rasa sent for the message, which `SentResponses` records: when Rasa sent
at least one bot message and none of them confirmed a deletion (nearly every turn), there is nothing
to do and the conversation is not read at all. Otherwise it is read once, under the conversation's
lock, and the checks above are made on that one copy. Reading the stored conversation is the costly
part (the whole session is loaded and replayed), which is why it is skipped in the common case.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.channels.forget import delete_conversation, deletion_requested

logger = logging.getLogger(__name__)

CRISIS_PREFIX = "crisis_"
TECHNICAL_PROBLEM = "utter_technical_problem"
#: The response `action_delete_my_data` sends once it has done its part (actions/privacy.py).
DELETION_CONFIRMED = "utter_my_data_deleted"
CRISIS_POLICY = "PausedSafetyNet"
SILENCE_POLICY = "SilenceGuard"


class SentResponses:
    """Records the bot messages Rasa sends through one message's output channel.

    Each entry is the message's `utter_action` (the domain response it came from; Rasa adds it for
    responses of the domain and of custom actions), or None for a message without one.
    """

    def __init__(self, output_channel: OutputChannel) -> None:
        self.responses: list[str | None] = []
        send_response = output_channel.send_response

        async def recording_send_response(recipient_id: str, message: dict[str, Any]) -> None:
            """Note the message, then send it as the channel always does."""
            self.responses.append(message.get("utter_action"))
            await send_response(recipient_id, message)

        output_channel.send_response = recording_send_response  # type: ignore[method-assign]

    def need_a_look(self) -> bool:
        """Whether the conversation must be read: no bot message at all, or a deletion confirmed."""
        return not self.responses or DELETION_CONFIRMED in self.responses


def crisis_response(intent: str | None) -> str | None:
    """The response the safety rules give to a crisis intent (None for any other intent)."""
    return f"utter_{intent}" if intent and intent.startswith(CRISIS_PREFIX) else None


def replied_since_last_user_message(events: list[Any]) -> bool:
    """Whether a bot message follows the latest user message."""
    for event in reversed(events):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, UserUttered):
            return False
    return False


async def after_turn(agent: Any, message: UserMessage, sent: SentResponses) -> None:
    """The crisis reply while paused, a kind reply to silence and the deletion a resident asked for."""
    processor = getattr(agent, "processor", None)
    if processor is None or not sent.need_a_look():
        return
    async with agent.lock_store.lock(message.sender_id):
        tracker = await processor.get_tracker(message.sender_id)
        latest = tracker.latest_message
        if latest is None or latest.message_id != message.message_id:
            return  # a newer message of this conversation was handled meanwhile: it is its turn
        events = list(tracker.events)
        paused = tracker.is_paused()
        if paused:
            action = crisis_response(latest.intent.get("name"))
            if action is not None:
                logger.info("Conversation is paused; sending the safety reply %s", action)
                await _run(agent, message, action, CRISIS_POLICY)
        elif not replied_since_last_user_message(events):
            logger.warning("No reply to a message (action server down?); sending %s", TECHNICAL_PROBLEM)
            await _run(agent, message, TECHNICAL_PROBLEM, SILENCE_POLICY)
        if deletion_requested(events):
            try:
                deleted = delete_conversation(agent.tracker_store, message.sender_id)
            except Exception as error:
                logger.error("Deleting a conversation on request failed: %s", type(error).__name__)
            else:
                logger.info("Deleted a conversation on the resident's request (%d stored rows)", deleted)


async def _run(agent: Any, message: UserMessage, action: str, policy: str) -> None:
    """Run a domain response into the message's channel and listen again, as after any bot turn.

    Listening again matters for a paused conversation: once resumed, rules that start with an intent
    (such as EXTERNAL_handover_closed) must match. Failures are logged: the message itself is stored.
    """
    if action not in agent.domain.action_names_or_texts:
        return
    try:
        prediction = PolicyPrediction.for_action_name(agent.domain, action, policy)
        tracker = await agent.processor.execute_action(
            message.sender_id, action, message.output_channel, agent.nlg, prediction
        )
        if tracker is not None:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.processor.save_tracker(tracker)
    except Exception as error:
        logger.error("Sending %s after a turn failed: %s", action, type(error).__name__)
