"""Two municipalities end to end on a real Rasa server (issue 23): the REST channel, the action server and
a real case backend with the demo municipalities Voorbeeldstad (the default) and Heideveen.

A Heideveen resident gets Heideveen's phone number and spreekuren, a Voorbeeldstad resident
Voorbeeldstad's; the municipality comes from the widget's metadata, from the answer to the question
"In welke gemeente woon je?", or from "ik woon in ..." / "mijn postcode is ..." at any time, and a
sentence that names no municipality ("ik woon in een huurhuis") goes on to the assistant untouched.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.rasa.rasa_servers import REST_STACK_TOKEN, RestStack

pytestmark = pytest.mark.slow

API_TOKEN = REST_STACK_TOKEN
PHONES = {"voorbeeldstad": "0123-456 789", "heideveen": "0987-654 321"}  # content/local*.yml
#: A question whose answer names the wijkteam's phone number (content/answers/schulden.yml).
PHONE_QUESTION = "/schulden_schuldhulp_gemeente"
ASK = "In welke gemeente woon je?"


class Stack:
    def __init__(self, url: str, backend: str) -> None:
        self.url, self.backend = url, backend

    def say(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = httpx.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return list(response.json())

    def slot(self, sender: str, name: str) -> Any:
        tracker = httpx.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()
        return tracker["slots"].get(name)

    def user_texts(self, sender: str) -> list[str]:
        tracker = httpx.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()
        return [event.get("text") for event in tracker["events"] if event["event"] == "user"]

    def location_names(self, municipality: str) -> set[str]:
        slots = httpx.get(
            f"{self.backend}/api/locations",
            params={"municipality": municipality},
            headers={"Authorization": "Bearer booking-tests-service-token-0123456789"},
            timeout=10,
        ).json()
        items = slots["items"] if isinstance(slots, dict) else slots
        return {item["name"] for item in items}


@pytest.fixture(scope="module")
def stack(rest_stack: RestStack) -> Stack:
    return Stack(rest_stack.url, rest_stack.backend_url)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text") or "") for reply in replies)


def slot_buttons(replies: list[dict[str, Any]]) -> list[str]:
    """The titles of the time buttons of the spreekuur question (without Andere dag and Stoppen)."""
    buttons = [button for reply in replies for button in reply.get("buttons") or []]
    return [button["title"] for button in buttons if button["payload"] not in ("andere dag", "/deny")]


def test_an_unknown_municipality_is_asked_once_and_the_answer_gives_heideveens_facts(stack: Stack) -> None:
    sender = "heideveen-resident"
    stack.say(sender, "/greet")
    asked = stack.say(sender, PHONE_QUESTION)
    assert texts(asked).startswith(ASK)
    assert [button["payload"] for button in asked[0]["buttons"]] == [
        "Ik woon in Heideveen",
        "Ik woon in Voorbeeldstad",
    ]

    replies = stack.say(sender, "Heideveen")  # typed instead of the button
    said = texts(replies)
    assert "Ik onthoud dat je in Heideveen woont" in said
    assert PHONES["heideveen"] in said and PHONES["voorbeeldstad"] not in said
    assert stack.slot(sender, "gemeente") == "heideveen"
    assert "Heideveen" not in stack.user_texts(sender)  # the choice is not a question for the NLU

    # Heideveen's spreekuren only.
    offered = slot_buttons(stack.say(sender, "/book_spreekuur"))
    heideveen, voorbeeldstad = stack.location_names("heideveen"), stack.location_names("voorbeeldstad")
    assert offered and all(any(name in title for name in heideveen) for title in offered)
    assert not any(name in title for title in offered for name in voorbeeldstad)
    stack.say(sender, "/deny")


def test_a_voorbeeldstad_resident_gets_voorbeeldstads_facts_and_spreekuren(stack: Stack) -> None:
    sender = "voorbeeldstad-resident"
    stack.say(sender, "/greet")
    chosen = texts(stack.say(sender, "ik woon in Voorbeeldstad"))
    assert "Ik onthoud dat je in Voorbeeldstad woont" in chosen
    said = texts(stack.say(sender, PHONE_QUESTION))
    assert PHONES["voorbeeldstad"] in said and PHONES["heideveen"] not in said and ASK not in said
    offered = slot_buttons(stack.say(sender, "/book_spreekuur"))
    heideveen, voorbeeldstad = stack.location_names("heideveen"), stack.location_names("voorbeeldstad")
    assert offered and all(any(name in title for name in voorbeeldstad) for title in offered)
    assert not any(name in title for title in offered for name in heideveen)
    stack.say(sender, "/deny")


def test_the_widgets_metadata_sets_the_municipality_without_a_question(stack: Stack) -> None:
    sender = "widget-heideveen"
    stack.say(sender, "/greet", metadata={"gemeente": "heideveen"})
    said = texts(stack.say(sender, PHONE_QUESTION, metadata={"gemeente": "heideveen"}))
    assert PHONES["heideveen"] in said and ASK not in said


def test_a_postcode_changes_the_municipality_and_a_house_is_no_municipality(stack: Stack) -> None:
    sender = "moving-resident"
    stack.say(sender, "/greet", metadata={"gemeente": "voorbeeldstad"})
    untouched = stack.say(sender, "ik woon in een huurhuis")
    assert "Ik onthoud" not in texts(untouched)
    assert "ik woon in een huurhuis" in stack.user_texts(sender)  # went on to the assistant
    assert stack.slot(sender, "gemeente") == "voorbeeldstad"

    assert "Ik onthoud dat je in Heideveen woont" in texts(stack.say(sender, "mijn postcode is 0201 AB"))
    assert stack.slot(sender, "gemeente") == "heideveen"
    assert PHONES["heideveen"] in texts(stack.say(sender, PHONE_QUESTION))
