"""Custom action tests with rasa-sdk's CollectingDispatcher: session start."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart


def make_tracker(slots: dict[str, Any] | None = None, sender_id: str = "resident-1") -> Tracker:
    """A tracker as the action server receives it, with only what these actions read."""
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": slots or {},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


async def test_session_start_introduces_the_assistant_before_anything_else() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain={})
    assert [message["response"] for message in dispatcher.messages] == ["utter_intro"]
    assert events == [SessionStarted(), ActionExecuted("action_listen")]


async def test_session_start_carries_filled_slots_over_when_the_domain_says_so() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"topic": "schulden", "empty": None, "session_started_metadata": {"x": 1}})
    domain = {"session_config": {"carry_over_slots_to_new_session": True}}
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    assert events == [SessionStarted(), SlotSet("topic", "schulden"), ActionExecuted("action_listen")]

    domain = {"session_config": {"carry_over_slots_to_new_session": False}}
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, domain)
    assert events == [SessionStarted(), ActionExecuted("action_listen")]
