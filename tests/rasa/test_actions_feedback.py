"""Feedback on answers in the actions (issue 23), against a real case backend: an answer and the end of a
stappenplan carry "Heeft dit geholpen?" with Ja and Nee naming the answer, never during a form or after a
safety check-in; each shown answer, each "Ja" and "Nee" lands in the backend with the municipality,
content version and channel; "Nee" asks "Wat miste je?" and offers a person; a typed message that ends
in a fallback or a clarifying question is reported for the review page, a button's payload is not."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.backend_client import conversation_notes_sent
from actions.content import content_version
from actions.fallback import ActionHandleNluFallback
from actions.feedback import ActionFeedback, ActionFeedbackRemark, feedback_buttons
from actions.plans import ActionPlanHelped, ActionPlanNext
from tests.rasa.booking_backend import TOKEN, running_backend
from tests.rasa.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]
ANSWER = "schulden_aanmaning"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("feedback")
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        with running_backend(folder) as url:
            yield url, folder / "backend.db"


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: tuple[str, Path]) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    monkeypatch.delenv("DEFAULT_MUNICIPALITY", raising=False)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("BACKEND_URL", backend[0])


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    await conversation_notes_sent()
    return dispatcher.messages, events


def feedback_rows(database: Path, answer_id: str) -> list[tuple[Any, ...]]:
    return rows(
        database,
        "SELECT f.helped, m.slug, f.content_version, f.channel, f.remark FROM answer_feedback f "
        f"JOIN municipalities m ON m.id = f.municipality_id WHERE f.answer_id = '{answer_id}' ORDER BY f.id",
    )


def pressed(intent: str, answer_id: str, sender: str, slots: dict[str, Any] | None = None) -> Tracker:
    entities = [{"entity": "answer_id", "value": answer_id}]
    return make_tracker(
        slots=slots,
        intent=intent,
        entities=entities,
        sender_id=sender,
        text=f"/{intent}" + json.dumps({"answer_id": answer_id}),
    )


async def test_an_answer_asks_whether_it_helped_and_counts_itself(backend: tuple[str, Path]) -> None:
    tracker = make_tracker(
        slots={"gemeente": "heideveen"}, intent=ANSWER, text="ik krijg aanmaningen", sender_id="fb-answer"
    )
    [message], _ = await run(ActionAnswer(), tracker)
    assert message["text"].endswith("\n\nHeeft dit geholpen?")
    assert message["buttons"][-2:] == feedback_buttons(ANSWER)
    assert message["buttons"][-2]["payload"] == '/feedback_yes{"answer_id": "schulden_aanmaning"}'
    version = content_version(ROOT / "content")
    assert feedback_rows(backend[1], ANSWER)[-1] == (None, "heideveen", version, "onbekend", None)


async def test_no_question_during_a_form_or_after_a_safety_check_in(backend: tuple[str, Path]) -> None:
    in_form = make_tracker(intent=ANSWER, text="ik krijg aanmaningen", sender_id="fb-form")
    in_form.active_loop = {"name": "callback_form"}
    checked_in = make_tracker(
        intent=ANSWER, text="ik zie het niet meer zitten met die aanmaningen", sender_id="fb-check-in"
    )
    checked_in.events = [
        {"event": "user", "text": "..."},
        {"event": "action", "name": "utter_safety_check_in"},
    ]
    for tracker in (in_form, checked_in):
        [message], _ = await run(ActionAnswer(), tracker)
        assert "Heeft dit geholpen?" not in message["text"]
        assert not any(button["payload"].startswith("/feedback_") for button in message.get("buttons") or [])


async def test_ja_and_nee_land_on_the_answer_and_nee_asks_what_was_missing(backend: tuple[str, Path]) -> None:
    database = backend[1]
    await run(ActionAnswer(), make_tracker(intent=ANSWER, text="aanmaning", sender_id="fb-yes"))
    [glad], events = await run(ActionFeedback(), pressed("feedback_yes", ANSWER, "fb-yes"))
    assert glad["text"].startswith("Fijn dat het geholpen heeft")
    assert SlotSet("feedback_remark_for", None) in events

    await run(
        ActionAnswer(),
        make_tracker(intent=ANSWER, text="aanmaning", sender_id="fb-no", slots={"gemeente": "heideveen"}),
    )
    [asked], events = await run(
        ActionFeedback(), pressed("feedback_no", ANSWER, "fb-no", {"gemeente": "heideveen"})
    )
    assert "Wat miste je?" in asked["text"] and "overslaan" in asked["text"]
    assert [button["payload"] for button in asked["buttons"]] == ["/feedback_skip", "/request_human"]
    assert events == [SlotSet("feedback_remark_for", ANSWER)]
    verdicts = [row[:2] for row in feedback_rows(database, ANSWER) if row[0] is not None]
    assert (1, "voorbeeldstad") in verdicts and (0, "heideveen") in verdicts

    [skipped], events = await run(ActionFeedback(), make_tracker(intent="feedback_skip", sender_id="fb-no"))
    assert skipped["text"].startswith("Goed.") and events == [SlotSet("feedback_remark_for", None)]
    [thanks], events = await run(ActionFeedbackRemark(), make_tracker(sender_id="fb-no"))
    assert "Dank je wel" in thanks["text"] and thanks["buttons"] == [
        {"title": "Iemand spreken", "payload": "/request_human"}
    ]


async def test_the_end_of_a_stappenplan_asks_with_the_plan_named(backend: tuple[str, Path]) -> None:
    slots = {"plan_id": "sch_post_openen", "plan_step": 99.0}
    [done], events = await run(
        ActionPlanNext(), make_tracker(slots=slots, intent="stappenplan_volgende", sender_id="fb-plan")
    )
    assert "Heeft dit geholpen?" in done["text"]
    assert done["buttons"][:2] == feedback_buttons("plan:sch_post_openen")
    assert SlotSet("plan_feedback_pending", True) in events
    finished = {"plan_finished": "sch_post_openen", "plan_feedback_pending": True}
    await run(ActionPlanHelped(), make_tracker(slots=finished, intent="affirm", sender_id="fb-plan"))
    assert [row[0] for row in feedback_rows(backend[1], "plan:sch_post_openen")] == [1]


async def test_a_typed_miss_is_reported_for_review_and_a_button_is_not(backend: tuple[str, Path]) -> None:
    ranking = [("nlu_fallback", 0.6), ("schulden_aanmaning", 0.2), ("huisvesting_huurachterstand", 0.1)]
    typed = make_tracker(
        intent="nlu_fallback",
        ranking=ranking,
        text="blauwe brieven van de gemeente 06-12345678",
        slots={"gemeente": "heideveen"},
        sender_id="fb-miss",
    )
    await run(ActionHandleNluFallback(), typed)
    button = make_tracker(intent="something_else", text="/something_else", sender_id="fb-miss")
    await run(ActionHandleNluFallback(), button)
    missed = rows(backend[1], "SELECT text, kind, guesses FROM missed_messages ORDER BY id")
    assert len(missed) == 1
    text, kind, guesses = missed[0]
    assert "blauwe brieven" in text and "12345678" not in text
    assert kind in ("fallback", "verduidelijking")
    assert json.loads(guesses)[:2] == ["schulden_aanmaning", "huisvesting_huurachterstand"]
