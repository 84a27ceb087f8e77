"""Handover actions with CollectingDispatcher against real case backends (docs/handover.md).

Two backends run in the app environment on free ports: one whose office hours are always open, one
that is closed today (open again in two days). `down` points the actions at a port nobody listens on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import httpx
import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.backend_client import BackendClient, conversation_notes_sent
from actions.content import content_store
from actions.handover import (
    ActionAskHandoverConsent,
    ActionHandover,
    ActionHandoverClosed,
    ActionHandoverDeclined,
    conversation_summary,
    resident_messages,
)
from actions.plans import ActionPlanHelped, ActionPlanNext
from actions.session import conversation_channel
from tests.rasa.booking_backend import TOKEN, free_port, running_backend

ROOT = Path(__file__).resolve().parents[2]
WIJKTEAM_PHONE = "0123-456 789"  # content/local.yml
DAY_KEYS = ("ma", "di", "wo", "do", "vr", "za", "zo")


@pytest.fixture(scope="module")
def open_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        with running_backend(tmp_path_factory.mktemp("open")) as url:
            yield url


@pytest.fixture(scope="module")
def closed_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Open only on the weekday after tomorrow, so closed all of today."""
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).weekday()
    hours = f"{DAY_KEYS[(today + 2) % 7]} 09:00-17:00"
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": hours}):
        with running_backend(tmp_path_factory.mktemp("closed")) as url:
            yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "5")


def use(monkeypatch: pytest.MonkeyPatch, url: str) -> str:
    monkeypatch.setenv("BACKEND_URL", url)
    return url


def api(url: str, path: str, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.get(f"{url}/api{path}", params=params, headers=headers, timeout=10).json()


def user(text: str, intent: str, channel: str = "socketio") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "entities": []},
    }


def bot(text: str) -> dict[str, Any]:
    return {"event": "bot", "text": text}


def tracker(
    events: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    sender_id: str = "resident-1",
) -> Tracker:
    events = events or []
    users = [event for event in events if event["event"] == "user"]
    latest = (
        {"text": users[-1]["text"], "intent": users[-1]["parse_data"]["intent"], "entities": []}
        if users
        else {}
    )
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            # The resident's municipality is known (the widget's data-gemeente): nothing to ask first.
            "slots": {"gemeente": "voorbeeldstad", **(slots or {})},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


async def run(action: Action, conversation: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, conversation, domain={})
    return dispatcher.messages, events


def story(channel: str = "socketio") -> list[dict[str, Any]]:
    """A resident who asked about a bailiff, booked a spreekuur and then asks for a person."""
    bailiff = "Er staat morgen een deurwaarder voor de deur en ik weet niet wat ik moet doen"
    rent = "Ik kan de huur van december ook niet betalen " + "echt niet " * 40
    return [
        user("/schulden_algemeen", "schulden_algemeen", channel),
        user(bailiff, "schulden_deurwaarder", channel),
        bot("Je afspraak staat vast. Je code is VD-7K3P. Bewaar die code."),
        user("ja", "affirm", channel),
        user(rent, "huisvesting_huurachterstand", channel),
        user("ik wil iemand spreken", "request_human", channel),
        user("ja graag", "affirm", channel),
    ]


# Consent


@pytest.mark.parametrize(
    ("events", "response", "reason"),
    [
        ([user("ik wil een mens spreken", "request_human")], "utter_ask_handover_consent", "request"),
        ([user("blorp", "nlu_fallback"), user("fnarg", "nlu_fallback")],
         "utter_ask_handover_consent_fallback", "fallback"),
        ([user("nee", "deny")], "utter_ask_handover_consent_plan", "plan"),
        ([user("ik wil niet meer leven", "crisis_suicide"), user("/request_human", "request_human")],
         "utter_ask_handover_consent", "crisis"),
    ],
)  # fmt: skip
async def test_consent_is_asked_first_and_remembers_why(
    events: list[dict[str, Any]], response: str, reason: str
) -> None:
    messages, returned = await run(
        ActionAskHandoverConsent(), tracker(events, {"plan_feedback_pending": True})
    )
    assert [message["response"] for message in messages] == [response]
    assert returned == [SlotSet("handover_reason", reason), SlotSet("plan_feedback_pending", None)]


async def test_no_means_nothing_is_passed_on() -> None:
    messages, events = await run(ActionHandoverDeclined(), tracker(slots={"handover_reason": "request"}))
    assert messages[0]["response"] == "utter_handover_declined"
    assert events == [SlotSet("handover_reason", None)]
    messages, _ = await run(ActionHandoverDeclined(), tracker(slots={"handover_reason": "fallback"}))
    assert messages[0]["response"] == "utter_try_again"


