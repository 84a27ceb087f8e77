"""The handover action under the abuse limits, against a real case backend (issue 21, item 7).

The backend allows two new handovers per client and hour here. The action passes the client key the
channel put on the resident's latest message; over the limit the resident reads a kind Dutch message
with the wijkteam's number and nothing is recorded, while another client is still handed over. Asking
again in the same conversation reaches the same handover.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handover import ActionHandover, client_key
from tests.rasa.booking_backend import TOKEN, running_backend, use_backend

WIJKTEAM_PHONE = "0123-456 789"  # content/local.yml


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    limits = {"LIMIT_HANDOVERS_PER_CLIENT_HOUR": "2", "OFFICE_HOURS": "ma-zo 00:00-24:00",
              "LIMITS_STORAGE_URL": ""}  # fmt: skip
    with mock.patch.dict(os.environ, limits), running_backend(tmp_path_factory.mktemp("limits")) as url:
        yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    use_backend(monkeypatch, backend)


def asking(sender: str, client: str | None) -> Tracker:
    """A conversation whose resident says yes to a person; the channel's client key on each message."""
    metadata = {"voordeur_channel": "socketio", **({"voordeur_client": client} if client else {})}
    events = [
        {"event": "user", "text": "ik wil iemand spreken", "input_channel": "socketio", "metadata": metadata,
         "parse_data": {"intent": {"name": "request_human", "confidence": 0.99}, "entities": []}},
        {"event": "user", "text": "ja", "input_channel": "socketio", "metadata": metadata,
         "parse_data": {"intent": {"name": "affirm", "confidence": 0.99}, "entities": []}},
    ]  # fmt: skip
    return Tracker.from_dict({
        "sender_id": sender, "slots": {"handover_reason": "request", "gemeente": "voorbeeldstad"},
        "latest_message": {"text": "ja"},
        "events": events, "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": None,
    })  # fmt: skip


async def hand_over(sender: str, client: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionHandover().run(dispatcher, asking(sender, client), domain={})
    return dispatcher.messages, events


def handovers_of(backend: str, sender: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = httpx.get(f"{backend}/api/handovers", params={"conversation_id": sender}, headers=headers)
    return list(response.json())


def test_the_client_key_comes_from_the_latest_message() -> None:
    key = secrets.token_hex(16)
    assert client_key(asking("k-1", key)) == key
    assert client_key(asking("k-2", None)) is None


async def test_a_flooding_client_is_refused_kindly_and_another_client_is_still_handed_over(
    backend: str,
) -> None:
    flooder, resident = secrets.token_hex(16), secrets.token_hex(16)
    for index in range(2):
        messages, events = await hand_over(f"flood-{index}", flooder)
        assert messages[0]["response"] == "utter_handover_open_widget", messages
        assert len(handovers_of(backend, f"flood-{index}")) == 1

    messages, events = await hand_over("flood-2", flooder)
    [message] = messages
    assert message["text"].startswith("Vanaf deze verbinding is al vaak om een medewerker gevraagd.")
    assert "Probeer het over 60 minuten opnieuw." in message["text"]
    assert f"Of bel het wijkteam: {WIJKTEAM_PHONE}." in message["text"]
    assert events == [SlotSet("handover_reason", None)]  # no pause, no handover id
    assert handovers_of(backend, "flood-2") == []

    messages, _ = await hand_over("resident-1", resident)
    assert messages[0]["response"] == "utter_handover_open_widget"
    assert len(handovers_of(backend, "resident-1")) == 1


async def test_asking_again_in_one_conversation_reaches_the_same_handover(backend: str) -> None:
    client = secrets.token_hex(16)
    _, first = await hand_over("again-1", client)
    _, second = await hand_over("again-1", client)
    first_id = next(event["value"] for event in first if event.get("name") == "handover_id")
    second_id = next(event["value"] for event in second if event.get("name") == "handover_id")
    assert first_id == second_id
    assert len(handovers_of(backend, "again-1")) == 1
