"""A resident never gets silence: when a message got no reply at all, say kindly that something went wrong.

Rasa 3.6 stays silent when a custom action fails (the action server is down or too slow): it logs
"Encountered an exception while running action ...", drops that action's events and listens again.
The resident's message is stored, so nothing is lost, but the resident sees nothing. After Rasa has
handled a message, `reply_if_silent` checks whether any bot message followed it; if not, and the
conversation is not paused for a staff member, it runs the response `utter_technical_problem`
(domain/robustness.yml) into the same output channel. Called by bot/channels/paused_safety.py.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.policies.policy import PolicyPrediction
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

logger = logging.getLogger(__name__)

TECHNICAL_PROBLEM = "utter_technical_problem"
POLICY_NAME = "SilenceGuard"


def replied_since_last_user_message(events: list[Any]) -> bool:
    """Whether a bot message follows the latest user message."""
    for event in reversed(events):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, UserUttered):
            return False
    return False


async def reply_if_silent(agent: Any, message: UserMessage) -> bool:
    """Send `utter_technical_problem` when this message got no reply; True when it was sent."""
    processor = getattr(agent, "processor", None)
    if processor is None or TECHNICAL_PROBLEM not in agent.domain.action_names_or_texts:
        return False
    async with agent.lock_store.lock(message.sender_id):
        tracker = await processor.get_tracker(message.sender_id)
        latest = tracker.latest_message
        if tracker.is_paused() or latest is None or latest.message_id != message.message_id:
            return False
        if replied_since_last_user_message(list(tracker.events)):
            return False
        logger.warning("A message got no reply (is the action server down?); sending %s", TECHNICAL_PROBLEM)
        prediction = PolicyPrediction.for_action_name(agent.domain, TECHNICAL_PROBLEM, POLICY_NAME)
        tracker = await processor.execute_action(
            message.sender_id, TECHNICAL_PROBLEM, message.output_channel, agent.nlg, prediction
        )
        if tracker is not None:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await processor.save_tracker(tracker)
    return True
