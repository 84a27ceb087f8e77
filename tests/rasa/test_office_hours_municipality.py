"""Office hours per municipality in the actions (issue 23), against a real case backend: Voorbeeldstad
has the `OFFICE_HOURS` setting (always open here), Heideveen its own hours (set with `set-office-hours`:
only the weekday after tomorrow, so closed all of today). A Heideveen resident's handover is after hours
while a Voorbeeldstad resident's at the same moment is taken in the chat; the callback form offers each
the parts of the day their own team works."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient
from actions.callback import ActionAskCallbackPartOfDay, ValidateCallbackForm
from actions.handover import ActionHandover
from tests.rasa.booking_backend import TOKEN, running_backend, use_backend
from tests.rasa.trackers import make_tracker

DAY_KEYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).weekday()
    heideveen = f"{DAY_KEYS[(today + 2) % 7]} 09:00-12:00"
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        with running_backend(
            tmp_path_factory.mktemp("office-hours"), office_hours={"heideveen": heideveen}
        ) as url:
            yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    use_backend(monkeypatch, backend)


def api(url: str, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.get(f"{url}/api{path}", params=params, headers=headers, timeout=10).json()


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    return dispatcher.messages, events


def handover_tracker(sender: str, slots: dict[str, Any]) -> Tracker:
    slots = {"handover_reason": "request", "topic": "schulden", **slots}
    return make_tracker(slots, intent="affirm", text="ja", sender_id=sender)


async def test_the_backend_answers_per_municipality(backend: str) -> None:
    heideveen = api(backend, "/office-hours", municipality="heideveen")
    assert heideveen["open_now"] is False and heideveen["next_open_label"].endswith("om 9.00 uur")
    assert heideveen["parts_of_day"] == ["ochtend"]
    assert api(backend, "/office-hours", municipality="voorbeeldstad")["open_now"] is True
    assert api(backend, "/office-hours")["municipality"] == "voorbeeldstad"


async def test_a_heideveen_handover_is_after_hours_while_voorbeeldstad_is_open(backend: str) -> None:
    messages, events = await run(
        ActionHandover(), handover_tracker("hours-heideveen", {"gemeente": "heideveen"})
    )
    assert ConversationPaused() not in events
    [message] = messages
    assert message["response"] == "utter_handover_after_hours"
    assert (
        message["next_open_label"]
        == api(backend, "/office-hours", municipality="heideveen")["next_open_label"]
    )
    [handover] = api(backend, "/handovers", conversation_id="hours-heideveen")
    assert handover["municipality"] == "heideveen"
    assert handover["contact_request"].startswith("Buiten openingstijden")

    # The same moment, a Voorbeeldstad resident: the team is open, a person takes over in the chat.
    messages, events = await run(
        ActionHandover(), handover_tracker("hours-voorbeeldstad", {"gemeente": "voorbeeldstad"})
    )
    assert ConversationPaused() in events
    assert messages[0]["response"] != "utter_handover_after_hours"
    [handover] = api(backend, "/handovers", conversation_id="hours-voorbeeldstad")
    assert handover["municipality"] == "voorbeeldstad"
    assert handover["contact_request"].startswith("Antwoord in dit chatgesprek")


async def test_an_unknown_municipality_asks_for_the_default_municipalitys_hours(backend: str) -> None:
    with mock.patch.object(
        BackendClient, "office_hours", autospec=True, side_effect=BackendClient.office_hours
    ) as office_hours:
        # Asked before and not answered: the default municipality (Voorbeeldstad, open).
        _, events = await run(ActionHandover(), handover_tracker("hours-unknown", {"gemeente_asked": True}))
    assert office_hours.call_args.args[1:] == (None,)
    assert ConversationPaused() in events


@pytest.mark.parametrize(
    ("slug", "parts"), [("heideveen", ["Ochtend"]), ("voorbeeldstad", ["Ochtend", "Middag", "Avond"])]
)
async def test_the_callback_offers_the_parts_of_the_day_of_the_residents_team(
    backend: str, slug: str, parts: list[str]
) -> None:
    messages, _ = await run(ActionAskCallbackPartOfDay(), make_tracker({"gemeente": slug}))
    assert [button["title"] for button in messages[0]["buttons"]] == [*parts, "Maakt niet uit"]


async def test_a_heideveen_resident_cannot_ask_for_an_evening_call(backend: str) -> None:
    form = ValidateCallbackForm()
    for slug, accepted in (("heideveen", False), ("voorbeeldstad", True)):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker({"gemeente": slug}, text="in de avond")
        result = await form.validate_callback_part_of_day("in de avond", dispatcher, tracker, {})
        assert (result == {"callback_part_of_day": "avond"}) is accepted, (slug, result)
        if not accepted:
            assert dispatcher.messages[0]["response"] == "utter_part_of_day_outside_hours"
            assert dispatcher.messages[0]["parts_label"] == "in de ochtend"
