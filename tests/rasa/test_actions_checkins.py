"""Follow-up check-ins and "stop berichten" in the actions (issue 24), against a real case backend: the
consent question only after a stappenplan that helped, a closed handover or a done callback, only on
Telegram and WhatsApp, never after a crisis message or "stop berichten"; "ja" plans the check-in five
working days later at 10:00 local time; the check-in asks the plan's question with three buttons naming
the scheduled message; the answers are stored and help on; "stop berichten" cancels what was planned."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, conversation_notes_sent
from actions.checkins import (
    ActionCheckin,
    ActionCheckinAnswer,
    ActionCheckinConsent,
    ActionCheckinOffer,
    ActionStopMessages,
    Offer,
)
from actions.content import FORBIDDEN_WORDS, load_store
from bot.shared.topics import ANSWER_TOPICS
from tests.rasa.booking_backend import TOKEN, running_backend

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
OFFER_TEXT = "Mag ik je over 5 werkdagen een bericht sturen?"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("checkins")
    with mock.patch.dict(os.environ, {"OFFICE_HOURS": "ma-zo 00:00-24:00"}):
        with running_backend(folder) as url:
            yield url, folder / "backend.db"


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: tuple[str, Path]) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    monkeypatch.delenv("DEFAULT_MUNICIPALITY", raising=False)
    monkeypatch.delenv("CHECKIN_WORKING_DAYS", raising=False)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("BACKEND_URL", backend[0])


def rows(database: Path, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query, params).fetchall()


def checkin_rows(database: Path, sender: str) -> list[tuple[Any, ...]]:
    return rows(
        database,
        "SELECT kind, channel, source, source_id, plan_id, topic, status, due_at, outcome"
        " FROM scheduled_messages WHERE conversation_id = ? ORDER BY id",
        sender,
    )


def tracker(
    sender: str,
    intent: str,
    *,
    channel: str = "telegram",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message came in on `channel` with `intent` and `entities`."""
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [{"entity": key, "value": value} for key, value in (entities or {}).items()],
        "text": f"/{intent}",
    }
    user = {"event": "user", "text": f"/{intent}", "parse_data": latest, "input_channel": channel}
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots or {},
            "latest_message": latest,
            "events": [*(events or []), user],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


async def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain={})
    await conversation_notes_sent()
    return dispatcher.messages, events


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def offer_and_accept(sender: str, intent: str, **context: Any) -> tuple[list[dict[str, Any]], str]:
    """Run the offer for the moment `intent`; "ja" to it; returns the reply to "ja" and the offer slot."""
    messages, events = await run(ActionCheckinOffer(), tracker(sender, intent, **context))
    assert messages[0]["text"].startswith(OFFER_TEXT)
    assert [button["payload"] for button in messages[0]["buttons"]] == ["/affirm", "/deny"]
    offer = slots_of(events)["checkin_offer"]
    reply, events = await run(
        ActionCheckinConsent(), tracker(sender, "affirm", slots={"checkin_offer": offer})
    )
    assert slots_of(events) == {"checkin_offer": None}
    return reply, offer


