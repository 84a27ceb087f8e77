"""Abuse limits end to end (issue 21, item 7): `make start` with small limits, over the real REST channel.

The test speaks from 127.0.0.1, which is a trusted proxy by default (FORWARDED_ALLOW_IPS), so each
simulated resident is the address in X-Forwarded-For, as behind the project's nginx. A client that starts
too many conversations gets the Dutch message and nothing of the refused conversation is stored, while
another client is served and the first client's own conversations go on; a crisis message still gets the
crisis reply; a handover flood from one client is capped; too many messages in one conversation within
a minute get the Dutch message too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from stack import Stack, running_stack

pytestmark = pytest.mark.slow

LIMITS = {
    "LIMIT_CONVERSATIONS_PER_CLIENT_HOUR": "2",
    "LIMIT_HANDOVERS_PER_CLIENT_HOUR": "1",
    "LIMIT_MESSAGES_PER_CONVERSATION_MINUTE": "6",
    "OFFICE_HOURS": "ma-zo 00:00-24:00",
}
INTRODUCTION = "Hallo! Ik ben de digitale assistent"
TOO_MANY_CONVERSATIONS = "Er komen veel nieuwe gesprekken van deze verbinding."
TOO_MANY_MESSAGES = "Er komen veel berichten snel na elkaar in dit gesprek."
TOO_MANY_HANDOVERS = "Vanaf deze verbinding is al vaak om een medewerker gevraagd."
WIJKTEAM_PHONE = "0123-456 789"  # content/local.yml


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("limits"), LIMITS) as running:
        yield running


def say(stack: Stack, address: str, sender: str, message: str) -> list[str]:
    """A message of the resident at `address` (behind the proxy on 127.0.0.1); the bot's texts."""
    response = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                          headers={"X-Forwarded-For": address}, timeout=60)  # fmt: skip
    response.raise_for_status()
    return [str(reply.get("text", "")) for reply in response.json()]


def stored_events(stack: Stack, sender: str) -> list[dict[str, Any]]:
    tracker = httpx.get(f"{stack.rasa}/conversations/{sender}/tracker",
                        params={"token": stack.setting("RASA_AUTH_TOKEN")}, timeout=30)  # fmt: skip
    tracker.raise_for_status()
    return list(tracker.json()["events"])


def new_id(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_too_many_conversations_from_one_client_get_the_dutch_message_and_others_are_served(
    stack: Stack,
) -> None:
    flooder, other = "203.0.113.10", "198.51.100.20"
    first, second, refused = new_id("flood-a"), new_id("flood-b"), new_id("flood-c")
    assert say(stack, flooder, first, "hallo")[0].startswith(INTRODUCTION)
    assert say(stack, flooder, second, "hallo")[0].startswith(INTRODUCTION)

    [answer] = say(stack, flooder, refused, "hallo")
    assert answer.startswith(TOO_MANY_CONVERSATIONS)
    assert "minuten opnieuw" in answer and f"Bel het wijkteam: {WIJKTEAM_PHONE}." in answer
    assert "Traceback" not in answer
    assert not any(event["event"] == "user" for event in stored_events(stack, refused))  # nothing stored

    assert say(stack, other, new_id("other"), "hallo")[0].startswith(INTRODUCTION)  # another client
    going_on = say(stack, flooder, first, "ik heb schulden")  # an existing conversation goes on
    assert going_on and not going_on[0].startswith(TOO_MANY_CONVERSATIONS)
    assert sum(event["event"] == "user" for event in stored_events(stack, first)) == 2  # nothing lost


def test_a_crisis_message_gets_the_safety_reply_over_the_limit(stack: Stack) -> None:
    flooder = "203.0.113.11"
    for name in ("crisis-a", "crisis-b"):
        say(stack, flooder, new_id(name), "hallo")
    assert say(stack, flooder, new_id("crisis-over"), "hallo")[0].startswith(TOO_MANY_CONVERSATIONS)

    crisis = new_id("crisis-c")
    replies = say(stack, flooder, crisis, "ik wil niet meer leven")
    assert any("113" in reply for reply in replies), replies
    assert not any(reply.startswith(TOO_MANY_CONVERSATIONS) for reply in replies)
    intents = [event["parse_data"]["intent"]["name"] for event in stored_events(stack, crisis)
               if event["event"] == "user"]  # fmt: skip
    assert intents == ["crisis_suicide"]


def test_a_handover_flood_from_one_client_is_capped(stack: Stack) -> None:
    flooder, other = "203.0.113.12", "198.51.100.21"
    asked, refused, served = new_id("ask-a"), new_id("ask-b"), new_id("ask-c")
    for sender, address in ((asked, flooder), (refused, flooder), (served, other)):
        say(stack, address, sender, "ik woon in Voorbeeldstad")  # else the handover asks it first
        say(stack, address, sender, "ik wil iemand spreken")
    assert not any(TOO_MANY_HANDOVERS in reply for reply in say(stack, flooder, asked, "ja"))
    answer = say(stack, flooder, refused, "ja")
    assert any(reply.startswith(TOO_MANY_HANDOVERS) and WIJKTEAM_PHONE in reply for reply in answer), answer
    assert not any(TOO_MANY_HANDOVERS in reply for reply in say(stack, other, served, "ja"))

    service = {"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"}
    url = f"{stack.backend}/api/handovers"
    counts = {
        sender: len(httpx.get(url, params={"conversation_id": sender}, headers=service, timeout=30).json())
        for sender in (asked, refused, served)
    }
    assert counts == {asked: 1, refused: 0, served: 1}


def test_too_many_messages_in_one_conversation_get_the_dutch_message(stack: Stack) -> None:
    """13 quick messages, limit 6 a minute: whichever minute boundary falls between them, one is refused."""
    sender = new_id("chatty")
    answers = [say(stack, "198.51.100.22", sender, "hallo") for _ in range(13)]
    refused = [answer for answer in answers if answer and answer[0].startswith(TOO_MANY_MESSAGES)]
    assert refused and all(len(answer) == 1 for answer in refused)
    stored = sum(event["event"] == "user" for event in stored_events(stack, sender))
    assert stored == 13 - len(refused)  # the refused ones are not stored, the others all are
