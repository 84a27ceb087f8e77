"""How the SafetyNet component combines the model, the deterministic net and the semantic check.

The semantic check is stubbed here, so that each combination can be set up exactly; the real index and
encoder are used in test_crisis_model.py (parse level) and test_crisis_semantic.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.assistant.nlp import encoder
from bot.assistant.nlp.crisis_semantic import SemanticMatch
from bot.assistant.nlp.safety_component import SafetyNet, build_index


class StubIndex:
    """Answers every message with the same semantic match; records the vectors it was asked about."""

    def __init__(self, kind: str | None = None, level: str | None = None) -> None:
        self.result = SemanticMatch(kind, 0.6, 0.5, level)  # type: ignore[arg-type]
        self.asked: list[np.ndarray] = []

    def match(self, vector: np.ndarray, thresholds: Any) -> SemanticMatch:
        self.asked.append(vector)
        return self.result


def component(index: Any = None) -> SafetyNet:
    return SafetyNet(SafetyNet.get_default_config(), index=index)


def message(text: str, ranking: list[tuple[str, float]], vector: np.ndarray | None = None) -> Message:
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    data: dict[str, Any] = {"text": text, "intent": ranked[0], "intent_ranking": ranked}
    if vector is not None:
        data[encoder.MESSAGE_KEY] = vector
    return Message(data=data)


def run(safety: SafetyNet, msg: Message) -> Message:
    safety.process([msg])
    return msg


ORDINARY = "kunnen we dat morgen even bespreken met elkaar"
ZERO = np.zeros(encoder.DIMENSIONS, dtype=np.float32)


def test_a_strong_semantic_match_sets_the_crisis_intent() -> None:
    msg = run(component(StubIndex("crisis_suicide", "strong")), message(ORDINARY, [("greet", 0.8)], ZERO))
    assert msg.get("intent") == {"name": "crisis_suicide", "confidence": 1.0}
    assert msg.get("safety_net")["crisis"] == "crisis_suicide"
    assert msg.get("safety_check_in") is None


@pytest.mark.parametrize(
    ("semantic_kind", "ranking", "expected"),
    [
        # the model's confident kind wins over the kind of the nearest crisis sentences when more urgent
        ("crisis_domestic_violence", [("crisis_suicide", 0.8)], "crisis_suicide"),
        ("crisis_child_danger", [("crisis_self_harm", 0.6)], "crisis_self_harm"),
        ("crisis_sexual_violence", [("crisis_child_danger", 0.9)], "crisis_child_danger"),
        # ... and not when less urgent: a child touched by an uncle stays danger to a child (Veilig Thuis)
        ("crisis_child_danger", [("crisis_sexual_violence", 0.9)], "crisis_child_danger"),
        # an unsure or non-crisis model keeps the semantic kind
        ("crisis_domestic_violence", [("crisis_suicide", 0.4)], "crisis_domestic_violence"),
        ("crisis_child_danger", [("nlu_fallback", 0.55), ("crisis_self_harm", 0.2)], "crisis_child_danger"),
        # acute danger from the model only when quite sure; a semantic acute danger stays (112 fits all)
        ("crisis_child_danger", [("crisis_acute_danger", 0.7)], "crisis_child_danger"),
        ("crisis_child_danger", [("crisis_acute_danger", 0.95)], "crisis_acute_danger"),
        ("crisis_acute_danger", [("crisis_suicide", 0.9)], "crisis_acute_danger"),
    ],
)
def test_a_strong_semantic_match_takes_the_models_kind_when_it_is_confident_and_more_urgent(
    semantic_kind: str, ranking: list[tuple[str, float]], expected: str
) -> None:
    msg = run(component(StubIndex(semantic_kind, "strong")), message(ORDINARY, ranking, ZERO))
    assert msg.get("intent") == {"name": expected, "confidence": 1.0}


def test_a_possible_semantic_match_keeps_the_intent_and_asks_for_a_check_in() -> None:
    msg = run(
        component(StubIndex("crisis_domestic_violence", "possible")),
        message(ORDINARY, [("schulden_algemeen", 0.8)], ZERO),
    )
    assert msg.get("intent")["name"] == "schulden_algemeen"
    assert msg.get("safety_check_in") == "crisis_domestic_violence"


def test_a_possible_signal_of_the_net_asks_for_a_check_in() -> None:
    text = "ik ga dood van de stress van die rekeningen"
    msg = run(component(StubIndex()), message(text, [("schulden_algemeen", 0.7)], ZERO))
    assert msg.get("intent")["name"] == "schulden_algemeen"
    assert msg.get("safety_check_in") == "crisis_suicide"


@pytest.mark.parametrize(
    ("ranking", "check_in"),
    [
        (
            [("nlu_fallback", 0.6), ("crisis_child_danger", 0.58), ("jeugdhulp_algemeen", 0.2)],
            "crisis_unsure",
        ),
        ([("nlu_fallback", 0.6), ("crisis_acute_danger", 0.5), ("greet", 0.3)], "crisis_unsure"),
        # too unsure
        ([("nlu_fallback", 0.6), ("crisis_child_danger", 0.45), ("jeugdhulp_algemeen", 0.4)], None),
        # not the best guess
        ([("nlu_fallback", 0.6), ("jeugdhulp_algemeen", 0.5), ("crisis_child_danger", 0.45)], None),
        ([("schulden_algemeen", 0.7), ("crisis_suicide", 0.2)], None),  # not unsure
    ],
)
def test_an_unsure_message_whose_best_guess_is_a_crisis_gets_a_check_in(ranking, check_in) -> None:  # type: ignore[no-untyped-def]
    msg = run(component(StubIndex()), message(ORDINARY, ranking, ZERO))
    assert msg.get("intent")["name"] == ranking[0][0]  # a check-in, not a crisis reply
    assert msg.get("safety_check_in") == check_in


def test_an_unsure_crisis_guess_with_a_harmless_reading_gets_no_check_in() -> None:
    ranking = [("nlu_fallback", 0.6), ("crisis_suicide", 0.8), ("greet", 0.1)]
    msg = run(component(StubIndex()), message("ik ga dood van het lachen om die brief", ranking, ZERO))
    assert msg.get("safety_check_in") is None


def test_the_net_decides_before_the_semantic_check_and_skips_it() -> None:
    index = StubIndex("crisis_sexual_violence", "strong")
    msg = run(component(index), message("mijn dochter snijdt zichzelf", [("jeugdhulp_algemeen", 0.6)], ZERO))
    assert msg.get("intent")["name"] == "crisis_self_harm"
    assert not index.asked


def test_the_classifier_embedding_is_reused() -> None:
    index = StubIndex()
    vector = np.full(encoder.DIMENSIONS, 0.05, dtype=np.float32)
    run(component(index), message(ORDINARY, [("greet", 0.8)], vector))
    assert len(index.asked) == 1 and np.array_equal(index.asked[0], vector)


def test_short_messages_are_not_compared() -> None:
    index = StubIndex("crisis_suicide", "strong")
    msg = run(component(index), message("hoi daar", [("greet", 0.9)], ZERO))
    assert msg.get("intent")["name"] == "greet" and not index.asked


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ([("crisis_suicide", 0.40), ("book_spreekuur", 0.38)], "book_spreekuur"),
        ([("crisis_suicide", 0.40), ("book_spreekuur", 0.20)], "nlu_fallback"),
    ],
)
def test_an_unsure_crisis_guess_of_the_model_alone_is_replaced(
    ranking: list[tuple[str, float]], expected: str
) -> None:
    msg = run(component(StubIndex()), message("can i make an appointment please", ranking, ZERO))
    assert msg.get("intent")["name"] == expected
    assert msg.get("safety_net")["crisis"] is None


@pytest.mark.parametrize(
    ("ranking", "check_in"),
    [
        ([("crisis_child_danger", 0.82), ("jeugdhulp_algemeen", 0.03)], "crisis_unsure"),
        ([("crisis_acute_danger", 0.67), ("huisvesting_gebreken", 0.11)], "crisis_unsure"),
        ([("crisis_suicide", 0.40), ("book_spreekuur", 0.38)], None),
    ],
)
def test_a_replaced_crisis_guess_that_is_likely_enough_asks_for_a_check_in(
    ranking: list[tuple[str, float]], check_in: str | None
) -> None:
    msg = run(component(StubIndex()), message(ORDINARY, ranking, ZERO))
    assert msg.get("safety_net")["crisis"] is None
    assert msg.get("safety_check_in") == check_in


def test_a_very_sure_crisis_guess_of_the_model_stays() -> None:
    msg = run(component(StubIndex()), message(ORDINARY, [("crisis_suicide", 0.95), ("greet", 0.01)], ZERO))
    assert msg.get("intent")["name"] == "crisis_suicide"


def test_a_crisis_guess_resting_on_an_everyday_phrase_is_replaced_even_when_sure() -> None:
    text = "ik ga dood van het lachen om die brief van de gemeente"
    ranking = [("crisis_suicide", 0.95), ("schulden_algemeen", 0.4)]
    msg = run(component(StubIndex()), message(text, ranking, ZERO))
    assert msg.get("intent")["name"] == "schulden_algemeen"
    assert msg.get("safety_check_in") is None


@pytest.mark.parametrize(("confidence", "expected"), [(0.7, "crisis_suicide"), (0.9, "crisis_acute_danger")])
def test_the_model_makes_the_nets_kind_acute_only_when_quite_sure(confidence: float, expected: str) -> None:
    text = "ik spaar mijn slaappillen al weken op"
    msg = run(component(StubIndex()), message(text, [("crisis_acute_danger", confidence)], ZERO))
    assert msg.get("intent") == {"name": expected, "confidence": 1.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ze zijn beneden weer aan het vechten, op dit moment, ik zit op mijn kamer", "crisis_acute_danger"),
        ("ze zijn vorig jaar vaak aan het vechten geweest, ik zat dan op mijn kamer", "crisis_child_danger"),
    ],
)
def test_a_sure_violence_guess_of_the_model_becomes_acute_when_it_happens_now(
    text: str, expected: str
) -> None:
    msg = run(component(StubIndex()), message(text, [("crisis_child_danger", 0.97)], ZERO))
    assert msg.get("intent")["name"] == expected


def test_the_model_does_not_turn_the_nets_sexual_violence_into_danger_at_home() -> None:
    """Image abuse by a classmate needs the Centrum Seksueel Geweld first, not Veilig Thuis."""
    text = "iemand uit mijn klas heeft naaktfoto's van mij rondgestuurd"
    msg = run(component(StubIndex()), message(text, [("crisis_child_danger", 1.0)], ZERO))
    assert msg.get("intent") == {"name": "crisis_sexual_violence", "confidence": 1.0}


def test_an_unsure_crisis_guess_backed_by_a_possible_signal_stays() -> None:
    msg = run(
        component(StubIndex("crisis_suicide", "possible")),
        message(ORDINARY, [("crisis_suicide", 0.4), ("greet", 0.3)], ZERO),
    )
    assert msg.get("intent")["name"] == "crisis_suicide"
    assert msg.get("safety_check_in") is None  # the crisis reply, not a check-in


def test_the_language_is_marked() -> None:
    safety = component(StubIndex())
    assert (
        run(safety, message("I want to cancel my appointment", [("cancel_booking", 0.8)], ZERO)).get(
            "message_language"
        )
        == "en"
    )
    assert (
        run(safety, message("ik wil mijn afspraak afzeggen", [("cancel_booking", 0.8)], ZERO)).get(
            "message_language"
        )
        == "nl"
    )


def test_button_payloads_are_left_alone() -> None:
    index = StubIndex("crisis_suicide", "strong")
    msg = run(component(index), message("/request_human", [("request_human", 1.0)]))
    assert msg.get("intent")["name"] == "request_human"
    assert msg.get("safety_check_in") is None


def test_the_index_puts_training_examples_with_their_kind_and_embeds_each_once() -> None:
    examples = [
        Message(data={"text": "ik wil er niet meer zijn", "intent": "crisis_suicide"}),
        Message(data={"text": "hoe vraag ik huurtoeslag aan", "intent": "huisvesting_huurtoeslag"}),
        Message(data={"text": "/greet", "intent": "greet"}),
    ]
    index = build_index(examples)
    assert "crisis_suicide" in set(index.kinds)
    assert examples[0].get(encoder.MESSAGE_KEY) is not None  # kept for the classifier
    assert examples[2].get(encoder.MESSAGE_KEY) is None
    assert len(index.crisis) + len(index.contrast) > 100  # with the exemplar file


def test_an_attempt_long_ago_that_is_over_gets_a_check_in_whatever_model_and_semantics_say() -> None:
    text = "Vier jaar geleden heb ik een zelfmoordpoging gedaan, nu gaat het goed. Kan ik schuldhulp krijgen?"
    index = StubIndex("crisis_suicide", "strong")
    ranking = [("crisis_suicide", 0.97), ("schulden_schuldhulp_gemeente", 0.6)]
    msg = run(component(index), message(text, ranking, ZERO))
    assert msg.get("intent")["name"] == "schulden_schuldhulp_gemeente"
    assert msg.get("safety_check_in") == "crisis_suicide" and msg.get("safety_net")["crisis"] is None
    assert index.asked == []  # the net decided: no semantic check
    recent = "Vorige week heb ik een zelfmoordpoging gedaan. Kan ik schuldhulp krijgen?"
    assert run(component(index), message(recent, ranking, ZERO)).get("intent")["name"] == "crisis_suicide"


@pytest.mark.parametrize(
    ("text", "net_kind"),
    [
        ("als ik iets vraag pakt hij me bij mijn keel, vorige week zag ik zwart", "crisis_domestic_violence"),
        ("de verzorger zit aan me als ik onder de douche sta", "crisis_sexual_violence"),
        (
            "mijn moeder heeft mijn broertje het hele weekend alleen thuis gelaten, ik ben zo moe",
            "crisis_child_danger",
        ),
    ],
)
def test_the_model_does_not_turn_the_nets_violence_into_the_suicide_line(text: str, net_kind: str) -> None:
    msg = run(component(StubIndex()), message(text, [("crisis_suicide", 0.95)], ZERO))
    assert msg.get("intent") == {"name": net_kind, "confidence": 1.0}


def test_a_course_about_a_crisis_topic_gets_no_crisis_reply_whatever_the_model_says() -> None:
    text = "ik geef een training over huiselijk geweld, wat is het nummer van Veilig Thuis"
    index = StubIndex("crisis_domestic_violence", "strong")
    ranking = [("crisis_domestic_violence", 0.97), ("out_of_scope", 0.6)]
    msg = run(component(index), message(text, ranking, ZERO))
    assert msg.get("intent")["name"] == "out_of_scope"
    assert msg.get("safety_check_in") is None and msg.get("safety_net")["crisis"] is None
    assert index.asked == []


def test_an_everyday_phrase_outweighs_a_strong_semantic_match_and_a_sure_model() -> None:
    index = StubIndex("crisis_self_harm", "strong")
    msg = run(
        component(index),
        message("my son keeps cutting class", [("crisis_self_harm", 0.95), ("jeugdhulp_school", 0.4)], ZERO),
    )
    assert msg.get("intent")["name"] == "jeugdhulp_school"
    assert msg.get("safety_net")["crisis"] is None and msg.get("safety_check_in") is None
