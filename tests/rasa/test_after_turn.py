"""The hot-path pieces after a turn, without a server: reading the latest turn, and schema checks.

The behaviour they serve (crisis reply while paused, the reply to silence, deletion on request) is
tested through real Rasa servers in test_handover_server.py, test_privacy_server.py and
tests/app/test_robustness.py; each step of the message pipeline in test_message_pipeline.py.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import AwaitableTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.assistant import action_requests, schema_validation
from bot.assistant.channels import rasa_hooks
from bot.assistant.channels.action_contract import DELETE_REQUESTED_SLOT
from bot.assistant.channels.crisis_while_paused import crisis_response
from bot.assistant.channels.message_pipeline import needs_a_look
from bot.assistant.channels.turn_events import stored_turn, turn_of

DOMAIN = Domain.from_dict(
    {"slots": {DELETE_REQUESTED_SLOT: {"type": "bool", "mappings": [{"type": "custom"}]}}}
)


def conversation(message_id: str, *turn: object) -> DialogueStateTracker:
    """A conversation with an earlier turn, then the user message `message_id` and `turn`."""
    events = [
        UserUttered("hoi", {"name": "greet"}, message_id="earlier"),
        ActionExecuted("utter_greet"),
        BotUttered("Hallo!"),
        ActionExecuted("action_listen"),
        UserUttered("ja", {"name": "affirm"}, message_id=message_id),
        *turn,
    ]
    return DialogueStateTracker.from_events("resident", events, DOMAIN.slots)  # type: ignore[arg-type]


async def test_the_latest_turn_is_read_from_the_sql_store_as_the_tracker_has_it(tmp_path: Path) -> None:
    store = AwaitableTrackerStore(SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db")))
    tracker = conversation("m-2", ActionExecuted("action_delete_my_data"), BotUttered("Gewist."))
    tracker.update(SlotSet(DELETE_REQUESTED_SLOT, True))
    await store.save(tracker)
    turn = stored_turn(store, "resident")
    assert turn is not None and [event["event"] for event in turn] == ["user", "action", "bot", "slot"]
    assert turn == turn_of(tracker)
    assert stored_turn(store, "nobody") is None


def test_other_stores_give_no_turn_so_the_conversation_is_loaded() -> None:
    assert stored_turn(InMemoryTrackerStore(DOMAIN), "resident") is None
    assert stored_turn(None, "resident") is None
    assert needs_a_look(None, UserMessage("ja", message_id="m-2"))


def test_only_a_silent_turn_or_a_deletion_needs_a_look() -> None:
    message = UserMessage("ja", message_id="m-2")
    replied = conversation("m-2", ActionExecuted("utter_greet"), BotUttered("Hallo!"))
    assert not needs_a_look(turn_of(replied), message)  # the common case: nothing loaded
    assert needs_a_look(turn_of(conversation("m-2", ActionExecuted("action_answer"))), message)
    asked = conversation("m-2", BotUttered("Gewist."), SlotSet(DELETE_REQUESTED_SLOT, True))
    assert needs_a_look(turn_of(asked), message)
    # A newer message was handled meanwhile: its own turn takes the look.
    assert not needs_a_look(turn_of(conversation("m-3", ActionExecuted("action_answer"))), message)


def test_only_crisis_intents_get_a_crisis_response() -> None:
    assert crisis_response("crisis_suicide") == "utter_crisis_suicide"
    assert crisis_response("greet") is None
    assert crisis_response(None) is None


SCHEMA = RemoteAction.action_response_format_spec()
VALID = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "Hoi"}]}
INVALID = {"events": [{"event": "slot", "name": 3}], "responses": "niet een lijst"}


def test_valid_action_results_pass_as_before() -> None:
    schema_validation.validate(VALID, SCHEMA)
    schema_validation._original_validate(VALID, SCHEMA)


def test_invalid_action_results_give_the_same_error_as_jsonschema() -> None:
    with pytest.raises(jsonschema.ValidationError) as ours:
        schema_validation.validate(INVALID, SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as theirs:
        schema_validation._original_validate(INVALID, SCHEMA)
    assert (ours.value.message, list(ours.value.path)) == (theirs.value.message, list(theirs.value.path))


def test_a_bad_schema_is_still_refused() -> None:
    with pytest.raises(jsonschema.SchemaError):
        schema_validation.validate({}, {"type": "geen type"})


def test_each_schema_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[object] = []
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    original_check = validator_class.check_schema

    def counting_check(schema: object) -> None:
        checks.append(schema)
        original_check(schema)

    monkeypatch.setattr(validator_class, "check_schema", counting_check)
    monkeypatch.setattr(schema_validation, "_checked", {})
    for _ in range(5):
        schema_validation.validate(VALID, RemoteAction.action_response_format_spec())  # a new dict each time
    assert len(checks) == 1


def test_rasa_uses_the_cached_validation_once_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)  # restored after the test
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    rasa_hooks.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(VALID)
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(INVALID)
    assert jsonschema.validate is schema_validation.validate
    assert EndpointConfig.session is action_requests.session
