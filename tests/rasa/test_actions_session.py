"""Custom action tests with rasa-sdk's CollectingDispatcher: session start."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart, response_variation
from tests.rasa.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain" / "general.yml").read_text())


async def test_session_start_introduces_the_assistant_before_anything_else() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain=DOMAIN)
    [intro] = dispatcher.messages
    assert "digitale assistent van het wijkteam" in intro["text"]
    assert "computer, geen mens" in intro["text"]
    assert [button["title"] for button in intro["buttons"]] == [
        "Geldzorgen",
        "Wonen",
        "Opvoeden en jeugd",
        "Iemand spreken",
    ]
    assert events == [SessionStarted(), SlotSet("address_form", "je"), ActionExecuted("action_listen")]


async def test_session_start_uses_the_configured_form_of_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain=DOMAIN)
    assert "Ik help u met vragen" in dispatcher.messages[0]["text"]
    assert SlotSet("address_form", "u") in events


async def test_session_start_carries_filled_slots_over_when_the_domain_says_so() -> None:
    tracker = make_tracker({"topic": "schulden", "empty": None, "session_started_metadata": {"x": 1}})
    domain = {**DOMAIN, "session_config": {"carry_over_slots_to_new_session": True}}
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, domain)
    assert events == [
        SessionStarted(),
        SlotSet("topic", "schulden"),
        SlotSet("address_form", "je"),
        ActionExecuted("action_listen"),
    ]

    domain = {**DOMAIN, "session_config": {"carry_over_slots_to_new_session": False}}
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, domain)
    assert events == [SessionStarted(), SlotSet("address_form", "je"), ActionExecuted("action_listen")]


def test_a_missing_variation_is_an_error() -> None:
    with pytest.raises(KeyError):
        response_variation({"responses": {"utter_x": [{"text": "hoi"}]}}, "utter_x", "u")


async def test_a_handed_over_conversation_stays_paused_in_its_new_session() -> None:
    """After an hour of silence a new session starts; a staff member still has the conversation."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"handover_id": 7.0, "topic": "schulden"}, paused=True)
    events = await ActionSessionStart().run(dispatcher, tracker, domain=DOMAIN)
    assert dispatcher.messages == []  # no introduction over the staff member's head
    assert events == [
        SessionStarted(),
        SlotSet("handover_id", 7.0),
        SlotSet("topic", "schulden"),
        SlotSet("address_form", "je"),
        ConversationPaused(),
        ActionExecuted("action_listen"),
    ]


async def test_a_paused_conversation_without_a_handover_starts_as_usual() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, make_tracker(paused=True), domain=DOMAIN)
    assert len(dispatcher.messages) == 1 and ConversationPaused() not in events


def tracker_with_events(events: list[dict]) -> Tracker:
    return Tracker.from_dict(
        {"sender_id": "42", "slots": {"topic": "schulden"}, "latest_message": {}, "events": events,
         "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": None}
    )  # fmt: skip


EARLIER_SESSION = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "user", "text": "ik wil een afspraak", "parse_data": {}},
    {"event": "action", "name": "action_listen"},
]


async def test_a_session_the_backend_starts_for_a_reminder_starts_without_the_introduction() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker_with_events(EARLIER_SESSION), domain=DOMAIN)
    assert dispatcher.messages == []
    assert events == [
        SessionStarted(),
        SlotSet("topic", "schulden"),
        SlotSet("address_form", "je"),
        ActionExecuted("action_listen"),
    ]


async def test_a_session_the_resident_starts_again_has_the_introduction() -> None:
    metadata = {
        "event": "slot",
        "name": "session_started_metadata",
        "value": {"voordeur_channel": "telegram"},
    }
    dispatcher = CollectingDispatcher()
    await ActionSessionStart().run(
        dispatcher, tracker_with_events([*EARLIER_SESSION, metadata]), domain=DOMAIN
    )
    assert "digitale assistent van het wijkteam" in dispatcher.messages[0]["text"]


async def test_a_handed_over_conversation_stays_paused_when_the_backend_starts_its_session() -> None:
    tracker = Tracker.from_dict(
        {"sender_id": "42", "slots": {"handover_id": 7.0}, "latest_message": {}, "events": EARLIER_SESSION,
         "paused": True, "followup_action": None, "active_loop": {}, "latest_action_name": None}
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await ActionSessionStart().run(dispatcher, tracker, domain=DOMAIN)
    assert dispatcher.messages == [] and ConversationPaused() in events
