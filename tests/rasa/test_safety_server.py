"""The crisis layers and the English line end to end, on a real Rasa server (the project's REST channel,
the trained model, the action server and a real case backend).

- a possible signal: the gentle check-in (113 first), then the answer to the question, in that order;
- a crisis in English: the crisis reply, then one English line with 112;
- child self-harm: 113 first, then the Kindertelefoon and the huisarts;
- English requests: the English line first, then the usual Dutch flow;
- a conversation handed over to a staff member (paused) still gets the crisis replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.rasa.rasa_servers import REST_STACK_TOKEN, RestStack, say

pytestmark = pytest.mark.slow

API_TOKEN = REST_STACK_TOKEN
CHECK_IN = "Het klinkt alsof het je te veel wordt. Denk je aan zelfdoding? Bel dan 113 of 0800-0113"
ENGLISH_NOTE = "The wijkteam helps in Dutch. Would you like a person to help you? Type: person"
IN_DANGER = "Are you in danger right now? Call 112."
INTRODUCTION = "Hallo! Ik ben de digitale assistent"  # the first reply of every new conversation


@dataclass
class Server:
    url: str

    def say(self, sender: str, text: str) -> list[str]:
        """The bot's replies, without the introduction that opens a new conversation."""
        replies = [str(reply.get("text", "")) for reply in say(self.url, sender, text)]
        return [reply for reply in replies if not reply.startswith(INTRODUCTION)]

    def tracker(self, sender: str) -> dict[str, Any]:
        url = f"{self.url}/conversations/{sender}/tracker"
        response = httpx.get(url, params={"token": API_TOKEN}, timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def actions_of_last_turn(self, sender: str) -> list[str]:
        events = self.tracker(sender)["events"]
        last_user = max(i for i, event in enumerate(events) if event["event"] == "user")
        actions = [e["name"] for e in events[last_user:] if e["event"] == "action"]
        return [name for name in actions if name != "action_listen"]


@pytest.fixture(scope="module")
def server(rest_stack: RestStack) -> Server:
    return Server(rest_stack.url)  # the shared stack's office is always open


def test_a_possible_signal_gets_the_check_in_first_then_the_answer(server: Server) -> None:
    replies = server.say("safety-possible", "ik ga dood van de stress van die rekeningen, wat moet ik doen")
    assert replies[0].startswith(CHECK_IN)
    assert len(replies) >= 2 and not any(reply.startswith(("Bel ", "Het klinkt")) for reply in replies[1:])
    actions = server.actions_of_last_turn("safety-possible")
    assert actions[0] == "utter_safety_check_in"
    assert actions[1] not in {"utter_safety_check_in", "utter_crisis_suicide"}  # the usual answer follows
    intent = server.tracker("safety-possible")["latest_message"]["intent"]["name"]
    assert not intent.startswith("crisis_")


FEEDBACK_QUESTION = "Heeft dit geholpen?"


def test_the_answer_after_the_check_in_is_the_answer_without_it(server: Server) -> None:
    """Same intent, same reply: the check-in changes nothing about how the question is answered."""
    question = "ik wil gewoon dat alles ophoudt met die schulden, waar kan ik hulp krijgen"
    replies = server.say("safety-possible-2", question)
    assert replies[0].startswith(CHECK_IN)
    intent = server.tracker("safety-possible-2")["latest_message"]["intent"]["name"]
    control = server.say("safety-control", f"/{intent}")
    # After a check-in the answer does not ask "Heeft dit geholpen?" (issue 23); otherwise it is the same.
    assert control and control[-1].endswith(FEEDBACK_QUESTION)
    control[-1] = control[-1].removesuffix(FEEDBACK_QUESTION).rstrip()
    assert replies[-len(control) :] == control
    check_in = replies[: -len(control)]  # the check-in (a channel may send its paragraphs one by one)
    assert check_in and check_in[-1] == "Nu help ik je verder met je vraag."


def test_violence_in_english_gets_veilig_thuis_then_the_english_line(server: Server) -> None:
    replies = server.say("safety-english-violence", "my husband hits me")
    assert replies[0].startswith("Bel Veilig Thuis: 0800-2000.")
    assert replies[-1] == IN_DANGER
    assert ENGLISH_NOTE not in replies


def test_self_harm_of_a_child_leads_with_113_then_kindertelefoon_and_huisarts(server: Server) -> None:
    replies = server.say("safety-self-harm", "mijn dochter van 14 snijdt zichzelf")
    assert replies[0].startswith("Bel 113 of 0800-0113.")
    assert replies[0].index("113") < replies[0].index("Kindertelefoon") < replies[0].index("huisarts")
    assert IN_DANGER not in replies


@pytest.mark.parametrize(
    ("text", "dutch_start"),
    [
        ("person", "Zal ik je vraag doorgeven aan een medewerker"),
        ("Can someone call me back tomorrow?", None),
        ("I would like to make an appointment", None),
    ],
)
def test_english_requests_get_the_english_line_then_the_dutch_flow(
    server: Server, text: str, dutch_start: str | None
) -> None:
    sender = f"safety-english-{abs(hash(text))}"
    replies = server.say(sender, text)
    assert replies[0] == ENGLISH_NOTE
    assert len(replies) >= 2 and not replies[1].startswith("Bel ")
    if dutch_start:
        assert any(reply.startswith(dutch_start) for reply in replies[1:])


def test_dutch_messages_get_no_english_line(server: Server) -> None:
    assert ENGLISH_NOTE not in server.say("safety-dutch", "ik wil een afspraak maken")


def test_a_handed_over_conversation_still_gets_the_crisis_replies(server: Server) -> None:
    sender = "safety-paused"
    server.say(sender, "ik woon in Voorbeeldstad")  # the handover goes to this municipality's team
    server.say(sender, "/request_human")
    assert any("Ik heb je vraag doorgegeven" in reply for reply in server.say(sender, "ja graag"))
    assert server.tracker(sender)["paused"] is True
    assert server.say(sender, "I need help with my rent") == []  # the staff member answers
    assert server.say(sender, "ik kras weer in mijn armen")[0].startswith("Bel 113 of 0800-0113.")
    assert server.say(sender, "my husband hits me")[0].startswith("Bel Veilig Thuis: 0800-2000.")
    assert server.tracker(sender)["paused"] is True
