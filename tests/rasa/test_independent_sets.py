"""The independent evaluation sets stay independent: none of their messages is training data.

tests/nlu/independent/ holds the sets the outcome benchmarks report on (written without seeing data/,
never trained or tuned on). A message copied into data/nlu/ would flatter every later figure.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[2]
INDEPENDENT = sorted((ROOT / "tests" / "nlu" / "independent").glob("*.yml"))
#: Short everyday messages ("hallo", "ik wil dood", "I want to cancel my appointment") are written
#: the same by anyone.
SHORT = 6


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_no_message_of_an_independent_set_is_in_the_training_data() -> None:
    training = {
        _key(example.get("text") or "") for example in load_data(str(ROOT / "data" / "nlu")).intent_examples
    }
    message_sets = [path for path in INDEPENDENT if "messages" in (yaml.safe_load(path.read_text()) or {})]
    expected = {"residents.yml", *(f"crisis{number}.yml" for number in range(10, 15))}
    assert {path.name for path in message_sets} >= expected
    leaked = [
        (path.name, message["text"][:80])
        for path in message_sets
        for message in yaml.safe_load(path.read_text())["messages"]
        if _key(message["text"]) in training and len(message["text"].split()) > SHORT
    ]
    assert leaked == []
