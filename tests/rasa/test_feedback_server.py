"""Feedback on answers end to end on a real Rasa server (issue 23): the REST channel, the action server and
a real case backend. An answer carries "Heeft dit geholpen?"; "Nee" asks "Wat miste je?"; the typed
answer is taken by the message pipeline (bot/assistant/channels/feedback_step.py), stored masked in the
backend and thanked for, and never reaches the NLU; a crisis message after the question still gets the
crisis reply; a typed message the bot did not understand is reported for the review page.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.rasa.rasa_servers import REST_STACK_TOKEN, RestStack

pytestmark = pytest.mark.slow

API_TOKEN = REST_STACK_TOKEN
ANSWER = "schulden_aanmaning"


class Stack:
    def __init__(self, url: str, database: Path) -> None:
        self.url, self.database = url, database

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        response.raise_for_status()
        return list(response.json())

    def user_texts(self, sender: str) -> list[str]:
        tracker = httpx.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()
        return [event.get("text") for event in tracker["events"] if event["event"] == "user"]

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as connection:
            return connection.execute(query).fetchall()


@pytest.fixture(scope="module")
def stack(rest_stack: RestStack) -> Stack:
    return Stack(rest_stack.url, rest_stack.folder / "backend.db")


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text") or "") for reply in replies)


def button(replies: list[dict[str, Any]], title: str) -> str:
    return next(b["payload"] for reply in replies for b in reply.get("buttons") or [] if b["title"] == title)


def test_nee_asks_what_was_missing_and_the_typed_remark_is_stored_masked(stack: Stack) -> None:
    sender = "feedback-no"
    stack.say(sender, "/greet")
    answer = stack.say(sender, f"/{ANSWER}")
    assert "Heeft dit geholpen?" in texts(answer)
    nee = button(answer, "Nee")
    assert nee == "/feedback_no" + json.dumps({"answer_id": ANSWER})

    asked = stack.say(sender, nee)
    assert "Wat miste je?" in texts(asked)
    assert button(asked, "Iemand spreken") == "/request_human"
    thanks = stack.say(sender, "de uitleg was te lang voor mij, mijn nummer is 06-12345678")
    assert "Dank je wel" in texts(thanks)
    assert not any("te lang" in str(text) for text in stack.user_texts(sender))  # not to the NLU
    query = f"SELECT helped, remark FROM answer_feedback WHERE answer_id = '{ANSWER}' AND remark IS NOT NULL"
    [(helped, remark)] = stack.rows(query)
    assert helped == 0 and "te lang" in remark and "12345678" not in remark

    # Afterwards a message is an ordinary message again.
    assert "Dank je wel. Het team" not in texts(stack.say(sender, "hoi"))


def test_a_question_typed_as_the_remark_is_stored_and_answered(stack: Stack) -> None:
    """Nothing is lost: the question the resident still has is kept as the remark and answered too."""
    sender = "feedback-question"
    stack.say(sender, "/greet")
    answer = stack.say(sender, f"/{ANSWER}")
    stack.say(sender, button(answer, "Nee"))
    reply = stack.say(sender, "ik wil eigenlijk weten hoe ik huurtoeslag aanvraag")
    assert "Dank je wel" not in texts(reply) and "huurtoeslag" in texts(reply).lower()
    assert any("huurtoeslag" in str(text) for text in stack.user_texts(sender))  # it went on to Rasa
    query = "SELECT remark FROM answer_feedback WHERE remark LIKE '%huurtoeslag%'"
    assert len(stack.rows(query)) == 1
    assert "Dank je wel. Het team" not in texts(stack.say(sender, "hoi"))


def test_a_crisis_message_after_the_question_gets_the_crisis_reply(stack: Stack) -> None:
    sender = "feedback-crisis"
    stack.say(sender, "/greet")
    answer = stack.say(sender, f"/{ANSWER}")
    stack.say(sender, button(answer, "Nee"))
    reply = texts(stack.say(sender, "ik wil niet meer leven"))
    assert "113" in reply and "Dank je wel" not in reply
    assert stack.rows("SELECT COUNT(*) FROM answer_feedback WHERE remark LIKE '%leven%'") == [(0,)]


def test_ja_is_stored_and_a_typed_miss_is_reported(stack: Stack) -> None:
    sender = "feedback-yes"
    stack.say(sender, "/greet")
    answer = stack.say(sender, f"/{ANSWER}")
    assert "Fijn dat het geholpen heeft" in texts(stack.say(sender, button(answer, "Ja")))
    assert (1,) in stack.rows(f"SELECT helped FROM answer_feedback WHERE answer_id = '{ANSWER}'")
    replies = stack.say(sender, "qwertyuiop zxcvbnm asdfgh")
    deadline = time.monotonic() + 10  # the action reports it without waiting
    query = "SELECT text, kind FROM missed_messages"  # other modules' misses are there too (shared stack)
    while ("qwertyuiop zxcvbnm asdfgh", "fallback") not in (missed := stack.rows(query)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert ("qwertyuiop zxcvbnm asdfgh", "fallback") in missed, texts(replies)
