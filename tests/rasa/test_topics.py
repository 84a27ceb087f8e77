"""The actions' topics are the backend's (bot/shared/topics.py): every topic the chat sends is one the
backend accepts, and every topic a resident can reach has its Dutch labels."""

from __future__ import annotations

from actions.answers import topic_of
from actions.callback import TOPIC_LABELS as CALLBACK_LABELS
from actions.content import load_store
from actions.form_base import conversation_topic
from actions.handover import conversation_summary, handover_topic
from bot.assistant.settings import RasaSideSettings
from bot.shared.topics import ANSWER_TOPICS, MAIN_TOPICS, RESIDENT_LABELS, TOPICS, topic_label
from tests.rasa.trackers import make_tracker

SLOT_VALUES = [*ANSWER_TOPICS, "veiligheid", "onbekend", "", None]


def test_every_topic_the_chat_sends_is_one_the_backend_accepts() -> None:
    booked = {conversation_topic(make_tracker(slots={"topic": value})) for value in SLOT_VALUES}
    handed_over = {
        handover_topic(make_tracker(slots={"topic": value}), reason)
        for value in SLOT_VALUES
        for reason in ("crisis", "request", "fallback")
    }
    assert booked == set(ANSWER_TOPICS)
    assert handed_over - {None} == {*ANSWER_TOPICS, "veiligheid"}
    assert handed_over - {None} <= set(TOPICS)


def test_intents_belong_to_a_topic_by_their_prefix() -> None:
    assert [topic_of(f"{topic}_vraag") for topic in ANSWER_TOPICS] == list(ANSWER_TOPICS)
    assert topic_of("veiligheid_vraag") is None and topic_of("greet") is None and topic_of(None) is None
    assert set(MAIN_TOPICS) < set(ANSWER_TOPICS)


def test_every_topic_has_its_dutch_labels() -> None:
    assert set(RESIDENT_LABELS) == set(CALLBACK_LABELS) == set(ANSWER_TOPICS)
    assert CALLBACK_LABELS["algemeen"] == "een algemene vraag"  # a callback without a topic
    assert all(topic_label(topic) != topic for topic in TOPICS)
    assert topic_label("onbekend") == "onbekend"


def test_the_handover_summary_names_the_topic_as_residents_read_it() -> None:
    store = load_store(RasaSideSettings.from_env({}).content_dir)
    summary = conversation_summary(make_tracker(slots={"topic": "schulden"}), store, "request")
    assert "Onderwerp: geld en schulden." in summary.splitlines()
