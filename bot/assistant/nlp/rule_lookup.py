"""Which learned rules still fit a conversation: Rasa's `RulePolicy._get_possible_keys`, with the same
result at a fraction of the cost.

Rasa 3.6 filters every rule key (316 here) against every state of the conversation, newest first, and
for each key and state decodes the key's JSON (cached), copies and reverses its list of states and turns
lists back into tuples. A profile of the load benchmark put that at about a tenth of the Rasa server's
time per message (docs/load-benchmark.md). Here each key is decoded, reversed and normalised once, only
the rules whose newest state names the conversation's previous action (or names none) are looked at, and
the walk back through the conversation stops as soon as no key is left or every remaining rule is
shorter than the part already walked (such a rule fits whatever came before it). The rules applied are
Rasa's own (`_is_rule_applicable`, `_does_rule_match_state`); tests/rasa/test_rule_lookup.py checks the
result against Rasa's on the trained model's rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.nlu.constants import ACTION_NAME

State = Mapping[str, Mapping[str, Any]]
#: A rule's states, newest first, with Rasa's JSON lists turned back into tuples.
RuleStates = tuple[dict[str, dict[str, Any]], ...]


@lru_cache(maxsize=8192)
def reversed_rule_states(rule_key: str) -> RuleStates:
    """The states of a rule key, newest first, normalised once."""
    return tuple(
        {kind: {key: _as_tuple(value) for key, value in sub.items()} for kind, sub in state.items()}
        for state in reversed(json.loads(rule_key))
    )


def _as_tuple(value: Any) -> Any:
    """JSON wrote the rule's tuples as lists; Rasa compares them as tuples."""
    return tuple(value) if isinstance(value, list) else value


def state_matches(rule_state: Mapping[str, Mapping[str, Any]], conversation_state: State) -> bool:
    """Rasa's `RulePolicy._does_rule_match_state` on a normalised rule state."""
    for state_type, rule_sub_state in rule_state.items():
        conversation_sub_state = conversation_state.get(state_type, {})
        for key, value_from_rules in rule_sub_state.items():
            value_from_conversation = conversation_sub_state.get(key)
            if value_from_rules == SHOULD_NOT_BE_SET:
                if value_from_conversation and value_from_conversation != SHOULD_NOT_BE_SET:
                    return False
            elif value_from_rules and value_from_conversation != value_from_rules:
                return False
    return True


def rule_applies(rule_states: RuleStates, turn_index: int, conversation_state: State) -> bool:
    """Rasa's `RulePolicy._is_rule_applicable` (turn_index goes back in time from the newest state)."""
    if turn_index >= len(rule_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = rule_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return state_matches(rule_states[turn_index], conversation_state)


@dataclass(frozen=True)
class RuleIndex:
    """Rule keys by the action name their newest state asks as the previous action.

    A rule whose newest state names a previous action fits only a conversation whose newest state has
    that action as its previous action; every other rule (`others`) is checked one by one."""

    by_previous_action: dict[str, tuple[str, ...]]
    others: tuple[str, ...]

    def candidates(self, newest_state: State) -> list[str]:
        previous = (newest_state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        if not isinstance(previous, str) or not previous:
            return [*self.others]
        return [*self.by_previous_action.get(previous, ()), *self.others]


@lru_cache(maxsize=16)
def rule_index(rule_keys: frozenset[str]) -> RuleIndex:
    by_previous_action: dict[str, list[str]] = {}
    others: list[str] = []
    for key in sorted(rule_keys):
        previous = reversed_rule_states(key)[0].get(PREVIOUS_ACTION) or {}
        name = previous.get(ACTION_NAME)
        if isinstance(name, str) and name and name != SHOULD_NOT_BE_SET:
            by_previous_action.setdefault(name, []).append(key)
        else:
            others.append(key)
    return RuleIndex({name: tuple(keys) for name, keys in by_previous_action.items()}, tuple(others))


def possible_rule_keys(rule_keys: Iterable[str], states: list[State]) -> set[str]:
    """The keys of the rules that fit `states` (the conversation's states, oldest first)."""
    if not states:
        return set(rule_keys)
    keys = rule_index(frozenset(rule_keys)).candidates(states[-1])
    candidates = {key: reversed_rule_states(key) for key in keys}
    for turn_index, state in enumerate(reversed(states)):
        if not candidates or all(turn_index >= len(rule) for rule in candidates.values()):
            break
        candidates = {key: rule for key, rule in candidates.items() if rule_applies(rule, turn_index, state)}
    return set(candidates)