# Within office hours


@pytest.mark.parametrize(
    ("channel", "response"),
    [("socketio", "utter_handover_open_widget"), ("telegram", "utter_handover_open_telegram"),
     ("rest", "utter_handover_open_chat")],
)  # fmt: skip
async def test_in_hours_the_handover_is_recorded_with_the_story_and_the_bot_pauses(
    open_backend: str, monkeypatch: pytest.MonkeyPatch, channel: str, response: str
) -> None:
    use(monkeypatch, open_backend)
    sender = f"in-hours-{channel}"
    slots = {
        "handover_reason": "request",
        "topic": "schulden",
        "plan_id": "sch_post_openen",
        "plan_step": 2.0,
    }
    messages, events = await run(ActionHandover(), tracker(story(channel), slots, sender_id=sender))

    assert events[-2:] == [ConversationPaused(), ActionExecuted("action_listen")]
    assert SlotSet("handover_reason", None) in events
    [message] = messages
    assert message["response"] == response
    assert message["wijkteam_telefoon"] == WIJKTEAM_PHONE and message["reactietijd"] == "een half uur"
    assert message["closes_label"] == "middernacht"  # open until midnight

    [handover] = api(open_backend, "/handovers", conversation_id=sender)
    assert SlotSet("handover_id", float(handover["id"])) in events
    assert handover["channel"] == channel and handover["topic"] == "schulden"
    assert handover["reason"] == "De bewoner vroeg om een medewerker."
    assert handover["contact_request"].startswith("Antwoord in dit chatgesprek")
    summary = handover["summary"]
    assert "Onderwerp: geld en schulden." in summary
    plan = content_store(ROOT / "content").plans["sch_post_openen"]
    assert f"Stappenplan: '{plan.title['je']}', bij stap 3 van {len(plan.steps)}." in summary
    assert "Afspraakcode: VD-7K3P." in summary
    assert "- Er staat morgen een deurwaarder voor de deur en ik weet niet wat ik moet doen" in summary
    assert "- ik wil iemand spreken" in summary
    assert "/schulden_algemeen" not in summary and "- ja" not in summary  # buttons and 'ja' say nothing
    long_line = next(line for line in summary.splitlines() if "huur van december" in line)
    assert long_line.endswith("…") and len(long_line) <= 242


# Outside office hours


async def test_out_of_hours_says_when_open_and_offers_a_callback_without_pausing(
    closed_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(monkeypatch, closed_backend)
    sender = "after-hours-1"
    slots = {"handover_reason": "fallback", "topic": "huisvesting"}
    messages, events = await run(ActionHandover(), tracker(story(), slots, sender_id=sender))

    assert ConversationPaused() not in events
    hours = api(closed_backend, "/office-hours")
    assert hours["open_now"] is False and hours["next_open_label"].endswith("om 9.00 uur")
    [message] = messages
    assert message["response"] == "utter_handover_after_hours"
    assert message["next_open_label"] == hours["next_open_label"]
    # The callback form takes the topic from the conversation: it is kept, so it is not asked again.
    assert not any(isinstance(event, dict) and event.get("name") == "topic" for event in events)

    [handover] = api(closed_backend, "/handovers", conversation_id=sender)
    assert handover["reason"] == "De assistent begreep de bewoner twee keer niet."
    assert handover["topic"] == "huisvesting"
    assert handover["contact_request"].startswith("Buiten openingstijden: de bewoner kan een terugbelverzoek")
    assert "Afspraakcode: VD-7K3P." in handover["summary"]

    # "Nee" to the callback offer: the handover stays recorded and the resident hears how to call.
    after = {"handover_id": float(handover["id"])}
    messages, events = await run(ActionHandoverDeclined(), tracker(slots=after))
    assert messages[0]["response"] == "utter_handover_no_callback"
    assert messages[0]["wijkteam_telefoon"] == WIJKTEAM_PHONE


# Backend down


async def test_backend_down_gives_a_kind_message_with_the_number_and_does_not_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, f"http://127.0.0.1:{free_port()}")
    messages, events = await run(ActionHandover(), tracker(story(), {"handover_reason": "request"}))
    assert [message["response"] for message in messages] == ["utter_handover_unavailable"]
    assert messages[0]["wijkteam_telefoon"] == WIJKTEAM_PHONE
    assert events == [SlotSet("handover_reason", None)]


# Closing and the end of a stappenplan


async def test_closing_by_staff_resets_the_handover() -> None:
    messages, events = await run(ActionHandoverClosed(), tracker(slots={"handover_id": 3.0}))
    assert messages[0]["response"] == "utter_handover_closed"
    assert events == [SlotSet("handover_id", None), SlotSet("handover_reason", None)]


