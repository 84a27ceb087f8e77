"""Cancelling and moving a booking in a real conversation (REST channel, the trained model, the action
server with its secret, a real backend): the code, then the second factor, then the choice (issue 20).

It also shows that Rasa reaches the locked action server: every bot reply below comes from a custom
action that Rasa called with `Authorization: Bearer ACTION_SERVER_TOKEN` (endpoints.yml).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.rasa.booking_backend import TOKEN
from tests.rasa.rasa_servers import RestStack, say

pytestmark = pytest.mark.slow

SERVICE = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Server:
    url: str
    backend: str

    def say(self, sender: str, text: str) -> str:
        return "\n".join(str(reply.get("text", "")) for reply in say(self.url, sender, text))

    def book(self, **contact: str) -> str:
        slot = httpx.get(
            f"{self.backend}/api/slots", params={"topic": "algemeen"}, headers=SERVICE, timeout=10
        ).json()[0]
        body = {"slot_id": slot["id"], "first_name": "Anna", **contact}
        return str(
            httpx.post(f"{self.backend}/api/bookings", json=body, headers=SERVICE, timeout=10).json()["code"]
        )

    def booking(self, code: str, verification: str) -> dict[str, Any]:
        body = {"code": code, "verification": verification, "client": f"check-{uuid.uuid4()}"}
        opened = httpx.post(f"{self.backend}/api/bookings/lookup", json=body, headers=SERVICE, timeout=10)
        assert opened.status_code == 200, opened.text
        return dict(opened.json()["booking"])


@pytest.fixture(scope="module")
def server(rest_stack: RestStack) -> Server:
    return Server(rest_stack.url, rest_stack.backend_url)


def test_cancel_with_the_code_and_the_last_four_digits(server: Server) -> None:
    code = server.book(phone="06-12345678")
    sender = f"cancel-{uuid.uuid4()}"
    assert "afspraakcode" in server.say(sender, "ik wil mijn afspraak afzeggen")
    asked = server.say(sender, code.lower().replace("-", " "))
    assert "laatste 4 cijfers" in asked and "Anna" not in asked and code not in asked
    wrong = server.say(sender, "1234")
    assert "horen niet bij elkaar" in wrong and "afspraakcode" in wrong  # it starts again with the code
    server.say(sender, code)
    found = server.say(sender, "5678")
    assert "Ik heb je afspraak gevonden" in found
    assert "afgezegd" in server.say(sender, "afzeggen")
    assert server.booking(code, "5678")["status"] == "geannuleerd"


def test_a_code_in_the_first_message_is_not_asked_again(server: Server) -> None:
    code = server.book(phone="06-12345678")
    sender = f"cancel-code-{uuid.uuid4()}"
    asked = server.say(sender, f"ik wil mijn afspraak afzeggen, mijn code is {code}")
    assert "laatste 4 cijfers" in asked and "afspraakcode" not in asked.lower(), asked
    assert "Ik heb je afspraak gevonden" in server.say(sender, "5678")
    assert "afgezegd" in server.say(sender, "afzeggen")
    assert server.booking(code, "5678")["status"] == "geannuleerd"


def test_the_e_mail_address_opens_the_booking_and_moving_keeps_the_code(server: Server) -> None:
    code = server.book(email="anna@voorbeeld.nl")
    sender = f"move-{uuid.uuid4()}"
    server.say(sender, "ik wil mijn afspraak verzetten")
    server.say(sender, f"mijn code is {code}")
    found = server.say(sender, "anna@voorbeeld.nl")  # not masked while the form asks for it
    assert "Ik heb je afspraak gevonden" in found, found
    offered = say(server.url, sender, "verzetten")
    buttons = [button for reply in offered for button in reply.get("buttons") or []]
    assert buttons, offered
    before = server.booking(code, "anna@voorbeeld.nl")["slot"]["id"]
    times = [b for b in buttons if b["title"] not in ("Andere dag", "Stoppen")]
    server.say(sender, str(times[-1]["payload"]))  # the first one may be the booked time itself
    moved = server.say(sender, "ja")
    assert code in moved, moved
    after = server.booking(code, "anna@voorbeeld.nl")
    assert after["status"] == "bevestigd" and after["slot"]["id"] != before


def test_guessing_in_the_chat_ends_the_form_kindly(server: Server) -> None:
    code = server.book(phone="06-12345678")
    sender = f"guess-{uuid.uuid4()}"
    server.say(sender, "afspraak afzeggen")
    for attempt in range(5):
        server.say(sender, "VD-AAAA-CCCC")
        assert "horen niet bij elkaar" in server.say(sender, f"{attempt:04d}")
    server.say(sender, code)
    stopped = server.say(sender, "5678")  # the right pair, after five failures in this conversation
    assert "te vaak niet gelukt" in stopped and "Ik heb je afspraak gevonden" not in stopped
    assert "0123-456 789" in stopped  # the wijkteam's number (content/local.yml)
    after = server.say(sender, "hoe werkt de huurtoeslag?")
    assert "afspraakcode" not in after and "laatste 4 cijfers" not in after  # the form has ended
    assert server.booking(code, "5678")["status"] == "bevestigd"
