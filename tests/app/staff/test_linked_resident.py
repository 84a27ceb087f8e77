"""One resident across channels on the staff page (issue 24): a handover of the Telegram conversation a
link code joined to a web chat shows both transcripts merged in time order, each line with its channel,
and the bookings and other handovers of both conversations. Also: redeeming a code carries the first
conversation's slots, read from (a stand-in for) Rasa's HTTP API. SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from staff_helpers import Accounts, StandInRasa, login, stand_in_rasa

from bot.backend.services.handovers import create_handover
from bot.backend.services.resident_links import create_link_code, redeem_link_code
from tests.app.backend_helpers import AUTH, Factory

WEB = "web-5e1f0c2a9b"
TG = "700700"


@pytest.fixture
def rasa(app: FastAPI) -> Iterator[StandInRasa]:
    settings = app.state.settings
    with stand_in_rasa() as stand_in:
        app.state.settings = settings.model_copy(update={"rasa_url": stand_in.url})
        try:
            yield stand_in
        finally:
            app.state.settings = settings


def said(sender: str, text: str, at: float) -> dict[str, object]:
    return {"event": sender, "text": text, "timestamp": at}


def link(session: Session) -> None:
    now = datetime.now(UTC)
    code = create_link_code(session=session, conversation_id=WEB, channel="socketio", now=now).code
    redeem_link_code(session=session, code=code, conversation_id=TG, channel="telegram", now=now)
    session.commit()


def test_the_handover_page_shows_both_conversations_as_one_resident(
    client: TestClient, accounts: Accounts, session: Session, rasa: StandInRasa, make: Factory
) -> None:
    start = time.time() - 600
    rasa.events[WEB] = [
        said("user", "Ik heb een brief van de deurwaarder.", start),
        said("bot", "Wat vervelend. Wil je een afspraak?", start + 1),
        said("user", "/continue_on_telegram", start + 60),
        said("bot", "Verder op Telegram? Open deze link op je telefoon.", start + 61),
    ]
    rasa.events[TG] = [
        said("user", '/link_conversation{"link_code": "K7PX9Q"}', start + 120),
        said("bot", "Fijn, we gaan hier verder.", start + 121),
        said("user", "Ik wil iemand spreken.", start + 180),
    ]
    link(session)
    location = make.location("Wijkhuis (test)")
    slot = make.slot(make.schedule(location), datetime.now(UTC).date() + timedelta(days=7))
    booking = make.booking(slot, "Anna", "+31612345678")
    booking.conversation_id = WEB
    earlier = create_handover(session=session, conversation_id=WEB, channel="socketio", reason="Eerder.")
    handover = create_handover(
        session=session, conversation_id=TG, channel="telegram", reason="Vraagt iemand."
    )
    session.commit()

    login(client, "sanne")
    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert "Eén inwoner in meer kanalen" in page
    assert f'data-conversation="{WEB}"' in page and f'data-conversation="{TG}"' in page
    assert f'href="/staff/overdrachten/{earlier.id}"' in page  # the other handover of this resident
    assert f'data-booking-code="{booking.code}"' in page  # booked in the web chat
    transcript = page.split('id="transcript"')[1]
    texts = re.findall(r'<span class="text">([^<]*)</span>', transcript)
    assert texts == [
        "Ik heb een brief van de deurwaarder.",
        "Wat vervelend. Wil je een afspraak?",
        "Verder op Telegram",
        "Verder op Telegram? Open deze link op je telefoon.",
        "(ging verder vanuit een ander kanaal, met een code)",
        "Fijn, we gaan hier verder.",
        "Ik wil iemand spreken.",
    ]
    channels = re.findall(r'<span class="channel">([^<]*)</span>', transcript)
    assert channels == ["Website-chat"] * 4 + ["Telegram"] * 3
    # The inbox marks both handovers as one resident's, each with the other channel.
    inbox = client.get("/staff/overdrachten").text
    marks = re.findall(r'<small class="linked-channels">([^<]*)</small>', inbox)
    assert sorted(marks) == ["ook via Telegram", "ook via Website-chat"]
    # The page's script reloads the same merged transcript.
    fragment = client.get(f"/staff/overdrachten/{handover.id}/gesprek").text
    assert re.findall(r'<span class="text">([^<]*)</span>', fragment) == texts


def test_an_unlinked_conversation_looks_as_before(
    client: TestClient, accounts: Accounts, session: Session, rasa: StandInRasa
) -> None:
    rasa.events[WEB] = [said("user", "Hallo", time.time())]
    handover = create_handover(session=session, conversation_id=WEB, channel="socketio", reason="Vraag.")
    session.commit()
    login(client, "sanne")
    page = client.get(f"/staff/overdrachten/{handover.id}").text
    assert "Eén inwoner in meer kanalen" not in page and 'class="channel"' not in page
    assert "Hallo" in page
    assert "linked-channels" not in client.get("/staff/overdrachten").text


def test_redeeming_carries_the_first_conversations_slots(
    client: TestClient, session: Session, rasa: StandInRasa
) -> None:
    rasa.slots[WEB] = {
        "gemeente": "heideveen",
        "topic": "schulden",
        "address_form": "u",
        "callback_phone": "+31612345678",
    }
    created = client.post(
        "/api/link-codes", json={"conversation_id": WEB, "channel": "socketio"}, headers=AUTH
    )
    body = {"code": created.json()["code"], "conversation_id": TG, "channel": "telegram",
            "slots": ["gemeente", "topic", "plan_id"]}  # fmt: skip
    redeemed = client.post("/api/link-codes/redeem", json=body, headers=AUTH).json()
    assert redeemed["linked_conversation_id"] == WEB and redeemed["linked_channel"] == "socketio"
    # Only the slots asked for: never, say, the phone number a form asked.
    assert redeemed["slots"] == {"gemeente": "heideveen", "topic": "schulden"}
