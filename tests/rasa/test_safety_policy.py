"""The safety notes around a reply (bot/assistant/nlp/safety_policy.py): which note comes when, and that the
rules see the conversation without them. End to end, with the model and the servers: test_safety_server.py."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.nlp.safety_policy import (
    CHECK_IN,
    CHECK_IN_DANGER,
    CHECK_IN_UNSURE,
    CHECK_IN_VIOLENCE,
    CRISIS_ENGLISH,
    ENGLISH_NOTE,
    actions_this_turn,
    next_note,
    planned_notes,
    without_notes,
)

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [schulden_algemeen, crisis_domestic_violence, greet]
responses:
  utter_greet: [{text: "Hallo"}]
  utter_crisis_domestic_violence: [{text: "Bel Veilig Thuis"}]
  utter_safety_check_in: [{text: "check-in"}]
  utter_safety_check_in_violence: [{text: "check-in violence"}]
  utter_safety_check_in_danger: [{text: "check-in danger"}]
  utter_english_note: [{text: "english"}]
  utter_crisis_english: [{text: "danger"}]
actions: [action_answer]
"""
)


def parse(intent: str, check_in: str | None = None, language: str = "nl") -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": 0.9},
        "safety_check_in": check_in,
        "message_language": language,
    }


def tracker(
    parse_data: dict[str, Any], actions: list[str], text: str = "een bericht"
) -> DialogueStateTracker:
    """A turn: the resident's message, then `actions` (a response sends its message)."""
    user = UserUttered(text, parse_data["intent"], [], parse_data)
    events: list[Any] = [ActionExecuted("action_listen"), user]
    for action in actions:
        events.append(ActionExecuted(action))
        if action.startswith("utter_"):
            events.append(BotUttered(action))
    return DialogueStateTracker.from_events("resident", events, DOMAIN.slots)


@pytest.mark.parametrize(
    ("parse_data", "before", "after"),
    [
        (parse("schulden_algemeen"), [], []),
        (parse("schulden_algemeen", language="en"), [ENGLISH_NOTE], []),
        (parse("schulden_algemeen", language="other"), [ENGLISH_NOTE], []),
        (parse("schulden_algemeen", check_in="crisis_suicide"), [CHECK_IN], []),
        (parse("schulden_algemeen", check_in="crisis_self_harm"), [CHECK_IN], []),
        (parse("schulden_algemeen", check_in="crisis_domestic_violence"), [CHECK_IN_VIOLENCE], []),
        (parse("nlu_fallback", check_in="crisis_acute_danger"), [CHECK_IN_DANGER], []),
        (parse("nlu_fallback", check_in="crisis_unsure"), [CHECK_IN_UNSURE], []),
        (parse("greet", check_in="crisis_suicide", language="en"), [CHECK_IN, CRISIS_ENGLISH], []),
        (parse("crisis_domestic_violence", language="en"), [], [CRISIS_ENGLISH]),
        (parse("crisis_domestic_violence"), [], []),
    ],
)
def test_planned_notes(parse_data: dict[str, Any], before: list[str], after: list[str]) -> None:
    assert planned_notes(parse_data) == (before, after)


def test_the_check_in_comes_first_then_nothing_more_from_the_notes() -> None:
    data = parse("schulden_algemeen", check_in="crisis_suicide")
    assert next_note(tracker(data, [])) == CHECK_IN
    assert next_note(tracker(data, [CHECK_IN])) is None  # now the rules answer the question
    assert next_note(tracker(data, [CHECK_IN, "action_answer"])) is None


def test_an_english_check_in_adds_the_english_line_before_the_answer() -> None:
    data = parse("greet", check_in="crisis_suicide", language="en")
    assert next_note(tracker(data, [])) == CHECK_IN
    assert next_note(tracker(data, [CHECK_IN])) == CRISIS_ENGLISH
    assert next_note(tracker(data, [CHECK_IN, CRISIS_ENGLISH])) is None


def test_the_english_line_follows_the_crisis_reply_once() -> None:
    data = parse("crisis_domestic_violence", language="en")
    assert next_note(tracker(data, [])) is None  # the rule's crisis reply first
    assert next_note(tracker(data, ["utter_crisis_domestic_violence"])) == CRISIS_ENGLISH
    assert next_note(tracker(data, ["utter_crisis_domestic_violence", CRISIS_ENGLISH])) is None


def test_button_payloads_get_no_notes() -> None:
    data = parse("schulden_algemeen", language="en")
    assert next_note(tracker(data, [], text="/schulden_algemeen")) is None


def test_notes_do_not_come_after_the_reply_has_started() -> None:
    data = parse("schulden_algemeen", language="en")
    assert next_note(tracker(data, ["action_answer"])) is None


def test_without_notes_shows_the_rules_the_turn_as_if_no_note_was_sent() -> None:
    data = parse("greet", check_in="crisis_suicide", language="en")
    with_notes = tracker(data, [CHECK_IN, CRISIS_ENGLISH])
    plain = without_notes(with_notes, DOMAIN)
    assert actions_this_turn(with_notes) == [CHECK_IN, CRISIS_ENGLISH]
    assert actions_this_turn(plain) == []
    assert plain.latest_action_name == "action_listen"
    assert plain.latest_message.parse_data["safety_check_in"] == "crisis_suicide"
    assert not [e for e in plain.events if isinstance(e, BotUttered)]
    # the earlier turns stay as they were
    assert len(list(plain.events)) == len(list(with_notes.events)) - 4