async def test_a_stappenplan_that_helped_offers_a_check_in_five_working_days_later_at_ten(
    backend: tuple[str, Path],
) -> None:
    sender = "910001"
    before = datetime.now(timezone.utc)
    reply, offer = await offer_and_accept(
        sender, "feedback_yes", entities={"answer_id": "plan:sch_post_openen"}
    )
    assert Offer.load(offer) == Offer("stappenplan", plan_id="sch_post_openen", topic="schulden")
    [(kind, channel, source, source_id, plan_id, topic, status, due_at, outcome)] = checkin_rows(
        backend[1], sender
    )
    assert (kind, channel, source, source_id, plan_id, topic, status, outcome) == (
        "checkin", "telegram", "stappenplan", None, "sch_post_openen", "schulden", "gepland", None,
    )  # fmt: skip
    due = datetime.fromisoformat(due_at).replace(tzinfo=timezone.utc).astimezone(AMSTERDAM)
    assert due.time().isoformat() == "10:00:00" and due.weekday() < 5
    closed = {  # the seeded holidays on which every location is closed
        row[0] for row in rows(backend[1], "SELECT date_from FROM closures WHERE location_id IS NULL")
    }
    start = before.astimezone(AMSTERDAM).date()
    days = (start + timedelta(days=offset) for offset in range(1, (due.date() - start).days + 1))
    weekdays = sum(1 for day in days if day.weekday() < 5 and day.isoformat() not in closed)
    assert weekdays == 5
    assert reply[0]["text"].startswith("Goed. Ik stuur je op ") and "'stop berichten'" in reply[0]["text"]
    days = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")
    assert any(f"op {day} {due.day} " in reply[0]["text"] for day in days)
    # The same "ja" again plans nothing more.
    await offer_and_accept(sender, "feedback_yes", entities={"answer_id": "plan:sch_post_openen"})
    assert len(checkin_rows(backend[1], sender)) == 1


async def test_a_typed_ja_to_the_end_of_a_plan_offers_one_too(backend: tuple[str, Path]) -> None:
    sender = "910002"
    await offer_and_accept(sender, "affirm", slots={"plan_finished": "huis_huurtoeslag"})
    [row] = checkin_rows(backend[1], sender)
    assert row[2:6] == ("stappenplan", None, "huis_huurtoeslag", "huisvesting")


@pytest.mark.parametrize(
    ("why", "context"),
    [
        ("the widget cannot reach the resident later", {"channel": "socketio"}),
        ("the REST channel neither", {"channel": "rest"}),
        ("an answer is no stappenplan", {"entities": {"answer_id": "schulden_aanmaning"}}),
        ("an unknown plan", {"entities": {"answer_id": "plan:bestaat_niet"}}),
        ("after stop berichten", {"slots": {"messages_stopped": True}}),
        (
            "after a crisis message",
            {
                "events": [
                    {"event": "user", "text": "...", "parse_data": {"intent": {"name": "crisis_suicide"}}}
                ]
            },
        ),
    ],
)
async def test_no_offer(why: str, context: dict[str, Any], backend: tuple[str, Path]) -> None:
    context.setdefault("entities", {"answer_id": "plan:sch_post_openen"})
    messages, events = await run(ActionCheckinOffer(), tracker("910003", "feedback_yes", **context))
    assert (messages, events) == ([], []), why


async def test_after_a_closed_handover_the_check_in_names_it(backend: tuple[str, Path]) -> None:
    sender = "910004"
    client = BackendClient.from_settings()
    handover = await client.create_handover(sender, "telegram", "De bewoner vroeg om een medewerker.")
    handed = [{"event": "slot", "name": "handover_id", "value": float(handover["id"])},
              {"event": "slot", "name": "handover_id", "value": None}]  # fmt: skip
    await offer_and_accept(sender, "EXTERNAL_handover_closed", slots={"topic": "huisvesting"}, events=handed)
    [row] = checkin_rows(backend[1], sender)
    assert row[2:6] == ("overdracht", handover["id"], None, "huisvesting")
    # A handover of another conversation is refused: nothing is planned, the resident hears it did not work.
    other = "910005"
    messages, events = await run(
        ActionCheckinConsent(),
        tracker(other, "affirm", slots={"checkin_offer": Offer("overdracht", handover["id"]).dump()}),
    )
    assert messages[0]["text"].startswith("Dat lukt me nu even niet.")
    assert checkin_rows(backend[1], other) == []


async def test_after_a_crisis_handover_topic_no_offer(backend: tuple[str, Path]) -> None:
    messages, _ = await run(
        ActionCheckinOffer(), tracker("910006", "EXTERNAL_handover_closed", slots={"topic": "veiligheid"})
    )
    assert messages == []


async def test_nee_plans_nothing(backend: tuple[str, Path]) -> None:
    sender = "910007"
    offer = Offer("stappenplan", plan_id="sch_aanmaning", topic="schulden").dump()
    messages, _ = await run(ActionCheckinConsent(), tracker(sender, "deny", slots={"checkin_offer": offer}))
    assert messages[0]["text"].startswith("Goed, ik stuur je geen bericht.")
    assert checkin_rows(backend[1], sender) == []


