"""How benchmarks/outcome_benchmark.py judges what a resident got (no stack: conversations built by hand)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "outcome_benchmark", ROOT / "benchmarks" / "outcome_benchmark.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


ob = _load()
REPHRASE = ob.rephrase_texts()
NUMBERS = ob.crisis_numbers()


def tracker(
    intent: str, actions: list[str], bots: list[tuple[str, list[str]]], best: str | None = None
) -> dict:
    """A tracker as Rasa's HTTP API returns it: introduction, the resident's message, what followed."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.35}] if intent == "nlu_fallback" else []
    ranking += [{"name": best or intent, "confidence": 0.3}]
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "Hallo! Ik ben de digitale assistent. Bel 112 bij gevaar.", "data": {}},
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": "...",
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": ranking},
        },
    ]
    for name in actions:
        events.append({"event": "action", "name": name})
    for text, payloads in bots:
        events.append({"event": "bot", "text": text, "data": {"buttons": [{"payload": p} for p in payloads]}})
    events.append({"event": "action", "name": "action_listen"})
    return {"events": events}


def judge(expected: str, conversation: dict, crisis: bool = False) -> object:
    turn = ob.Turn(0, "...", expected, ob.topic_of_intent(expected), crisis, "plain")
    ob.read_conversation(conversation, turn)
    ob.classify(turn, REPHRASE, NUMBERS)
    return turn


def test_the_expected_answer_another_question_of_the_topic_and_another_topic() -> None:
    answer = tracker("schulden_aanmaning", ["action_answer"], [("Open de brief.", ["/request_callback"])])
    assert judge("schulden_aanmaning", answer).outcome == "right"
    assert judge("schulden_deurwaarder", answer).outcome == "right_topic"
    assert judge("huisvesting_borg", answer).outcome == "wrong"
    assert judge("thank", tracker("goodbye", ["utter_goodbye"], [("Dag!", [])])).outcome == "wrong"


def test_a_choice_is_useful_only_with_the_expected_question_or_topic() -> None:
    choice = tracker(
        "nlu_fallback",
        ["action_handle_nlu_fallback"],
        [
            (
                "Gaat je vraag over een van deze?",
                ["/schulden_aanmaning", "/schulden_deurwaarder", "/something_else", "/request_human"],
            )
        ],
    )
    assert judge("schulden_deurwaarder", choice).outcome == "useful_choice"
    assert judge("schulden_bewind", choice).outcome == "useful_choice"  # the right topic
    assert judge("huisvesting_borg", choice).outcome == "other_choice"
    assert judge("request_human", choice).outcome == "useful_choice"  # "Iemand spreken" is what they asked
    assert judge("book_spreekuur", choice).outcome == "other_choice"  # the extras alone are not useful


def test_the_rent_arrears_question_is_a_choice() -> None:
    asked = tracker(
        "huisvesting_huurachterstand",
        ["action_answer"],
        [
            (
                "Gaat je vraag over wonen en huur of over geld en schulden?",
                ["/huisvesting_huurachterstand", "/schulden_betalingsregeling"],
            )
        ],
    )
    assert judge("schulden_betalingsregeling", asked).outcome == "useful_choice"


@pytest.mark.parametrize("form", [0, 1])
def test_a_rephrase_request_is_recognised_by_its_text(form: int) -> None:
    text = sorted(REPHRASE)[form]
    asked = tracker("nlu_fallback", ["action_handle_nlu_fallback"], [(text, ["/schulden_algemeen"])])
    assert judge("schulden_aanmaning", asked).outcome == "rephrase"


def test_crisis_replies_and_the_number_that_comes_first() -> None:
    suicide = tracker(
        "crisis_suicide",
        ["utter_crisis_suicide"],
        [("Bel 113 of 0800-0113. Is er direct gevaar? Bel dan 112.", ["/request_human"])],
    )
    turn = judge("crisis_suicide", suicide, crisis=True)
    assert (turn.outcome, turn.first_line, turn.right_number) == (
        "crisis",
        "zelfmoordpreventie_telefoon",
        True,
    )
    turn = judge("crisis_sexual_violence", suicide, crisis=True)
    assert turn.right_number is False  # a crisis reply, but not the line this crisis needs first
    assert judge("schulden_aanmaning", suicide).outcome == "crisis"  # a false alarm
    missed = tracker("nlu_fallback", ["action_handle_nlu_fallback"], [(sorted(REPHRASE)[0], [])])
    turn = judge("crisis_suicide", missed, crisis=True)
    assert (turn.outcome, turn.first_line, turn.right_number) == ("rephrase", None, False)


def test_the_first_number_is_read_in_order_and_not_inside_another_number() -> None:
    assert (
        ob.first_crisis_line("Bel Veilig Thuis: 0800-2000. Gevaar? Bel 112.", NUMBERS)[0]
        == "veilig_thuis_telefoon"
    )
    assert ob.first_crisis_line("Open de 112NL-app of bel 112.", NUMBERS)[0] == "alarmnummer"
    assert ob.first_crisis_line("Bel 0800-0113 of 113.", NUMBERS) == (
        "zelfmoordpreventie_telefoon",
        "0800-0113",
    )
    assert ob.first_crisis_line("Bel 0800-8115.", NUMBERS) == (None, None)
