"""The hot-path pieces of the resident channels, without a server: what a turn sent, and schema checks.

The behaviour they serve (crisis reply while paused, the reply to silence, deletion on request) is
tested through real Rasa servers in test_handover_server.py, test_privacy_server.py and
tests/app/test_robustness.py.
"""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel

from bot import schema_validation
from bot.channels.after_turn import DELETION_CONFIRMED, SentResponses, crisis_response


async def test_sent_responses_records_each_message_and_still_sends_it() -> None:
    channel = CollectingOutputChannel()
    sent = SentResponses(channel)
    assert sent.need_a_look()  # nothing sent yet: a silent turn must be looked at

    await channel.send_response("resident", {"text": "Hallo!", "utter_action": "utter_greet"})
    await channel.send_response("resident", {"text": "Zonder naam"})

    assert sent.responses == ["utter_greet", None]
    assert [message["text"] for message in channel.messages] == ["Hallo!", "Zonder naam"]
    assert not sent.need_a_look()  # the common case: no conversation read


async def test_a_confirmed_deletion_is_looked_at() -> None:
    channel = CollectingOutputChannel()
    sent = SentResponses(channel)
    await channel.send_response("resident", {"text": "Gewist.", "utter_action": DELETION_CONFIRMED})
    assert sent.need_a_look()


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
    schema_validation.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result(VALID)
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(INVALID)
    assert jsonschema.validate is schema_validation.validate
