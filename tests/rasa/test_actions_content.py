"""Answer, stappenplan and fallback actions with CollectingDispatcher, on a small fixture content set."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

import actions.fallback as fallback
from actions.answers import ActionAnswer
from actions.fallback import ActionHandleNluFallback
from actions.plans import (
    ActionPlanNext,
    ActionPlanPrevious,
    ActionPlanResume,
    ActionPlanStart,
    ActionPlanStop,
)
from tests.rasa.trackers import make_tracker

FIXTURE = Path(__file__).parent / "fixtures" / "content"
PLAN_ENTITY = [{"entity": "plan_id", "value": "test_plan"}]


@pytest.fixture(autouse=True)
def fixture_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(FIXTURE))
    monkeypatch.setenv("ADDRESS_FORM", "je")


async def run(action, **tracker_args):  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**tracker_args), domain={})
    return dispatcher.messages, events


async def test_answer_renders_placeholders_and_offers_as_buttons() -> None:
    messages, events = await run(ActionAnswer(), intent="schulden_aanmaning")
    assert messages[0]["text"] == "Open de brief en bel 0123-456 789.\n\nHeeft dit geholpen?"
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Stappenplan: Je post openen",
        "Terugbelverzoek",
        "Iemand spreken",
        "Ja",  # "Heeft dit geholpen?" (actions/feedback.py)
        "Nee",
    ]
    assert messages[0]["buttons"][0]["payload"] == '/stappenplan_start{"plan_id": "test_plan"}'
    assert events == [SlotSet("topic", "schulden")]


async def test_answer_uses_the_u_form_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    messages, _ = await run(ActionAnswer(), intent="schulden_aanmaning")
    assert messages[0]["buttons"][0]["title"] == "Stappenplan: Uw post openen"


async def test_a_typed_question_of_two_topics_gets_a_question_which_topic() -> None:
    messages, events = await run(
        ActionAnswer(), intent="huisvesting_huurachterstand", text="ik heb huurachterstand"
    )
    assert messages[0]["text"] == "Gaat je vraag over wonen en huur of over geld en schulden?"
    assert messages[0]["buttons"] == [
        {"title": "Wonen en huur", "payload": "/huisvesting_huurachterstand"},
        {"title": "Geld en schulden", "payload": "/schulden_aanmaning"},
    ]
    assert events == []


async def test_the_conversation_topic_or_a_button_settles_an_ambiguous_question() -> None:
    messages, events = await run(
        ActionAnswer(),
        intent="huisvesting_huurachterstand",
        text="huurachterstand",
        slots={"topic": "schulden"},
    )
    assert messages[0]["text"].startswith("Open de brief")  # the schulden choice
    assert events == [SlotSet("topic", "schulden")]
    messages, events = await run(
        ActionAnswer(), intent="huisvesting_huurachterstand", text="/huisvesting_huurachterstand"
    )
    assert messages[0]["text"] == "Bel je verhuurder.\n\nHeeft dit geholpen?"
    assert events == [SlotSet("topic", "huisvesting")]


async def test_a_question_outside_the_main_topics_is_counted_as_algemeen() -> None:
    messages, events = await run(ActionAnswer(), intent="algemeen_eenzaamheid")
    assert messages[0]["text"] == "Bel De Luisterlijn.\n\nHeeft dit geholpen?"
    assert events == [SlotSet("topic", "algemeen")]


async def test_a_general_question_competing_with_a_topic_question_gets_a_question_which_topic() -> None:
    ranking = [("nlu_fallback", 0.5), ("algemeen_eenzaamheid", 0.4), ("schulden_aanmaning", 0.3)]
    messages, _ = await run(ActionHandleNluFallback(), ranking=ranking)
    assert messages[0]["text"] == "Gaat je vraag over steun en zorg of over geld en schulden?"
    assert [b["title"] for b in messages[0]["buttons"]] == ["Steun en zorg", "Geld en schulden"]


async def test_unknown_answer_asks_to_rephrase() -> None:
    messages, events = await run(ActionAnswer(), intent="schulden_onbekend")
    assert messages[0]["response"] == "utter_ask_rephrase"
    assert events == []


async def test_a_plan_is_walked_forward_back_stopped_resumed_and_closed() -> None:
    messages, events = await run(ActionPlanStart(), entities=PLAN_ENTITY)
    assert messages[0]["text"] == "We beginnen."
    assert messages[1]["text"] == "Stap 1 van 3:\nPak je post."
    assert [b["title"] for b in messages[1]["buttons"]] == [
        "Volgende stap",
        "Vorige stap",
        "Stoppen",
        "Iemand spreken",
    ]
    assert events == [SlotSet("plan_id", "test_plan"), SlotSet("plan_step", 0.0)]

    at_step = {"plan_id": "test_plan", "plan_step": 1.0}
    messages, events = await run(ActionPlanNext(), slots=at_step)
    assert messages[0]["text"] == "Stap 3 van 3:\nBel 0900-8020."
    assert events == [SlotSet("plan_id", "test_plan"), SlotSet("plan_step", 2.0)]

    messages, events = await run(ActionPlanPrevious(), slots=at_step)
    assert messages[0]["text"].startswith("Stap 1 van 3")

    messages, events = await run(ActionPlanStop(), slots=at_step)
    assert "gestopt bij stap 2" in messages[0]["text"] and "waar was ik" in messages[0]["text"]
    assert events == []  # the place is kept for resuming

    messages, events = await run(ActionPlanResume(), slots=at_step)
    assert messages[0]["text"].startswith("Stap 2 van 3")

    messages, events = await run(ActionPlanNext(), slots={"plan_id": "test_plan", "plan_step": 2.0})
    assert "klaar met dit stappenplan" in messages[0]["text"]
    assert "geholpen" in messages[0]["text"]
    assert [
        b["payload"] for b in messages[0]["buttons"]
    ] == [  # Ja and Nee name the plan (actions/feedback.py)
        '/feedback_yes{"answer_id": "plan:test_plan"}',
        '/feedback_no{"answer_id": "plan:test_plan"}',
        "/request_callback",
        "/book_spreekuur",
    ]
    assert SlotSet("plan_id", None) in events and SlotSet("plan_finished", "test_plan") in events
    assert SlotSet("plan_feedback_pending", True) in events


async def test_previous_on_the_first_step_says_so() -> None:
    messages, _ = await run(ActionPlanPrevious(), slots={"plan_id": "test_plan", "plan_step": 0.0})
    assert messages[0]["text"] == "Dit is de eerste stap."
    assert messages[1]["text"].startswith("Stap 1 van 3")


@pytest.mark.parametrize(
    "action", [ActionPlanNext(), ActionPlanPrevious(), ActionPlanStop(), ActionPlanResume()]
)
async def test_navigation_without_an_active_plan_explains_and_offers_topics(action: Action) -> None:
    messages, events = await run(action)
    assert "niet bezig met een stappenplan" in messages[0]["text"]
    assert events == []


async def test_start_without_a_plan_lists_the_plans_and_unknown_plans_are_refused() -> None:
    messages, _ = await run(ActionPlanStart())
    assert [b["title"] for b in messages[0]["buttons"]] == ["Je post openen"]
    messages, events = await run(ActionPlanStart(), entities=[{"entity": "plan_id", "value": "bestaat_niet"}])
    assert "ken ik niet" in messages[0]["text"]
    assert events == [SlotSet("plan_id", None), SlotSet("plan_step", None)]


async def test_two_competing_topics_get_a_clarifying_question() -> None:
    ranking = [
        ("nlu_fallback", 0.5),
        ("huisvesting_huurachterstand", 0.45),
        ("schulden_aanmaning", 0.35),
        ("greet", 0.1),
    ]
    messages, _ = await run(ActionHandleNluFallback(), ranking=ranking)
    assert messages[0]["text"] == "Gaat je vraag over wonen en huur of over geld en schulden?"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/huisvesting_huurachterstand",
        "/schulden_aanmaning",
    ]


async def test_two_close_questions_of_one_topic_are_offered_by_their_question() -> None:
    ranking = [("nlu_fallback", 0.5), ("schulden_aanmaning", 0.45), ("schulden_beslag", 0.35)]
    messages, _ = await run(ActionHandleNluFallback(), ranking=ranking)
    assert messages[0]["text"] == "Bedoel je een van deze vragen?"
    assert messages[0]["buttons"] == [
        {"title": "Wat moet ik doen met een aanmaning?", "payload": "/schulden_aanmaning"},
        {"title": "Beslag, wat nu?", "payload": "/schulden_beslag"},
    ]


@pytest.mark.parametrize(
    "ranking",
    [
        [("nlu_fallback", 0.5), ("greet", 0.4), ("schulden_aanmaning", 0.3), ("huisvesting_x", 0.2)],
        [("nlu_fallback", 0.5), ("schulden_aanmaning", 0.2), ("huisvesting_huurachterstand", 0.1)],
        [("nlu_fallback", 0.5), ("schulden_aanmaning", 0.3), ("huisvesting_niet_in_content", 0.3)],
        [],
    ],
)
async def test_otherwise_the_fallback_asks_to_rephrase(ranking, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # No two answers compete and no topic is clear (the topic choice is tested in test_fallback.py).
    monkeypatch.setattr(fallback, "TOPIC_CLARITY", fallback.TopicClarity(min_mass=0.4, min_lead=0.2))
    messages, _ = await run(ActionHandleNluFallback(), ranking=ranking)
    assert messages[0]["response"] == "utter_ask_rephrase"
