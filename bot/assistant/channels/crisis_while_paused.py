"""Which crisis response a message gets while its conversation is paused for a staff member.

While a staff member has the conversation, the tracker is paused (`ConversationPaused`, actions/handover.py):
Rasa logs each message and runs the NLU on it (so the SafetyNet component still sets its crisis intent),
but predicts nothing. The message pipeline (bot/assistant/channels/message_pipeline.py) then sends the
response the safety rules give (`utter_<crisis intent>`, data/rules/safety.yml) itself; the bot stays silent
on every other message of a paused conversation.

`reads_as_crisis` is the same reading for a message that an abuse limit would refuse: a crisis message
passes every limit.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.nlp.safety_policy import CHECK_IN_KEY

CRISIS_PREFIX = "crisis_"
#: The policy name the crisis response is logged with in the tracker.
CRISIS_POLICY = "PausedSafetyNet"


def crisis_response(intent: str | None) -> str | None:
    """The response the safety rules give to a crisis intent (None for any other intent)."""
    return f"utter_{intent}" if intent and intent.startswith(CRISIS_PREFIX) else None


def paused_crisis_response(tracker: DialogueStateTracker) -> str | None:
    """The crisis response to the latest message when the conversation is paused, else None."""
    if not tracker.is_paused() or tracker.latest_message is None:
        return None
    return crisis_response(tracker.latest_message.intent.get("name"))


def reads_as_crisis(parsed: dict[str, Any]) -> bool:
    """Whether the NLU (with the safety net) reads a crisis, or a possible signal to check in on."""
    intent = str((parsed.get("intent") or {}).get("name") or "")
    return intent.startswith(CRISIS_PREFIX) or bool(parsed.get(CHECK_IN_KEY))