async def test_ja_or_nee_after_no_offer_gets_a_kind_general_reply(backend: tuple[str, Path]) -> None:
    sender = "910013"
    [ja], _ = await run(ActionCheckinConsent(), tracker(sender, "affirm"))
    assert ja["text"].startswith("Waar kan ik je mee helpen?") and len(ja["buttons"]) == 3
    [nee], _ = await run(ActionCheckinConsent(), tracker(sender, "deny"))
    assert nee["text"].startswith("Goed. Heb je later nog een vraag?")
    assert checkin_rows(backend[1], sender) == []


def mark_sent(database: Path, sender: str) -> int:
    """What the worker does once Rasa delivered the check-in (tested end to end in test_checkins_server)."""
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE scheduled_messages SET status = 'verstuurd' WHERE conversation_id = ?", (sender,)
        )
    return int(rows(database, "SELECT id FROM scheduled_messages WHERE conversation_id = ?", sender)[0][0])


async def test_the_check_in_asks_the_plans_question_and_records_the_answers(
    backend: tuple[str, Path],
) -> None:
    sender = "910008"
    await offer_and_accept(sender, "feedback_yes", entities={"answer_id": "plan:sch_post_openen"})
    message_id = mark_sent(backend[1], sender)
    entities = {"scheduled_message_id": str(message_id), "topic": "schulden", "plan_id": "sch_post_openen"}
    [checkin], _ = await run(ActionCheckin(), tracker(sender, "EXTERNAL_checkin", entities=entities))
    assert "Hoe gaat het nu met je post?" in checkin["text"] and "'stop berichten'" in checkin["text"]
    entity = json.dumps({"scheduled_message_id": str(message_id)})
    assert [(b["title"], b["payload"]) for b in checkin["buttons"]] == [
        ("Goed, dank je", f"/checkin_goed{entity}"),
        ("Het lukt niet", f"/checkin_lukt_niet{entity}"),
        ("Ik wil iemand spreken", f"/checkin_iemand_spreken{entity}"),
    ]

    pressed = {"scheduled_message_id": str(message_id)}
    [stuck], _ = await run(ActionCheckinAnswer(), tracker(sender, "checkin_lukt_niet", entities=pressed))
    assert stuck["text"].startswith("Jammer dat het niet lukt.")
    assert [b["payload"] for b in stuck["buttons"]] == [
        '/stappenplan_start{"plan_id": "sch_post_openen"}', "/request_callback", "/request_human",
    ]  # fmt: skip
    assert checkin_rows(backend[1], sender)[0][-1] == "lukt_niet"
    # A plan still open in the conversation is resumed where it was.
    [resume], _ = await run(
        ActionCheckinAnswer(),
        tracker(sender, "checkin_lukt_niet", entities=pressed, slots={"plan_id": "sch_post_openen"}),
    )
    assert resume["buttons"][0]["payload"] == "/stappenplan_hervatten"

    [good], _ = await run(ActionCheckinAnswer(), tracker(sender, "checkin_goed", entities=pressed))
    assert good["text"].startswith("Fijn om te horen!")
    assert checkin_rows(backend[1], sender)[0][-1] == "goed"
    [person], _ = await run(
        ActionCheckinAnswer(), tracker(sender, "checkin_iemand_spreken", entities=pressed)
    )
    assert person["text"].startswith("Goed. Ik help je om iemand")
    assert checkin_rows(backend[1], sender)[0][-1] == "iemand_spreken"

    # A typed "nee" right after the check-in carries no id: the slot the check-in set names it.
    _, events = await run(ActionCheckin(), tracker(sender, "EXTERNAL_checkin", entities=entities))
    assert slots_of(events) == {"checkin_message_id": str(message_id)}
    [typed], events = await run(
        ActionCheckinAnswer(), tracker(sender, "deny", slots={"checkin_message_id": str(message_id)})
    )
    assert typed["text"].startswith("Jammer dat het niet lukt.") and slots_of(events) == {
        "checkin_message_id": None
    }
    assert checkin_rows(backend[1], sender)[0][-1] == "lukt_niet"
    await run(ActionCheckinAnswer(), tracker(sender, "checkin_iemand_spreken", entities=pressed))

    # Another conversation cannot answer this check-in.
    await run(ActionCheckinAnswer(), tracker("910009", "checkin_goed", entities=pressed))
    assert checkin_rows(backend[1], sender)[0][-1] == "iemand_spreken"


