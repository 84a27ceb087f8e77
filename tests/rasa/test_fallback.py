"""What an unsure message gets (actions/fallback.py): the sums per topic, the choice of buttons, the action.

The thresholds are re-tuned whenever the classifier changes (`make tune-fallback`), so the tests that are
about the rendering fix their own TopicClarity; the real model is only used to check that a vague
message about one topic leads to that topic's questions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.fallback as fallback
from actions.content import FORBIDDEN_WORDS, content_store
from actions.fallback import (
    ActionHandleNluFallback,
    Decision,
    TopicClarity,
    clear_topic,
    decide,
    topic_choices,
    topic_group,
    topic_masses,
)
from tests.rasa.trackers import make_tracker

FIXTURE = Path(__file__).parent / "fixtures" / "content"
ROOT = Path(__file__).resolve().parents[2]
CLARITY = TopicClarity(min_mass=0.4, min_lead=0.2, min_share=0.1)
TUNED = fallback.TOPIC_CLARITY  # as tuned, before the fixture below replaces it
#: The fixture content's answers: schulden_aanmaning, schulden_beslag, huisvesting_huurachterstand,
#: algemeen_eenzaamheid.
FIXTURE_ANSWERS = {
    "schulden_aanmaning",
    "schulden_beslag",
    "huisvesting_huurachterstand",
    "algemeen_eenzaamheid",
}
#: A money message the model is unsure about: no two questions compete (the runner-up is small talk).
UNSURE_ABOUT_MONEY = [
    ("nlu_fallback", 0.35),
    ("schulden_aanmaning", 0.3),
    ("greet", 0.12),
    ("schulden_beslag", 0.1),
    ("huisvesting_huurachterstand", 0.05),
]


@pytest.fixture(autouse=True)
def fixture_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(FIXTURE))
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.setattr(fallback, "TOPIC_CLARITY", CLARITY)


async def run_fallback(**tracker_args):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await ActionHandleNluFallback().run(dispatcher, make_tracker(**tracker_args), domain={})
    return dispatcher.messages, events


def message(ranking: list[tuple[str, float]]) -> dict:
    return {"intent_ranking": [{"name": name, "confidence": conf} for name, conf in ranking]}


# ------------------------------------------------------------------------------- sums per topic


def test_topics_group_the_content_topics_bookings_and_a_person() -> None:
    assert [
        topic_group(name)
        for name in ("schulden_aanmaning", "huisvesting_borg", "jeugdhulp_pgb", "algemeen_wmo")
    ] == ["schulden", "huisvesting", "jeugdhulp", "algemeen"]
    assert {topic_group(name) for name in ("book_spreekuur", "cancel_booking", "request_callback")} == {
        "booking"
    }
    assert topic_group("request_human") == "person"
    assert [topic_group(name) for name in ("greet", "out_of_scope", "crisis_suicide", None)] == [None] * 4


def test_confidence_is_summed_per_topic_and_other_intents_compete_one_by_one() -> None:
    masses = topic_masses(
        [
            ("schulden_aanmaning", 0.3),
            ("schulden_beslag", 0.2),
            ("book_spreekuur", 0.1),
            ("request_callback", 0.05),
            ("greet", 0.1),
            ("thank", 0.1),
        ]
    )
    assert masses == pytest.approx(
        {"schulden": 0.5, "booking": 0.15, "intent:greet": 0.1, "intent:thank": 0.1}
    )


@pytest.mark.parametrize(
    ("ranking", "topic"),
    [
        # three money questions together are clear, although none of them is
        (
            [
                ("schulden_aanmaning", 0.2),
                ("huisvesting_borg", 0.12),
                ("schulden_beslag", 0.15),
                ("schulden_deurwaarder", 0.1),
            ],
            "schulden",
        ),
        # booking: the spreekuur and a callback add up
        ([("book_spreekuur", 0.25), ("request_callback", 0.2), ("greet", 0.1)], "booking"),
        # not enough in all
        ([("schulden_aanmaning", 0.2), ("schulden_beslag", 0.15), ("greet", 0.02)], None),
        # two topics close together
        ([("schulden_aanmaning", 0.3), ("huisvesting_borg", 0.25), ("schulden_beslag", 0.15)], None),
        # small talk leads: no topic
        ([("greet", 0.6), ("schulden_aanmaning", 0.2)], None),
        ([], None),
    ],
)
def test_a_topic_is_clear_only_with_enough_confidence_and_a_clear_lead(ranking, topic) -> None:  # type: ignore[no-untyped-def]
    assert clear_topic(ranking, CLARITY) == topic


def test_the_lead_counts_against_a_single_intent_outside_the_topics() -> None:
    ranking = [("schulden_aanmaning", 0.3), ("schulden_beslag", 0.2), ("out_of_scope", 0.35)]
    assert clear_topic(ranking, CLARITY) is None


# ------------------------------------------------------------------------------- choice of buttons


def test_the_choice_is_the_topics_best_questions_at_most_four() -> None:
    answerable = {f"schulden_{name}" for name in "abcdef"}
    ranking = [
        ("schulden_a", 0.3),
        ("huisvesting_x", 0.1),
        ("schulden_b", 0.2),
        ("schulden_c", 0.15),
        ("schulden_d", 0.1),
        ("schulden_e", 0.08),
        ("schulden_f", 0.07),
    ]
    assert topic_choices("schulden", ranking, answerable, CLARITY) == (
        "schulden_a",
        "schulden_b",
        "schulden_c",
        "schulden_d",
    )


def test_unlikely_questions_are_left_out_but_two_are_always_offered() -> None:
    answerable = {"schulden_a", "schulden_b", "schulden_c"}
    ranking = [("schulden_a", 0.6), ("schulden_b", 0.02), ("schulden_c", 0.01)]
    assert topic_choices("schulden", ranking, answerable, CLARITY) == ("schulden_a", "schulden_b")
    ranking = [("schulden_a", 0.4), ("schulden_b", 0.3), ("schulden_c", 0.01)]
    assert topic_choices("schulden", ranking, answerable, CLARITY) == ("schulden_a", "schulden_b")


def test_only_questions_with_an_answer_are_offered_and_a_short_list_is_filled_from_the_topic() -> None:
    ranking = [("schulden_zonder_antwoord", 0.4), ("schulden_aanmaning", 0.3)]
    assert topic_choices("schulden", ranking, FIXTURE_ANSWERS, CLARITY) == (
        "schulden_aanmaning",
        "schulden_beslag",
    )


def test_bookings_and_a_person_are_offered_as_their_actions() -> None:
    assert topic_choices("booking", [("cancel_booking", 0.5)], set(), CLARITY) == (
        "cancel_booking",
        "book_spreekuur",
    )
    assert topic_choices("person", [("request_human", 0.5)], set(), CLARITY) == (
        "request_human",
        "request_callback",
    )


def test_two_competing_answers_keep_their_own_question() -> None:
    ranking = [("schulden_aanmaning", 0.3), ("schulden_beslag", 0.25), ("greet", 0.01)]
    assert decide(message(ranking), FIXTURE_ANSWERS, CLARITY) == Decision(
        "competing_questions", ("schulden_aanmaning", "schulden_beslag")
    )
    ranking = [("huisvesting_huurachterstand", 0.3), ("schulden_aanmaning", 0.25)]
    assert decide(message(ranking), FIXTURE_ANSWERS, CLARITY).kind == "competing_topics"


def test_a_clear_topic_gets_a_choice_and_nothing_clear_a_rephrase_request() -> None:
    assert decide(message(UNSURE_ABOUT_MONEY), FIXTURE_ANSWERS, CLARITY) == Decision(
        "topic_choice", ("schulden_aanmaning", "schulden_beslag"), "schulden"
    )
    unclear = [("schulden_aanmaning", 0.2), ("greet", 0.15), ("huisvesting_huurachterstand", 0.12)]
    assert decide(message(unclear), FIXTURE_ANSWERS, CLARITY) == Decision("rephrase")


def test_the_tuned_thresholds_leave_room_for_a_choice() -> None:
    """A re-tune that switched the choice off (or let it fire on anything) should be noticed."""
    assert 0.1 <= TUNED.min_mass <= 0.8 and 0.0 <= TUNED.min_lead <= 0.5 and 0.0 <= TUNED.min_share <= 0.3


# ------------------------------------------------------------------------------- the action


@pytest.mark.parametrize("form", ["je", "u"])
def test_the_choices_own_texts_keep_to_one_form_of_address(form: str) -> None:
    assert not FORBIDDEN_WORDS[form].search(fallback.WHICH_OF_TOPIC[form])
    titles = [
        *fallback.EXTRA_BUTTONS.values(),
        *(t for ts in fallback.ACTION_TOPICS.values() for t in ts.values()),
    ]
    assert not [
        title for title in titles if FORBIDDEN_WORDS["je"].search(title) or FORBIDDEN_WORDS["u"].search(title)
    ]


async def test_an_unsure_message_about_a_clear_topic_gets_its_questions_as_buttons() -> None:
    messages, events = await run_fallback(intent="nlu_fallback", ranking=UNSURE_ABOUT_MONEY)
    assert messages[0]["text"] == "Gaat je vraag over een van deze?"
    assert messages[0]["buttons"] == [
        {"title": "Wat moet ik doen met een aanmaning?", "payload": "/schulden_aanmaning"},
        {"title": "Beslag, wat nu?", "payload": "/schulden_beslag"},
        {"title": "Iets anders", "payload": "/something_else"},
        {"title": "Iemand spreken", "payload": "/request_human"},
    ]
    assert events == []


async def test_the_choice_uses_the_u_form_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    messages, _ = await run_fallback(intent="nlu_fallback", ranking=UNSURE_ABOUT_MONEY)
    assert messages[0]["text"] == "Gaat uw vraag over een van deze?"


async def test_a_booking_choice_has_dutch_titles_and_the_actions_as_payloads() -> None:
    ranking = [("nlu_fallback", 0.35), ("book_spreekuur", 0.3), ("request_callback", 0.2), ("greet", 0.1)]
    messages, _ = await run_fallback(intent="nlu_fallback", ranking=ranking)
    assert messages[0]["buttons"] == [
        {"title": "Ik wil een afspraak maken op het spreekuur", "payload": "/book_spreekuur"},
        {"title": "Ik wil dat het wijkteam mij terugbelt", "payload": "/request_callback"},
        {"title": "Iets anders", "payload": "/something_else"},
        {"title": "Iemand spreken", "payload": "/request_human"},
    ]


async def test_a_choice_for_a_person_offers_the_person_once() -> None:
    ranking = [("nlu_fallback", 0.35), ("request_human", 0.5), ("greet", 0.1)]
    messages, _ = await run_fallback(intent="nlu_fallback", ranking=ranking)
    assert [button["payload"] for button in messages[0]["buttons"]] == [
        "/request_human",
        "/request_callback",
        "/something_else",
    ]


async def test_something_else_asks_to_say_it_in_other_words() -> None:
    messages, events = await run_fallback(intent="something_else", text="/something_else")
    assert [sent["response"] for sent in messages] == ["utter_ask_rephrase_other"]
    assert events == []


async def test_nothing_clear_asks_to_rephrase() -> None:
    ranking = [("nlu_fallback", 0.35), ("greet", 0.2), ("schulden_aanmaning", 0.15), ("thank", 0.1)]
    messages, _ = await run_fallback(intent="nlu_fallback", ranking=ranking)
    assert messages[0]["response"] == "utter_ask_rephrase"


# ------------------------------------------------------------------------------- the real model


VAGUE_MESSAGES = {
    # written for this test; not in data/ or any held-out set
    "schulden": ["het geld is op en de rekeningen stapelen zich op", "ik kom elke maand geld tekort"],
    "huisvesting": ["er is van alles mis met ons huis en de huur", "ik weet niet waar ik straks moet wonen"],
    "jeugdhulp": ["het gaat thuis niet goed met mijn kind", "mijn dochter heeft hulp nodig, waar begin ik"],
}


@pytest.mark.parametrize(
    ("topic", "text"), [(t, text) for t, texts in VAGUE_MESSAGES.items() for text in texts]
)
def test_a_vague_message_about_one_topic_gets_that_topics_questions(parse, topic: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Whatever the model's confidence: were this message unsure, the fallback would offer questions of its
    topic (a choice or two competing questions), never a rephrase request or another topic."""
    answers = content_store(ROOT / "content").answers
    decision = decide(parse(text), answers, TUNED)
    assert decision.kind in ("topic_choice", "competing_questions"), decision
    assert {topic_group(intent) for intent in decision.intents} == {topic}
    assert 2 <= len(decision.intents) <= 4


def test_the_safety_net_falls_back_below_the_fallback_classifiers_threshold() -> None:
    import yaml

    pipeline = {step["name"]: step for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]}
    safety = pipeline["bot.assistant.nlp.safety_component.SafetyNet"]
    assert safety["fallback_threshold"] == pipeline["FallbackClassifier"]["threshold"]
