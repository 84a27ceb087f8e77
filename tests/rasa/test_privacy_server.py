"""Privacy end to end on a real Rasa server (REST channel of credentials.yml, the trained model, the
action server and a real case backend): identifiers are masked before anything is stored, an e-mail
address is kept only while the spreekuur form asks for it, and "verwijder mijn gegevens" deletes the
conversation from the tracker store.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.rasa.rasa_servers import REST_STACK_TOKEN, RestStack, say

pytestmark = pytest.mark.slow

API_TOKEN = REST_STACK_TOKEN
SECRETS = "mijn bsn is 123456782 en mijn iban NL91 ABNA 0417 1643 00, mail me op anna@voorbeeld.nl"


@dataclass
class Server:
    url: str
    backend_url: str
    tracker_db: Path

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        return say(self.url, sender, text)

    def events(self, sender: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": API_TOKEN, "include_events": "ALL"},
            timeout=30,
        )
        response.raise_for_status()
        return list(response.json()["events"])

    def stored_rows(self, sender: str) -> list[str]:
        """The raw rows of the SQL tracker store (what a database administrator would see)."""
        with sqlite3.connect(self.tracker_db) as db:
            return [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]


@pytest.fixture(scope="module")
def server(rest_stack: RestStack) -> Server:
    return Server(rest_stack.url, rest_stack.backend_url, rest_stack.folder / "tracker.db")


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def user_texts(events: list[dict[str, Any]]) -> list[str]:
    return [str(event.get("text")) for event in events if event["event"] == "user"]


def test_identifiers_are_masked_before_they_are_stored(server: Server) -> None:
    sender = "privacy-mask-1"
    replies = server.say(sender, SECRETS)
    assert replies, "the resident gets a reply"
    assert texts(replies).startswith(
        "Ik heb je BSN, bankrekeningnummer en e-mailadres niet bewaard. Dat hebben we hier niet nodig."
    )
    [stored] = user_texts(server.events(sender))
    assert stored == (
        "mijn bsn is [BSN verwijderd] en mijn iban [IBAN verwijderd], mail me op [e-mail verwijderd]"
    )
    raw = "\n".join(server.stored_rows(sender))
    assert "[BSN verwijderd]" in raw  # the user event's text and its parse data
    for secret in ("123456782", "NL91", "ABNA", "0417", "anna@voorbeeld.nl", "voorbeeld.nl"):
        # Not inside a longer number: a stored confidence (0.0359886956560417) holds four digits by chance.
        assert not re.search(rf"(?<![\d.]){re.escape(secret)}(?!\d)", raw), secret


def test_numbers_that_are_not_identifiers_are_kept(server: Server) -> None:
    sender = "privacy-mask-2"
    message = "mijn nummer is 0612345678 en mijn code VD-7K3P, klantnummer 123456789"
    replies = server.say(sender, message)
    assert "niet bewaard" not in texts(replies)
    assert user_texts(server.events(sender)) == [message]


def test_an_email_address_is_kept_only_when_the_spreekuur_form_asks_for_it(server: Server) -> None:
    sender = "privacy-form-1"
    server.say(sender, "ik woon in Voorbeeldstad")  # else the spreekuur asks it first
    offer = server.say(sender, "ik wil een afspraak maken voor het spreekuur")
    buttons = offer[-1].get("buttons", [])  # the free times (the introduction's buttons come first)
    assert buttons and " om " in buttons[0]["payload"], offer
    server.say(sender, buttons[0]["payload"])
    asked = server.say(sender, "Bram")
    assert "e-mailadres" in texts(asked)
    summary = server.say(sender, "bram@voorbeeld.nl")
    assert "niet bewaard" not in texts(summary)
    assert "bram@voorbeeld.nl" in user_texts(server.events(sender))
    # After the form, an address in a question is masked again.
    server.say(sender, "nee")
    server.say(sender, "mijn zus heeft zus@voorbeeld.nl als adres")
    assert user_texts(server.events(sender))[-1] == "mijn zus heeft [e-mail verwijderd] als adres"


def test_verwijder_mijn_gegevens_deletes_the_conversation(server: Server) -> None:
    sender = "privacy-delete-1"
    server.say(sender, "ik heb een brief van de deurwaarder gekregen")
    server.say(sender, "wat moet ik doen met mijn huurachterstand")
    assert len(server.stored_rows(sender)) > 5

    ask = server.say(sender, "verwijder mijn gegevens")
    assert "Wil je dat ik dit gesprek wis?" in texts(ask)
    assert [button["payload"] for button in ask[-1]["buttons"]] == ["/affirm", "/deny"]
    done = server.say(sender, "/affirm")
    assert "Ik heb dit gesprek gewist." in texts(done) and "afspraak afzeggen" in texts(done)

    assert server.stored_rows(sender) == []
    events = server.events(sender)
    assert user_texts(events) == []
    assert "deurwaarder" not in str(events) and "huurachterstand" not in str(events)

    again = server.say(sender, "hallo")
    assert "Ik ben een computer, geen mens." in texts(again)  # a new conversation starts
    assert user_texts(server.events(sender)) == ["hallo"]


def test_saying_no_keeps_the_conversation(server: Server) -> None:
    sender = "privacy-delete-2"
    server.say(sender, "ik heb schulden")
    server.say(sender, "wis dit gesprek")
    kept = server.say(sender, "/deny")
    assert "ik wis niets" in texts(kept)
    assert "ik heb schulden" in user_texts(server.events(sender))