async def test_a_topic_check_in_without_a_plan_offers_a_callback(backend: tuple[str, Path]) -> None:
    [checkin], _ = await run(
        ActionCheckin(),
        tracker("910010", "EXTERNAL_checkin", entities={"scheduled_message_id": "77", "topic": "jeugdhulp"}),
    )
    assert "Hoe gaat het nu met je kind en je gezin?" in checkin["text"]
    [stuck], _ = await run(
        ActionCheckinAnswer(), tracker("910010", "checkin_lukt_niet", entities={"scheduled_message_id": "77"})
    )
    assert [b["payload"] for b in stuck["buttons"]] == ["/request_callback", "/request_human"]


async def test_stop_berichten_cancels_and_refuses_later_check_ins(backend: tuple[str, Path]) -> None:
    sender = "910011"
    await offer_and_accept(sender, "feedback_yes", entities={"answer_id": "plan:sch_aanmaning"})
    [stopped], events = await run(ActionStopMessages(), tracker(sender, "stop_berichten"))
    assert stopped["text"].startswith("Goed. Je krijgt geen berichten meer van mij")
    assert slots_of(events)["messages_stopped"] is True
    assert [row[6] for row in checkin_rows(backend[1], sender)] == ["geannuleerd"]
    offer = Offer("stappenplan", plan_id="sch_aanmaning", topic="schulden").dump()
    [refused], _ = await run(
        ActionCheckinConsent(), tracker(sender, "affirm", slots={"checkin_offer": offer})
    )
    assert refused["text"].startswith("Je wilde geen berichten meer van mij.")
    assert [row[6] for row in checkin_rows(backend[1], sender)] == ["geannuleerd"]


async def test_u_form_and_a_backend_that_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDRESS_FORM", "u")
    monkeypatch.setenv("CHECKIN_WORKING_DAYS", "3")
    monkeypatch.setenv("BACKEND_URL", "http://127.0.0.1:9")
    messages, _ = await run(
        ActionCheckinOffer(), tracker("910012", "feedback_yes", entities={"answer_id": "plan:sch_wsnp"})
    )
    assert messages[0]["text"].startswith("Mag ik u over 3 werkdagen een bericht sturen?")
    offer = Offer("stappenplan", plan_id="sch_wsnp", topic="schulden").dump()
    [down], _ = await run(ActionCheckinConsent(), tracker("910012", "affirm", slots={"checkin_offer": offer}))
    assert down["text"].startswith("Dat lukt me nu even niet. U kunt")
    [stop], _ = await run(ActionStopMessages(), tracker("910012", "stop_berichten"))
    assert "'stop berichten'" in stop["text"]


def test_every_plan_and_topic_has_a_check_in_question_and_veiligheid_none() -> None:
    store = load_store(Path(__file__).resolve().parents[2] / "content")
    assert not store.problems()
    questions = [plan.checkin_question for plan in store.plans.values()]
    questions += [store.checkin_questions[topic] for topic in (*ANSWER_TOPICS, "default")]
    assert "veiligheid" not in store.checkin_questions
    for question in questions:
        for form in ("je", "u"):
            assert question[form].endswith("?") and not FORBIDDEN_WORDS[form].search(question[form]), question
    assert store.checkin_question("bestaat_niet", "huisvesting") == store.checkin_questions["huisvesting"]
    assert store.checkin_question(None, None) == store.checkin_questions["default"]
