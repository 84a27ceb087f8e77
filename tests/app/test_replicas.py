"""Two Rasa replicas on the production stores: one conversation stays consistent whichever replica answers.

`make start-replicas` runs two Rasa replicas (RASA_PORT, RASA_PORT+1) on a throw-away PostgreSQL
tracker store and backend database and the Redis lock store, with python-socketio's Redis manager.
One conversation alternates between the replicas, sends to both at once, fills in the terugbelverzoek
form across them; a staff reply posted to one replica reaches a widget socket held by the other; and
when one replica stops, the other carries on. PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
must be running: without them these tests fail, never skip.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from replicas import postgres, replicas_stack, staff_reply_reaches, throwaway_names
from stack import Stack, read_env_file_value

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return throwaway_names()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, names: dict[str, str]) -> Iterator[Stack]:
    yield from replicas_stack(tmp_path_factory.mktemp("replicas"), names)


def say(url: str, sender: str, message: str) -> list[dict]:
    response = httpx.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=120
    )
    response.raise_for_status()
    return response.json()


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def tracker(url: str, sender: str) -> dict:
    response = httpx.get(
        f"{url}/conversations/{sender}/tracker",
        params={"token": read_env_file_value("RASA_AUTH_TOKEN"), "include_events": "ALL"},
        timeout=60,
    )
    response.raise_for_status()
    return response.json()


def user_texts(events: list[dict]) -> list[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def assert_turns_do_not_interleave(events: list[dict]) -> None:
    """Every user message is handled to the end (action_listen) before the next one starts."""
    waiting_for_listen = False
    for event in events:
        if event["event"] == "user":
            assert not waiting_for_listen, "a user message arrived in the middle of another one's turn"
            waiting_for_listen = True
        elif event["event"] == "action" and event.get("name") == "action_listen":
            waiting_for_listen = False


def test_start_replicas_uses_postgres_and_redis(stack: Stack, names: dict[str, str]) -> None:
    output = stack.log.read_text()
    assert f"PostgreSQL 127.0.0.1:5432/{names['rasa_db']}" in output
    for url in stack.rasa_urls:
        assert url in output
        assert httpx.get(f"{url}/version", timeout=10).status_code == 200
    assert (stack.log_dir / "rasa.log").exists() and (stack.log_dir / "rasa-2.log").exists()
    for worker in ("worker", "worker-2"):  # one job worker per replica, on the Redis queue (issue 24)
        log = (stack.log_dir / f"{worker}.log").read_text()
        assert "consumer started" in log.lower(), log[-2000:]
    assert not (Path(stack.env["DATA_DIR"]) / "jobs.db").exists(), "the embedded SQLite queue was used"
    assert not Path(stack.env["RASA_TRACKER_DB"]).exists(), "the embedded SQLite tracker store was used"
    say(stack.rasa_urls[0], "replica-stores", "hallo")
    with postgres(names["rasa_db"]) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", ("replica-stores",)
        ).fetchone()
    assert rows == (1,)
    with postgres(names["backend_db"]) as connection:
        assert connection.execute("SELECT count(*) FROM locations").fetchone()[0] > 0  # seeded on PostgreSQL


def test_messages_alternating_between_replicas_keep_one_conversation(stack: Stack) -> None:
    sender = f"replica-alternate-{uuid.uuid4().hex[:6]}"
    messages = ["hallo", "ik heb een vraag over schulden", "ik krijg steeds aanmaningen", "dank je", "doei"]
    for index, message in enumerate(messages):
        replies = say(stack.rasa_urls[index % 2], sender, message)
        assert replies, f"no reply to {message!r}"
    for url in stack.rasa_urls:
        events = tracker(url, sender)["events"]
        assert user_texts(events) == messages
        assert_turns_do_not_interleave(events)


def test_concurrent_messages_to_both_replicas_are_neither_lost_nor_duplicated(
    stack: Stack, names: dict[str, str]
) -> None:
    sender = f"replica-concurrent-{uuid.uuid4().hex[:6]}"
    say(stack.rasa_urls[0], sender, "hallo")
    messages = [f"ik heb een vraag over mijn huur {n}" for n in range(8)]
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        results = list(
            pool.map(lambda pair: say(stack.rasa_urls[pair[0] % 2], sender, pair[1]), enumerate(messages))
        )
    assert all(results), "a message got no reply"
    events = tracker(stack.rasa_urls[1], sender)["events"]
    counted = Counter(user_texts(events))
    assert counted == Counter(["hallo", *messages])
    assert_turns_do_not_interleave(events)
    with postgres(names["rasa_db"]) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", (sender,)
        ).fetchone()
    assert stored == (len(messages) + 1,)
    assert tracker(stack.rasa_urls[0], sender)["events"] == events


def test_a_callback_form_started_on_one_replica_continues_on_the_other(stack: Stack) -> None:
    sender = f"replica-form-{uuid.uuid4().hex[:6]}"
    first, second = stack.rasa_urls
    say(second, sender, "ik woon in Voorbeeldstad")  # else the summary asks it first
    assert "Wat is je voornaam?" in text_of(say(first, sender, "kunnen jullie me bellen"))
    assert "telefoonnummer" in text_of(say(second, sender, "Femke"))
    assert "Wanneer komt het" in text_of(say(first, sender, "06 1234 5678"))
    summary = text_of(say(second, sender, "ochtend"))
    assert "Klopt dit?" in summary and "Femke" in summary and "06-12345678" in summary
    done = text_of(say(first, sender, "ja"))
    assert "Je terugbelverzoek is doorgegeven" in done and "Femke" in done
    headers = {"Authorization": f"Bearer {read_env_file_value('BACKEND_SERVICE_TOKEN')}"}
    callbacks = httpx.get(f"{stack.backend}/api/callbacks", headers=headers, timeout=10).json()
    mine = [item for item in callbacks if item["first_name"] == "Femke"]
    assert len(mine) == 1 and mine[0]["phone"] == "+31612345678"
    state = tracker(second, sender)
    assert state["slots"].get("requested_slot") is None and not (state["active_loop"] or {}).get("name")


def test_a_staff_reply_posted_to_one_replica_reaches_the_socket_held_by_the_other(stack: Stack) -> None:
    socket_replica, api_replica = stack.rasa_urls
    assert staff_reply_reaches(socket_replica, api_replica, wait=60), f"no reply on {socket_replica}'s socket"


def test_when_one_replica_stops_the_other_carries_on(stack: Stack) -> None:
    sender = f"replica-failover-{uuid.uuid4().hex[:6]}"
    first, second = stack.rasa_urls
    say(first, sender, "hallo")
    assert "Wat is je voornaam?" in text_of(say(second, sender, "kunnen jullie me bellen"))
    os.kill(stack.process_listening_on(stack.rasa_ports[1]), signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "carry on" not in stack.log.read_text():
        time.sleep(0.5)
    assert "1 Rasa replica(s) carry on" in stack.log.read_text()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{second}/version", timeout=5)
    # The conversation goes on on the other replica, the form where it was.
    assert "telefoonnummer" in text_of(say(first, sender, "Joost"))
    assert user_texts(tracker(first, sender)["events"]) == ["hallo", "kunnen jullie me bellen", "Joost"]
    assert stack.process.poll() is None, "the stack stopped with one replica still alive"
    for port in (int(stack.env["ACTION_PORT"]), int(stack.env["BACKEND_PORT"])):
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
