"""The resident's municipality in the actions (issue 23), against a real case backend with the two demo
municipalities (Voorbeeldstad, the default, and Heideveen): each resident gets their municipality's
facts and spreekuren, bookings, callbacks and handovers carry the municipality, and an action that
needs an unknown municipality asks once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.backend_client import BackendClient
from actions.callback import ActionAskCallbackConfirmed, ActionSubmitCallback
from actions.handover import ActionHandover
from actions.municipality import ActionMunicipalityChosen
from actions.plans import ActionPlanStart
from actions.session import ActionSessionStart
from actions.spreekuur import ActionAskSpreekuurSlot, ActionSubmitSpreekuur
from tests.rasa.booking_backend import TOKEN, running_backend, use_backend
from tests.rasa.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]
PHONES = {"voorbeeldstad": "0123-456 789", "heideveen": "0987-654 321"}  # content/local*.yml
#: An answer that names the wijkteam's phone number (content/answers/schulden.yml).
PHONE_ANSWER = "schulden_schuldhulp_gemeente"
ASK = "In welke gemeente woon je?"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Both teams always open: Heideveen's own demo hours are cleared, so it has the setting's too.
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        with running_backend(
            tmp_path_factory.mktemp("municipalities"), office_hours={"heideveen": None}
        ) as url:
            yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    use_backend(monkeypatch, backend)


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher.messages, events


def client(url: str) -> BackendClient:
    return BackendClient(url, TOKEN)


def answer_question(slots: dict[str, Any]) -> Tracker:
    return make_tracker(slots=slots, intent=PHONE_ANSWER, text="hoe meld ik me aan voor schuldhulp?")


@pytest.mark.parametrize("slug", ["voorbeeldstad", "heideveen"])
async def test_each_resident_reads_their_own_municipalitys_phone_number(slug: str) -> None:
    messages, _ = await run(ActionAnswer(), answer_question({"gemeente": slug}))
    [message] = messages
    other = next(phone for key, phone in PHONES.items() if key != slug)
    assert PHONES[slug] in message["text"] and other not in message["text"]


async def test_an_unknown_municipality_is_asked_once_with_a_button_per_municipality() -> None:
    messages, events = await run(ActionAnswer(), answer_question({}))
    [question] = messages
    assert question["text"].startswith(ASK)
    assert question["buttons"] == [
        {"title": "Heideveen", "payload": "Ik woon in Heideveen"},
        {"title": "Voorbeeldstad", "payload": "Ik woon in Voorbeeldstad"},
    ]
    assert events == [SlotSet("gemeente_asked", True), SlotSet("gemeente_pending", "action_answer")]
    # Asked before and not answered: the default municipality's answer, no second question.
    messages, _ = await run(ActionAnswer(), answer_question({"gemeente_asked": True}))
    assert PHONES["voorbeeldstad"] in messages[0]["text"]


async def test_an_answer_without_local_values_is_given_without_asking() -> None:
    tracker = make_tracker(intent="schulden_aanmaning", text="ik heb een aanmaning")
    messages, events = await run(ActionAnswer(), tracker)
    assert messages and not messages[0]["text"].startswith(ASK)
    assert SlotSet("gemeente_asked", True) not in events


async def test_a_plan_with_local_values_asks_first_and_then_shows_the_municipalitys_values() -> None:
    from actions.content import content_store
    from bot.assistant.settings import rasa_side_settings

    store = content_store(rasa_side_settings().content_dir)
    plan = next(
        p
        for p in store.plans.values()
        if store.uses_local_values(p.steps[0]) or store.uses_local_values(p.intro)
    )
    entities = [{"entity": "plan_id", "value": plan.id}]
    messages, events = await run(
        ActionPlanStart(), make_tracker(intent="stappenplan_start", entities=entities)
    )
    assert messages[0]["text"].startswith(ASK) and SlotSet("gemeente_pending", "action_plan_start") in events
    tracker = make_tracker({"gemeente": "heideveen"}, intent="stappenplan_start", entities=entities)
    messages, _ = await run(ActionPlanStart(), tracker)
    shown = "\n".join(message["text"] for message in messages)
    assert store.text(plan.intro, "je", municipality="heideveen") in shown


@pytest.mark.parametrize("slug", ["voorbeeldstad", "heideveen"])
async def test_the_spreekuur_offers_only_the_municipalitys_own_slots(backend: str, slug: str) -> None:
    messages, _ = await run(ActionAskSpreekuurSlot(), make_tracker({"topic": "schulden", "gemeente": slug}))
    own = await client(backend).free_slots("schulden", limit=50, municipality=slug)
    other = "heideveen" if slug == "voorbeeldstad" else "voorbeeldstad"
    others = await client(backend).free_slots("schulden", limit=50, municipality=other)
    assert own and others
    own_names = {slot["location"]["name"] for slot in own}
    other_names = {slot["location"]["name"] for slot in others}
    titles = [button["title"] for button in messages[0]["buttons"][:-2]]
    assert titles and all(any(name in title for name in own_names) for title in titles)
    assert not any(name in title for title in titles for name in other_names)


async def test_the_spreekuur_asks_the_municipality_first_when_unknown() -> None:
    messages, events = await run(ActionAskSpreekuurSlot(), make_tracker({"topic": "schulden"}))
    assert messages[0]["text"].startswith(ASK)
    assert SlotSet("gemeente_pending", "action_ask_spreekuur_slot") in events


async def test_a_heideveen_booking_is_heideveens_and_names_its_address(backend: str) -> None:
    slot = (await client(backend).free_slots("schulden", municipality="heideveen"))[0]
    slots = {
        "topic": "schulden",
        "gemeente": "heideveen",
        "spreekuur_slot": str(slot["id"]),
        "spreekuur_first_name": "Bram",
        "spreekuur_contact": "06-12345678",
        "spreekuur_confirmed": True,
    }
    with mock.patch.object(
        BackendClient, "book_slot", autospec=True, side_effect=BackendClient.book_slot
    ) as book:
        messages, _ = await run(ActionSubmitSpreekuur(), make_tracker(slots))
    assert book.call_args.kwargs["municipality"] == "heideveen"
    [reply] = messages
    assert reply["response"] == "utter_booking_done"
    assert (
        reply["address"] == slot["location"]["address"] and reply["wijkteam_telefoon"] == PHONES["heideveen"]
    )


async def test_a_callback_carries_the_municipality_and_its_summary_is_asked_after_the_municipality() -> None:
    slots = {"callback_first_name": "Bram", "callback_phone": "0612345678", "callback_part_of_day": "ochtend"}
    messages, events = await run(ActionAskCallbackConfirmed(), make_tracker(slots))
    assert messages[0]["text"].startswith(ASK)
    assert SlotSet("gemeente_pending", "action_ask_callback_confirmed") in events
    slots = {**slots, "gemeente": "heideveen", "callback_confirmed": True, "topic": "schulden"}
    with mock.patch.object(
        BackendClient, "create_callback", autospec=True, side_effect=BackendClient.create_callback
    ) as create:
        messages, _ = await run(ActionSubmitCallback(), make_tracker(slots))
    assert create.call_args.kwargs["municipality"] == "heideveen"
    assert messages[0]["response"] == "utter_callback_done"


async def test_a_handover_names_the_municipality_for_the_staff_and_carries_it(backend: str) -> None:
    tracker = make_tracker(
        {"handover_reason": "request", "gemeente": "heideveen", "topic": "schulden"},
        intent="affirm",
        text="ja",
        sender_id="heideveen-handover",
    )
    with mock.patch.object(
        BackendClient, "create_handover", autospec=True, side_effect=BackendClient.create_handover
    ) as create:
        messages, _ = await run(ActionHandover(), tracker)
    kwargs = create.call_args.kwargs
    assert kwargs["municipality"] == "heideveen"
    assert "Gemeente: Heideveen." in kwargs["summary"].splitlines()
    assert messages[0]["wijkteam_telefoon"] == PHONES["heideveen"] and messages[0]["reactietijd"] == "een uur"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {
        "conversation_id": "heideveen-handover",
        "channel": "rest",
        "reason": "x",
        "municipality": "heideveen",
    }
    again = httpx.post(f"{backend}/api/handovers", json=body, headers=headers, timeout=10).json()
    assert again["municipality"] == "heideveen"  # the same open handover, recorded for Heideveen


async def test_an_unknown_municipality_in_a_handover_summary_says_the_default_was_taken() -> None:
    from actions.content import content_store
    from actions.handover import conversation_summary
    from bot.assistant.settings import rasa_side_settings

    store = content_store(rasa_side_settings().content_dir)
    summary = conversation_summary(make_tracker({}), store, "request")
    assert "Gemeente: niet bekend (de bewoner zei het niet; Voorbeeldstad aangenomen)." in summary


async def test_the_choice_is_confirmed_in_the_municipalitys_name() -> None:
    messages, events = await run(ActionMunicipalityChosen(), make_tracker({"gemeente": "heideveen"}))
    assert messages[0]["text"].startswith("Dank je. Ik onthoud dat je in Heideveen woont.")
    assert events == [SlotSet("gemeente_asked", True), SlotSet("gemeente_pending", None)]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [({"gemeente": "heideveen"}, "heideveen"), ({"gemeente": "nergensdorp"}, None), ({}, None)],
)
async def test_the_widgets_data_gemeente_sets_the_slot_at_session_start(
    metadata: dict[str, str], expected: str | None
) -> None:
    tracker = make_tracker({"session_started_metadata": metadata})
    domain = yaml.safe_load((ROOT / "domain" / "general.yml").read_text(encoding="utf-8"))
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, domain)
    set_to = [event["value"] for event in events if event.get("name") == "gemeente"]
    assert set_to == ([expected] if expected else [])


async def test_a_handover_after_a_crisis_never_waits_for_the_municipality_question() -> None:
    tracker = make_tracker(
        {"handover_reason": "crisis"}, intent="affirm", text="ja", sender_id="crisis-handover"
    )
    messages, events = await run(ActionHandover(), tracker)
    assert not any(str(message.get("text") or "").startswith(ASK) for message in messages)
    assert SlotSet("gemeente_asked", True) not in events and messages


async def test_a_handover_asks_the_municipality_first_when_unknown() -> None:
    tracker = make_tracker(
        {"handover_reason": "request"}, intent="affirm", text="ja", sender_id="ask-handover"
    )
    messages, events = await run(ActionHandover(), tracker)
    assert messages[0]["text"].startswith(ASK)
    assert events == [SlotSet("gemeente_asked", True), SlotSet("gemeente_pending", "action_handover")]
