"""The fallback tells the real case backend that the bot did not understand (dashboard: "niet begrepen")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.backend_client import BackendClient, conversation_notes_sent
from actions.fallback import ActionHandleNluFallback
from tests.rasa.booking_backend import TOKEN, running_backend, use_backend
from tests.rasa.trackers import make_tracker

NOTHING_CLEAR = [("nlu_fallback", 0.6), ("greet", 0.1), ("out_of_scope", 0.1)]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_backend(tmp_path_factory.mktemp("fallback-report")) as url:
        yield url


@pytest.fixture(autouse=True)
def settings_env(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    use_backend(monkeypatch, backend)


def record(backend: str, conversation_id: str) -> dict[str, Any]:
    """The backend's record, read back with a report that changes nothing but `last_seen_at`."""
    response = httpx.put(
        f"{backend}/api/conversations/{conversation_id}",
        json={"channel": "rest"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def run_fallback(sender_id: str, **tracker_args: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionHandleNluFallback().run(
        dispatcher, make_tracker(sender_id=sender_id, **tracker_args), domain={}
    )
    await conversation_notes_sent()
    return dispatcher.messages


async def test_an_unsure_message_marks_the_conversation_misunderstood(backend: str) -> None:
    messages = await run_fallback("unsure-1", intent="nlu_fallback", ranking=NOTHING_CLEAR, text="blorp")
    assert [message["response"] for message in messages] == ["utter_ask_rephrase"]
    found = record(backend, "unsure-1")
    assert found["misunderstood"] is True and found["topic"] is None and found["handed_over"] is False


async def test_something_else_is_a_misunderstanding_too(backend: str) -> None:
    messages = await run_fallback("something-else-1", intent="something_else", text="/something_else")
    assert [message["response"] for message in messages] == ["utter_ask_rephrase_other"]
    assert record(backend, "something-else-1")["misunderstood"] is True


async def test_an_answered_conversation_is_not_misunderstood_and_a_later_answer_keeps_the_mark(
    backend: str,
) -> None:
    client = BackendClient.from_settings()
    assert await client.note_conversation("answered-1", "rest", "schulden")
    assert record(backend, "answered-1")["misunderstood"] is False
    await run_fallback("answered-2", intent="nlu_fallback", ranking=NOTHING_CLEAR, text="blorp")
    assert await client.note_conversation("answered-2", "rest", "schulden")
    found = record(backend, "answered-2")
    assert found["misunderstood"] is True and found["topic"] == "schulden"  # the topic chart shows the topic
