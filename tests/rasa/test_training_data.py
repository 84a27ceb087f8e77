"""Training data: Rasa's own validation, and the intent rules other tools rely on."""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.assistant.nlp.safety_net import CRISIS_INTENTS
from bot.shared.topics import ANSWER_TOPICS

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))
FIXED_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "bot_challenge",
    "out_of_scope",
    "request_human",
    "request_callback",
    "book_spreekuur",
    "cancel_booking",
    "delete_my_data",
}
# Moving through a stappenplan: not about one topic, so not topic-prefixed.
NAVIGATION_INTENTS = {
    "stappenplan_start",
    "stappenplan_volgende",
    "stappenplan_vorige",
    "stappenplan_stoppen",
    "stappenplan_hervatten",
}
# "Wat betekent ...?" (content/glossary.yml): about a word, not a topic, so not topic-prefixed.
GLOSSARY_INTENTS = {"ask_term"}
# Going on in another channel (issue 24, data/nlu/linking.yml): about the conversation, not a topic.
CHANNEL_INTENTS = {"continue_on_telegram", "continue_on_website"}
# "stop berichten" (issue 24): about the messages the assistant sends by itself, not a topic.
CHECKIN_INTENTS = {"stop_berichten"}


@pytest.fixture(scope="module")
def examples_per_intent() -> collections.Counter[str]:
    data = load_data(str(ROOT / "data" / "nlu"))
    return collections.Counter(message.get("intent") for message in data.intent_examples)


def test_rasa_data_validate_finds_no_errors() -> None:
    result = subprocess.run(
        [RASA, "data", "validate", "--config", "config.yml", "--domain", "domain", "--data", "data"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_fixed_and_crisis_intents_have_at_least_25_examples(
    examples_per_intent: collections.Counter[str],
) -> None:
    too_few = {
        name: examples_per_intent[name]
        for name in FIXED_INTENTS | CRISIS_INTENTS
        if examples_per_intent[name] < 25
    }
    assert not too_few


def test_intent_names_follow_the_evaluation_convention(examples_per_intent: collections.Counter[str]) -> None:
    for name in examples_per_intent:
        assert (
            name in FIXED_INTENTS
            or name.startswith("crisis_")
            or name.split("/")[0].split("_")[0] in ANSWER_TOPICS
            or name in NAVIGATION_INTENTS
            or name in GLOSSARY_INTENTS
            or name in CHANNEL_INTENTS
            or name in CHECKIN_INTENTS
        ), (
            f"intent {name!r} is neither fixed, crisis_, topic-prefixed, stappenplan navigation, ask_term, "
            "a channel's nor stop_berichten"
        )


def test_no_example_is_labelled_with_two_intents() -> None:
    data = load_data(str(ROOT / "data" / "nlu"))
    seen: dict[str, str] = {}
    clashes = []
    for message in data.intent_examples:
        text = message.get("text").strip().lower()
        if text in seen and seen[text] != message.get("intent"):
            clashes.append((text, seen[text], message.get("intent")))
        seen[text] = message.get("intent")
    assert not clashes
