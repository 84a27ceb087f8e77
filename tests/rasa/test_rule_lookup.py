"""The faster rule lookup (bot/assistant/nlp/rule_lookup.py) finds exactly the rules Rasa's finds.

Compared on the trained model's own rules, with conversations built from the states those rules hold:
each rule as it is, rules joined after one another, states mixed from different rules, values dropped or
swapped, and conversations longer than any rule.
"""

from __future__ import annotations

import copy
import json
import random
import tarfile
from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy

from bot.assistant.nlp.rule_lookup import possible_rule_keys
from tests.rasa.rasa_servers import trained_model

pytestmark = pytest.mark.slow


def trained_rule_lookup() -> dict[str, dict[str, str]]:
    with tarfile.open(trained_model()) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("/rule_policy.json"))
        data = archive.extractfile(member)
        assert data is not None
        return json.load(data)["lookup"]


def rasa_possible_keys(lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
    """Rasa 3.6's own `_get_possible_keys` (it reads no attribute of the policy)."""
    return RulePolicy._get_possible_keys(RulePolicy.__new__(RulePolicy), lookup, states)


def conversations(rule_keys: list[str], count: int, seed: int) -> list[list[dict[str, Any]]]:
    rules = [json.loads(key) for key in rule_keys]
    pool = [state for rule in rules for state in rule]
    chosen = random.Random(seed)
    made: list[list[dict[str, Any]]] = [copy.deepcopy(rule) for rule in rules]
    for _ in range(count):
        kind = chosen.randrange(4)
        if kind == 0:  # two rules after one another
            made.append(copy.deepcopy(chosen.choice(rules) + chosen.choice(rules)))
        elif kind == 1:  # states of different rules, longer than any rule
            made.append(copy.deepcopy([chosen.choice(pool) for _ in range(chosen.randint(1, 12))]))
        else:  # a rule with a value dropped or another rule's previous action
            states = copy.deepcopy(chosen.choice(rules))
            state = chosen.choice(states)
            if kind == 2 and state:
                sub = state[chosen.choice(sorted(state))]
                if sub:
                    del sub[chosen.choice(sorted(sub))]
            else:
                other = chosen.choice(pool)
                if "prev_action" in other:
                    state["prev_action"] = copy.deepcopy(other["prev_action"])
            made.append(states)
    return made


def test_the_fast_lookup_finds_the_same_rules_as_rasa() -> None:
    lookup = trained_rule_lookup()
    checked = 0
    for table in ("rules", "rules_for_loop_unhappy_path"):
        keys = lookup[table]
        assert keys, f"the model has no {table}"
        matched = 0
        for states in conversations(sorted(keys), 3000, seed=len(keys)):
            expected = rasa_possible_keys(keys, states)
            assert possible_rule_keys(keys, states) == expected, states
            matched += bool(expected)
            checked += 1
        # not a comparison of empty sets: most conversations are fitted by at least one rule
        assert matched > len(keys) / 2
    assert checked > 6000


def test_a_rule_with_a_different_previous_action_does_not_fit() -> None:
    rule = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]
    key = json.dumps(rule)
    assert possible_rule_keys([key], rule) == {key}
    other = [{"prev_action": {"action_name": "utter_greet"}, "user": {"intent": "greet"}}]
    assert possible_rule_keys([key], other) == set() == rasa_possible_keys({key: "x"}, other)
