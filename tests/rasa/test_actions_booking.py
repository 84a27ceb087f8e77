"""Booking actions with CollectingDispatcher against a real case backend started by the test.

The backend runs in the app environment on a free port with a migrated and seeded SQLite database;
`backend_down` points the actions at a port nobody listens on.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
from rasa_sdk import Action
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, BackendRejected
from actions.booking_changes import (
    ActionSubmitBookingChange,
    ValidateBookingChangeForm,
    read_change_choice,
    read_verification,
)
from actions.callback import (
    ActionAskCallbackConfirmed,
    ActionAskCallbackPartOfDay,
    ActionSubmitCallback,
    ValidateCallbackForm,
    read_part_of_day,
)
from actions.dutch_dates import day_label
from actions.form_base import ActionStopBooking
from actions.spreekuur import (
    ActionAskSpreekuurSlot,
    ActionSubmitSpreekuur,
    ValidateSpreekuurForm,
    slot_button_text,
)
from bot.shared.booking_codes import ALPHABET
from tests.rasa.booking_backend import TOKEN, free_port, running_backend
from tests.rasa.trackers import make_tracker

WIJKTEAM_PHONE = "0123-456 789"  # content/local.yml
#: The resident's municipality in these tests (the slot `gemeente`): the default one, Voorbeeldstad.
HOME = "voorbeeldstad"


def with_home(tracker_args: dict[str, Any]) -> dict[str, Any]:
    """The tracker's slots with the resident's municipality, unless the test names one."""
    return {**tracker_args, "slots": {"gemeente": HOME, **(tracker_args.get("slots") or {})}}


#: The team's hours in this module's backend: no evening (the callback form offers no "Avond").
OFFICE_HOURS = "ma-vr 09:00-17:00"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": OFFICE_HOURS}):
        with running_backend(tmp_path_factory.mktemp("backend")) as url:
            yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "5")


@pytest.fixture
def up(backend: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BACKEND_URL", backend)
    return backend


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")


def client(url: str) -> BackendClient:
    return BackendClient(url, TOKEN)


def api(url: str, path: str) -> Any:
    return httpx.get(f"{url}/api{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()


async def run(action: Action, **tracker_args: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(**with_home(tracker_args)), domain={})
    return dispatcher.messages, events


async def validate(
    form: Any, slot: str, value: str, **tracker_args: Any
) -> tuple[list[dict[str, Any]], dict]:
    dispatcher = CollectingDispatcher()
    result = await getattr(form, f"validate_{slot}")(
        value, dispatcher, make_tracker(**with_home(tracker_args)), {}
    )
    return dispatcher.messages, result


# Terugbelverzoek


@pytest.mark.parametrize("typed", ["06-12345678", "06 1234 5678", "+31 6 12345678", "0031612345678"])
async def test_a_dutch_mobile_number_is_accepted_in_any_format(typed: str) -> None:
    messages, result = await validate(ValidateCallbackForm(), "callback_phone", typed)
    assert result == {"callback_phone": "06-12345678"} and messages == []


async def test_a_landline_is_accepted_and_a_wrong_number_refused_kindly_with_an_example() -> None:
    assert (await validate(ValidateCallbackForm(), "callback_phone", "020-1234567"))[1] == {
        "callback_phone": "0201234567"
    }
    messages, result = await validate(ValidateCallbackForm(), "callback_phone", "12345")
    assert result == {"callback_phone": None}
    assert messages[0]["response"] == "utter_invalid_phone"


async def test_first_name_is_checked_and_capitalised() -> None:
    assert (await validate(ValidateCallbackForm(), "callback_first_name", " anna "))[1] == {
        "callback_first_name": "Anna"
    }
    messages, result = await validate(ValidateCallbackForm(), "callback_first_name", "123 <b>")
    assert result == {"callback_first_name": None}
    assert messages[0]["response"] == "utter_invalid_first_name"


def test_part_of_day_words() -> None:
    assert [
        read_part_of_day(t) for t in ("ochtend", "liefst 's middags", "avond", "maakt niet uit", "ja")
    ] == ["ochtend", "middag", "avond", "geen voorkeur", None]


async def test_the_part_of_day_question_offers_only_the_team_hours(up: str) -> None:
    messages, _ = await run(ActionAskCallbackPartOfDay())
    assert messages[0]["response"] == "utter_ask_callback_part_of_day"
    assert [button["title"] for button in messages[0]["buttons"]] == ["Ochtend", "Middag", "Maakt niet uit"]
    messages, result = await validate(ValidateCallbackForm(), "callback_part_of_day", "liefst 's avonds")
    assert result == {"callback_part_of_day": None}
    assert messages[0]["response"] == "utter_part_of_day_outside_hours"
    assert messages[0]["parts_label"] == "in de ochtend of in de middag"
    assert "Avond" not in [button["title"] for button in messages[0]["buttons"]]
    assert (await validate(ValidateCallbackForm(), "callback_part_of_day", "middag"))[1] == {
        "callback_part_of_day": "middag"
    }
    assert (await validate(ValidateCallbackForm(), "callback_part_of_day", "maakt niet uit"))[1] == {
        "callback_part_of_day": "geen voorkeur"
    }


async def test_the_part_of_day_question_offers_every_part_when_the_backend_is_down(down: None) -> None:
    messages, _ = await run(ActionAskCallbackPartOfDay())
    titles = [button["title"] for button in messages[0]["buttons"]]
    assert titles == ["Ochtend", "Middag", "Avond", "Maakt niet uit"]
    assert (await validate(ValidateCallbackForm(), "callback_part_of_day", "avond"))[1] == {
        "callback_part_of_day": "avond"
    }


async def test_the_summary_names_the_topic_of_the_conversation() -> None:
    messages, _ = await run(
        ActionAskCallbackConfirmed(), slots={"topic": "schulden", "callback_part_of_day": "middag"}
    )
    assert messages[0]["response"] == "utter_callback_summary"
    assert messages[0]["topic_label"] == "geld en schulden" and messages[0]["part_label"] == "in de middag"


CALLBACK_SLOTS = {
    "topic": "huisvesting",
    "callback_first_name": "Anna",
    "callback_phone": "06-12345678",
    "callback_part_of_day": "ochtend",
    "callback_confirmed": True,
}


async def test_a_confirmed_callback_is_filed_and_the_resident_hears_when(up: str) -> None:
    before = len(api(up, "/callbacks"))
    messages, events = await run(ActionSubmitCallback(), slots=CALLBACK_SLOTS)
    callbacks = api(up, "/callbacks")
    assert len(callbacks) == before + 1
    filed = [c for c in callbacks if c["first_name"] == "Anna"][0]
    assert (filed["topic"], filed["phone"], filed["preferred_part_of_day"]) == (
        "huisvesting",
        "+31612345678",
        "ochtend",
    )
    assert messages[0]["response"] == "utter_callback_done"
    assert messages[0]["due_label"] == filed["due_label"]
    assert SlotSet("callback_phone", None) in events


async def test_backend_down_gives_the_wijkteam_number_and_stores_nothing(down: None) -> None:
    messages, events = await run(ActionSubmitCallback(), slots=CALLBACK_SLOTS)
    assert messages[0]["response"] == "utter_backend_down"
    assert messages[0]["wijkteam_telefoon"] == WIJKTEAM_PHONE
    assert SlotSet("callback_confirmed", None) in events


# Spreekuur


async def test_the_next_free_slots_of_the_topic_are_offered_as_buttons(up: str) -> None:
    messages, events = await run(ActionAskSpreekuurSlot(), slots={"topic": "schulden"})
    free = await client(up).free_slots("schulden", municipality=HOME)
    assert messages[0]["response"] == "utter_ask_spreekuur_slot"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        *(slot_button_text(s) for s in free[:4]),
        "andere dag",
        "/deny",
    ]
    assert [b["title"] for b in messages[0]["buttons"][-2:]] == ["Andere dag", "Stoppen"]
    assert events == []


async def test_another_day_offers_the_days_with_free_places_then_their_times(up: str) -> None:
    _, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", "Andere dag", slots={"topic": "schulden"}
    )
    assert result == {"spreekuur_slot": None, "spreekuur_wish": "andere dag"}
    messages, _ = await run(
        ActionAskSpreekuurSlot(), slots={"topic": "schulden", "spreekuur_wish": "andere dag"}
    )
    assert messages[0]["response"] == "utter_ask_spreekuur_day"
    free = await client(up).free_slots("schulden", limit=50, municipality=HOME)
    days = list(dict.fromkeys(day_label(dt.date.fromisoformat(s["date"])) for s in free))
    assert [b["payload"] for b in messages[0]["buttons"]] == [*days[:6], "/deny"]

    # A day with several free times: its times are offered next.
    def on(day: str) -> list[dict[str, Any]]:
        return [s for s in free if day_label(dt.date.fromisoformat(s["date"])) == day]

    day = next(day for day in days[:6] if len(on(day)) > 1)
    messages, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", day, slots={"topic": "schulden"}
    )
    assert result["spreekuur_slot"] is None and result["spreekuur_wish"] == day
    assert messages[0]["response"] == "utter_spreekuur_choose"
    messages, _ = await run(ActionAskSpreekuurSlot(), slots={"topic": "schulden", "spreekuur_wish": day})
    assert [b["payload"] for b in messages[0]["buttons"][:-2]] == [slot_button_text(s) for s in on(day)[:4]]


async def test_a_wijk_narrows_the_offer(up: str) -> None:
    _, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", "liefst in Zuid", slots={"topic": "schulden"}
    )
    assert result == {"spreekuur_slot": None, "spreekuur_wijk": "Zuid", "spreekuur_wish": None}
    messages, _ = await run(ActionAskSpreekuurSlot(), slots={"topic": "schulden", "spreekuur_wijk": "Zuid"})
    assert messages[0]["response"] == "utter_ask_spreekuur_slot_wijk"
    assert all("Proefboom" in b["title"] for b in messages[0]["buttons"][:-2])  # then Andere dag, Stoppen


async def test_a_button_text_picks_exactly_that_slot(up: str) -> None:
    slot = (await client(up).free_slots("schulden", municipality=HOME))[1]
    _, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", slot_button_text(slot), slots={"topic": "schulden"}
    )
    assert result["spreekuur_slot"] == str(slot["id"])
    assert slot["location"]["address"] in result["spreekuur_label"]


async def test_a_typed_date_without_a_free_slot_and_nonsense_are_refused_kindly(up: str) -> None:
    messages, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", "1 januari om 3 uur", slots={"topic": "schulden"}
    )
    assert result["spreekuur_slot"] is None and messages[0]["response"] == "utter_spreekuur_no_match"
    messages, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", "weet ik niet", slots={"topic": "schulden"}
    )
    assert result == {"spreekuur_slot": None} and messages[0]["response"] == "utter_spreekuur_not_understood"


async def test_contact_is_a_phone_number_or_an_e_mail_address() -> None:
    form = ValidateSpreekuurForm()
    assert (await validate(form, "spreekuur_contact", "anna@voorbeeld.nl"))[1] == {
        "spreekuur_contact": "anna@voorbeeld.nl"
    }
    assert (await validate(form, "spreekuur_contact", "0612345678"))[1] == {
        "spreekuur_contact": "06-12345678"
    }
    messages, result = await validate(form, "spreekuur_contact", "mijn BSN is 123456782")
    assert result == {"spreekuur_contact": None} and messages[0]["response"] == "utter_invalid_contact"


async def book(slot: dict[str, Any], contact: str = "06-12345678") -> tuple[list[dict[str, Any]], list[Any]]:
    return await run(
        ActionSubmitSpreekuur(),
        slots={
            "topic": slot["topic"],
            "spreekuur_slot": str(slot["id"]),
            "spreekuur_first_name": "Bram",
            "spreekuur_contact": contact,
            "spreekuur_confirmed": True,
        },
    )


async def test_booking_confirms_code_address_and_what_to_bring(up: str) -> None:
    slot = (await client(up).free_slots("schulden", municipality=HOME))[0]
    messages, events = await book(slot, contact="bram@voorbeeld.nl")
    reply = messages[0]
    assert reply["response"] == "utter_booking_done"
    booking = booking_state(up, reply["code"], "bram@voorbeeld.nl")
    assert (booking["status"], booking["email"], booking["slot"]["id"]) == (
        "bevestigd",
        "bram@voorbeeld.nl",
        slot["id"],
    )
    assert reply["address"] == slot["location"]["address"]
    assert "aanmaningen" in reply["bring"]
    assert SlotSet("spreekuur_slot", None) in events


async def test_a_slot_just_taken_is_explained_and_another_time_offered(up: str) -> None:
    slot = [s for s in await client(up).free_slots("huisvesting", municipality=HOME) if s["free"] == 1][0]
    await client(up).book_slot(slot["id"], "Eerder", phone="0612345678")  # someone else takes the last place
    messages, events = await book(slot)
    assert messages[0]["response"] == "utter_slot_taken"
    assert messages[0]["reason"] == "Dit tijdstip is helaas vol. Kies een ander tijdstip."
    assert messages[0]["wijkteam_telefoon"] == WIJKTEAM_PHONE
    # Name and contact stay, so choosing another time is all that is left.
    assert events == [
        SlotSet("spreekuur_slot", None),
        SlotSet("spreekuur_confirmed", None),
        SlotSet("spreekuur_label", None),
    ]
    assert [
        s for s in await client(up).free_slots("huisvesting", municipality=HOME) if s["id"] == slot["id"]
    ] == []


async def test_backend_down_while_choosing_is_explained_with_a_way_out(down: None) -> None:
    messages, events = await run(ActionAskSpreekuurSlot(), slots={"topic": "schulden"})
    assert messages[0]["response"] == "utter_spreekuur_unavailable"
    assert messages[0]["wijkteam_telefoon"] == WIJKTEAM_PHONE
    assert events == []
    _, result = await validate(
        ValidateSpreekuurForm(), "spreekuur_slot", "morgen", slots={"topic": "schulden"}
    )
    assert result == {"spreekuur_slot": None}


async def test_backend_down_while_booking_stores_nothing(up: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slot = (await client(up).free_slots("algemeen", municipality=HOME))[0]
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    messages, _ = await book(slot)
    assert messages[0]["response"] == "utter_backend_down"
    after = [s for s in await client(up).free_slots("algemeen", municipality=HOME) if s["id"] == slot["id"]][
        0
    ]
    assert after["free"] == slot["free"]


# Cancel or move by code


def booking_state(url: str, code: str, verification: str = "5678") -> dict[str, Any]:
    """The booking as the backend has it (a lookup with the right factor, by a test client)."""
    response = httpx.post(
        f"{url}/api/bookings/lookup",
        json={"code": code, "verification": verification, "client": f"test-check-{uuid.uuid4()}"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["booking"])


def random_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"VD-{body[:4]}-{body[4:]}"


async def test_the_change_form_reads_a_code_from_the_message() -> None:
    form = ValidateBookingChangeForm()
    assert (await validate(form, "change_code", "mijn code is vd 7k3p x9qa"))[1] == {
        "change_code": "VD-7K3P-X9QA"
    }
    assert (await validate(form, "change_code", "VD-7K3P"))[1] == {"change_code": "VD-7K3P"}  # an old code
    messages, result = await validate(form, "change_code", "die weet ik niet meer")
    assert result == {"change_code": None} and messages[0]["response"] == "utter_code_unknown"


def test_the_second_factor_is_read_from_the_message() -> None:
    assert read_verification("5678") == "5678"
    assert read_verification("mijn nummer eindigt op 56 78") == "5678"
    assert read_verification("06-12345678") == "5678"
    assert read_verification("Dirk@Voorbeeld.nl.") == "Dirk@Voorbeeld.nl"
    assert read_verification("weet ik niet") is None and read_verification("123") is None


async def test_cancel_needs_the_code_and_the_last_digits_of_the_phone(up: str) -> None:
    slot = (await client(up).free_slots("algemeen", municipality=HOME))[0]
    code = (await client(up).book_slot(slot["id"], "Cor", phone="0612345678"))["code"]
    form, sender = ValidateBookingChangeForm(), f"cancel-{uuid.uuid4()}"
    _, result = await validate(form, "change_code", code.lower().replace("-", " "), sender_id=sender)
    assert result == {"change_code": code}
    messages, result = await validate(
        form, "change_verification", "1234", slots={"change_code": code}, sender_id=sender
    )
    assert result == {"change_code": None, "change_verification": None}
    assert [m["response"] for m in messages] == ["utter_change_not_verified"]  # nothing about the booking
    messages, result = await validate(
        form, "change_verification", "5678", slots={"change_code": code}, sender_id=sender
    )
    assert messages == [] and result["change_code"] == code and result["topic"] == "algemeen"
    assert result["change_verification"] == "gecontroleerd" and len(result["change_ticket"]) >= 40
    assert "5678" not in str(result.values())  # the factor itself is not kept in the conversation
    forged = {"change_code": code, "change_choice": "afzeggen"}
    messages, _ = await run(ActionSubmitBookingChange(), slots=forged)  # no ticket: nothing happens
    assert messages == [] and booking_state(up, code)["status"] == "bevestigd"
    messages, _ = await run(ActionSubmitBookingChange(), slots={**forged, "change_ticket": "made-up-ticket"})
    assert messages[0]["response"] == "utter_backend_refused"
    assert booking_state(up, code)["status"] == "bevestigd"
    messages, events = await run(
        ActionSubmitBookingChange(), slots={**forged, "change_ticket": result["change_ticket"]}
    )
    assert messages[0]["response"] == "utter_booking_cancelled" and messages[0]["code"] == code
    assert SlotSet("change_ticket", None) in events
    assert booking_state(up, code)["status"] == "geannuleerd"
    messages, result = await validate(
        form, "change_verification", "5678", slots={"change_code": code}, sender_id=sender
    )
    assert result == {"change_code": None, "change_verification": None}
    assert messages[0]["response"] == "utter_code_cancelled"


async def test_the_e_mail_address_given_at_booking_is_a_second_factor(up: str) -> None:
    slot = (await client(up).free_slots("algemeen", municipality=HOME))[0]
    code = (await client(up).book_slot(slot["id"], "Eva", email="eva@voorbeeld.nl"))["code"]
    _, result = await validate(
        ValidateBookingChangeForm(), "change_verification", "Mijn mail is Eva@Voorbeeld.nl",
        slots={"change_code": code}, sender_id=f"mail-{uuid.uuid4()}",
    )  # fmt: skip
    assert result["change_code"] == code and result["change_ticket"]


async def test_a_guessing_loop_in_the_chat_is_stopped_kindly(up: str) -> None:
    slot = (await client(up).free_slots("algemeen", municipality=HOME))[0]
    code = (await client(up).book_slot(slot["id"], "Fien", phone="0612345678"))["code"]
    form, sender = ValidateBookingChangeForm(), f"guesser-{uuid.uuid4()}"
    answers = []
    for attempt in range(20):
        messages, result = await validate(
            form,
            "change_verification",
            f"{attempt:04d}",
            slots={"change_code": random_code()},
            sender_id=sender,
        )
        answers.append(messages[0]["response"])
        assert "change_ticket" not in result
    assert answers[:5] == ["utter_change_not_verified"] * 5 and set(answers[5:]) == {"utter_change_too_many"}
    messages, result = await validate(
        form, "change_verification", "5678", slots={"change_code": code}, sender_id=sender
    )  # the right code and digits: still refused in this conversation
    assert messages[0]["response"] == "utter_change_too_many" and "change_ticket" not in result
    assert result["change_choice"] == "geblokkeerd"  # completes the form, which then ends
    messages, events = await run(ActionSubmitBookingChange(), slots=result)
    assert messages == [] and SlotSet("change_code", None) in events
    assert booking_state(up, code)["status"] == "bevestigd"


async def test_moving_keeps_the_code_and_books_the_new_time(up: str) -> None:
    first, second = (await client(up).free_slots("algemeen", municipality=HOME))[:2]
    code = (await client(up).book_slot(first["id"], "Dirk", phone="0612345678"))["code"]
    _, opened = await validate(
        ValidateBookingChangeForm(), "change_verification", "5678", slots={"change_code": code},
        sender_id=f"move-{uuid.uuid4()}",
    )  # fmt: skip
    ticket = opened["change_ticket"]
    _, events = await run(
        ActionSubmitBookingChange(),
        slots={"change_code": code, "change_choice": "verzetten", "change_ticket": ticket},
    )
    assert events[-3:] == [
        SlotSet("move_code", code),
        SlotSet("move_ticket", ticket),
        FollowupAction("spreekuur_form"),
    ]
    messages, _ = await run(
        ActionSubmitSpreekuur(),
        slots={
            "topic": "algemeen",
            "move_code": code,
            "move_ticket": ticket,
            "spreekuur_slot": str(second["id"]),
            "spreekuur_confirmed": True,
        },
    )
    assert messages[0]["response"] == "utter_booking_moved" and messages[0]["code"] == code
    assert booking_state(up, code)["slot"]["id"] == second["id"]


async def test_moving_asks_only_the_new_time() -> None:
    form = ValidateSpreekuurForm()
    slots = ["spreekuur_slot", "spreekuur_first_name", "spreekuur_contact", "spreekuur_confirmed"]
    tracker = make_tracker(slots={"move_code": "VD-7K3P"})
    assert await form.required_slots(slots, CollectingDispatcher(), tracker, {}) == [
        "spreekuur_slot",
        "spreekuur_confirmed",
    ]


def test_change_choice_words() -> None:
    assert [
        read_change_choice(t)
        for t in ("afzeggen", "ik kan niet komen", "verzetten", "andere dag graag", "ja")
    ] == ["afzeggen", "afzeggen", "verzetten", "verzetten", None]


async def test_stop_ends_the_form_and_forgets_what_was_typed() -> None:
    messages, events = await run(ActionStopBooking(), slots=CALLBACK_SLOTS)
    assert messages[0]["response"] == "utter_form_stopped"
    assert events[0] == ActiveLoop(None) and SlotSet("callback_first_name", None) in events


async def test_the_client_reports_a_refusal_with_the_backend_code(up: str) -> None:
    with pytest.raises(BackendRejected) as refusal:
        await client(up).cancel_booking("VD-AAAA", "no-ticket")
    assert refusal.value.code == "booking_not_found"


async def test_a_topic_question_in_the_middle_of_a_form_gets_its_answer() -> None:
    question = {
        "intent": "schulden_aanmaning",
        "ranking": [("schulden_aanmaning", 0.95)],
        "text": "ik heb een aanmaning gekregen",
    }
    messages, result = await validate(
        ValidateCallbackForm(), "callback_first_name", question["text"], **question
    )
    assert result == {"callback_first_name": None}
    assert messages[0]["text"].startswith("Reageer op tijd")  # content/answers/schulden.yml
    assert not messages[0]["buttons"]  # offers would start another flow in the middle of this one
    assert messages[1]["response"] == "utter_form_continues"


async def test_a_name_is_not_mistaken_for_a_question() -> None:
    messages, result = await validate(
        ValidateCallbackForm(), "callback_first_name", "Anna", intent="jeugdhulp_achttien", text="Anna"
    )
    assert result == {"callback_first_name": "Anna"} and messages == []
