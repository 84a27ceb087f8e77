"""Rasa's RulePolicy plus the notes the safety component asks for: a check-in first, an English line.

The SafetyNet NLU component (safety_component.py) marks a message without changing its intent:
`safety_check_in` (a possible crisis signal: the crisis kind) and `message_language` ("nl", "en",
"other"). This policy sends the notes those marks ask for, around the reply the rules give:

- a possible signal: `utter_safety_check_in` (113), `utter_safety_check_in_violence` (Veilig Thuis),
  `utter_safety_check_in_danger` (112) or, when only the model guessed a crisis and its kind is unsure,
  `utter_safety_check_in_unsure` (112, 113 and Veilig Thuis) first, then the answer to the resident's
  question as usual;
- English (or another language) and no crisis: `utter_english_note` first, then the usual Dutch reply;
- a crisis reply or check-in to a message in another language: `utter_crisis_english` ("Call 112").

Why a RulePolicy subclass: a rule cannot say "any intent", and after a note the conversation's last
action is the note, so no rule ("intent X -> action Y") would match any more. This policy predicts the
notes itself and matches the rules on the conversation *without* this turn's notes, so every rule,
form and fallback works after a note exactly as without one. The notes are static domain responses:
they need no action server. While a staff member has the conversation (paused), Rasa predicts
nothing; the message pipeline (bot/assistant/channels/crisis_while_paused.py) sends the crisis reply itself
then.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.nlp.rule_lookup import State, possible_rule_keys
from bot.assistant.nlp.safety_net import VIOLENCE_KINDS

CHECK_IN = "utter_safety_check_in"
CHECK_IN_VIOLENCE = "utter_safety_check_in_violence"
CHECK_IN_DANGER = "utter_safety_check_in_danger"
CHECK_IN_UNSURE = "utter_safety_check_in_unsure"
#: The check-in kind of an unsure crisis guess of the model: its kind is a guess too, so every line is named.
UNSURE_KIND = "crisis_unsure"
ENGLISH_NOTE = "utter_english_note"
CRISIS_ENGLISH = "utter_crisis_english"
NOTES = frozenset(
    {CHECK_IN, CHECK_IN_VIOLENCE, CHECK_IN_DANGER, CHECK_IN_UNSURE, ENGLISH_NOTE, CRISIS_ENGLISH}
)
#: Parse-data keys set by the SafetyNet component.
CHECK_IN_KEY = "safety_check_in"
LANGUAGE_KEY = "message_language"
_SOURCE = "safety notes"


def check_in_response(kind: str) -> str:
    """The check-in for a possible signal of `kind`: 112 (acute danger), Veilig Thuis (violence), all lines
    (an unsure guess of the model), else 113."""
    if kind == "crisis_acute_danger":
        return CHECK_IN_DANGER
    if kind == UNSURE_KIND:
        return CHECK_IN_UNSURE
    return CHECK_IN_VIOLENCE if kind in VIOLENCE_KINDS else CHECK_IN


def planned_notes(parse_data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(notes before the reply, notes after the crisis reply) for one parsed message."""
    intent = (parse_data.get("intent") or {}).get("name") or ""
    foreign = parse_data.get(LANGUAGE_KEY) in ("en", "other")
    if intent.startswith("crisis_"):
        return [], [CRISIS_ENGLISH] if foreign else []
    check_in = parse_data.get(CHECK_IN_KEY)
    if check_in:
        return [check_in_response(check_in), *([CRISIS_ENGLISH] if foreign else [])], []
    return ([ENGLISH_NOTE] if foreign else []), []


def actions_this_turn(tracker: DialogueStateTracker) -> list[str]:
    """The actions run since the latest user message, in order."""
    names: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            names.append(event.action_name)
    return names[::-1]


def next_note(tracker: DialogueStateTracker) -> str | None:
    """The note to send now, if any (see the module docstring)."""
    latest = tracker.latest_message
    if latest is None or not latest.text or latest.text.startswith("/"):
        return None
    before, after = planned_notes(latest.parse_data)
    done = actions_this_turn(tracker)
    if before and all(action in before for action in done):  # notes come before anything else
        return next((note for note in before if note not in done), None)
    intent = latest.intent.get("name") or ""
    if after and done and done[-1] == f"utter_{intent}":  # right after the crisis reply
        return after[0]
    return None


def without_notes(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    """A copy of `tracker` without this turn's notes (and the messages they sent)."""
    events = list(tracker.events)
    last_user = max((i for i, event in enumerate(events) if isinstance(event, UserUttered)), default=-1)
    kept = events[: last_user + 1]
    skipping = False
    for event in events[last_user + 1 :]:
        if isinstance(event, ActionExecuted):
            skipping = event.action_name in NOTES
        if skipping and isinstance(event, (ActionExecuted, BotUttered)):
            continue
        kept.append(event)
    return DialogueStateTracker.from_events(tracker.sender_id, kept, domain.slots, tracker._max_event_history)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class SafetyRulePolicy(RulePolicy):
    """RulePolicy that also sends the safety component's notes (module docstring)."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        note = next_note(tracker)
        if note is not None and note in domain.action_names_or_texts:
            return self._rule_prediction(self._prediction_result(note, tracker, domain), _SOURCE)
        if any(action in NOTES for action in actions_this_turn(tracker)):
            tracker = without_notes(tracker, domain)
        return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)

    def _get_possible_keys(self, lookup: dict[str, str], states: list[State]) -> set[str]:  # type: ignore[override]
        """Rasa's result, found faster (bot/assistant/nlp/rule_lookup.py)."""
        return possible_rule_keys(lookup, states)