async def test_the_end_of_a_stappenplan_asks_whether_it_helped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKEND_URL", f"http://127.0.0.1:{free_port()}")
    store = content_store(ROOT / "content")
    plan = store.plans["sch_post_openen"]
    last = float(len(plan.steps) - 1)
    messages, events = await run(ActionPlanNext(), tracker(slots={"plan_id": plan.id, "plan_step": last}))
    assert "Heeft dit geholpen?" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]][:2] == [
        "Ja",
        "Nee",
    ]  # naming the plan (actions/feedback.py)
    assert SlotSet("plan_feedback_pending", True) in events
    messages, events = await run(ActionPlanHelped(), tracker(slots={"plan_feedback_pending": True}))
    assert messages[0]["response"] == "utter_plan_helped"
    assert events == [SlotSet("plan_feedback_pending", None)]
    # The summary of a handover right after it names the finished plan.
    summary = conversation_summary(tracker(slots={"plan_finished": plan.id}), store, "plan")
    assert summary.startswith("Het stappenplan hielp de bewoner niet genoeg.")
    assert f"Stappenplan afgerond: '{plan.title['je']}'." in summary


# Conversation figures for the dashboard


class StandInBackend(BaseHTTPRequestHandler):
    """Answers every PUT with `status` and `body` once `hold` is set (a test clears it to hold the answer)."""

    status = 404
    body = b'{"detail": "Not Found"}'  # a backend without the conversations endpoint (an older version)
    received: list[str] = []
    hold = threading.Event()

    def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
        self.received.append(self.path)
        self.hold.wait(10)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


def stand_in_backend(handler: type[StandInBackend]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    handler.hold.set()
    server.shutdown()


class OldBackend(StandInBackend):
    received: list[str] = []
    hold = threading.Event()


class HeldBackend(StandInBackend):
    """Holds each conversation report until the test lets it answer."""

    status = 200
    body = b'{"conversation_id": "resident-1"}'
    received: list[str] = []
    hold = threading.Event()


@pytest.fixture
def old_backend() -> Iterator[str]:
    OldBackend.hold.set()
    yield from stand_in_backend(OldBackend)


@pytest.fixture
def held_backend() -> Iterator[str]:
    HeldBackend.hold.clear()
    yield from stand_in_backend(HeldBackend)


async def test_conversation_figures_are_best_effort(open_backend: str, old_backend: str) -> None:
    assert await BackendClient(open_backend, TOKEN).note_conversation("figures-1", "socketio", "schulden")
    assert await BackendClient(open_backend, TOKEN).note_conversation("figures-1", "socketio", None)
    assert not await BackendClient(old_backend, TOKEN).note_conversation("figures-2", "rest", None)
    down = f"http://127.0.0.1:{free_port()}"
    assert not await BackendClient(down, TOKEN, timeout=5).note_conversation("figures-3", "rest", None)


async def test_an_answer_does_not_wait_for_the_conversation_report(
    monkeypatch: pytest.MonkeyPatch, held_backend: str
) -> None:
    use(monkeypatch, held_backend)
    reports: list[asyncio.Task[bool]] = []
    send_soon = BackendClient.note_conversation_soon

    def recorded(self: BackendClient, *args: Any, **kwargs: Any) -> asyncio.Task[bool]:
        reports.append(send_soon(self, *args, **kwargs))
        return reports[-1]

    monkeypatch.setattr(BackendClient, "note_conversation_soon", recorded)
    question = tracker([user("ik heb een aanmaning", "schulden_aanmaning")])
    messages, events = await run(ActionAnswer(), question)
    assert messages and SlotSet("topic", "schulden") in events
    [report] = reports
    assert not report.done()  # the resident has the answer; the backend has not answered yet
    HeldBackend.hold.set()
    await conversation_notes_sent()
    assert report.result() is True
    assert HeldBackend.received == ["/api/conversations/resident-1"]


def test_the_channel_is_known_at_session_start_from_the_metadata() -> None:
    assert conversation_channel(tracker([user("hoi", "greet", "telegram")])) == "telegram"
    started = tracker(slots={"session_started_metadata": {"voordeur_channel": "socketio"}})
    assert conversation_channel(started) == "socketio"
    assert conversation_channel(tracker()) == "onbekend"


def test_the_summary_keeps_what_the_bot_did_not_understand_and_drops_small_talk() -> None:
    events = [user("hallo", "greet"), user("mijn uitkering is gestopt en nu?", "nlu_fallback"),
              user("ja", "affirm"), user("/request_human", "request_human")]  # fmt: skip
    assert resident_messages(tracker(events, {})) == ["mijn uitkering is gestopt en nu?"]
