"""A person in the conversation pauses the bot: the staff pages' Rasa client against a stand-in Rasa.

A real HTTP server on 127.0.0.1 (staff_helpers.StandInRasa) answers as Rasa's HTTP API does for
`GET .../tracker` (with `paused`) and records every `POST .../tracker/events`. The real Rasa's side of a
pause (a paused conversation gets no bot reply, a crisis message still gets the crisis reply) is tested
in tests/rasa/test_handover_server.py and, end to end in the browser, in tests/app/test_handover_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from staff_helpers import StandInRasa, stand_in_rasa

from bot.backend.staff_web.rasa_client import PAUSE_EVENTS, TAKEN_TEXT, RasaClient, staff_text


@pytest.fixture
def rasa() -> Iterator[StandInRasa]:
    with stand_in_rasa() as stand_in:
        yield stand_in


def test_a_reply_to_a_conversation_the_bot_still_has_pauses_it_first(rasa: StandInRasa) -> None:
    """Outside office hours the handover does not pause the bot; the medewerker's first reply does."""
    client = RasaClient(rasa.url, "rasa-token")
    client.send_staff_reply("resident-1", display_name="Sanne", text="Hoi, ik help je verder.")
    conversation, events, query = rasa.posted[-1]
    assert conversation == "resident-1"
    assert events[: len(PAUSE_EVENTS)] == PAUSE_EVENTS
    assert events[-1]["text"] == staff_text("Sanne", "Hoi, ik help je verder.")
    assert "output_channel=latest" in query and "execute_side_effects=true" in query
    assert rasa.paused["resident-1"] is True
    client.send_staff_reply("resident-1", display_name="Sanne", text="Nog een vraag?")
    assert [event["event"] for event in rasa.posted[-1][1]] == ["bot"]  # paused already: no second pause
    # Whether it is paused is asked without the conversation's events (a long conversation is large).
    assert rasa.queries and all("include_events=NONE" in query for query in rasa.queries)


def test_the_resident_reads_the_staff_name_without_a_role_in_brackets() -> None:
    assert staff_text("Beheerder (demo)", "Hallo") == "Beheerder (wijkteam): Hallo"
    assert staff_text("Sanne", "Hallo") == "Sanne (wijkteam): Hallo"
    assert staff_text("(demo)", "Hallo") == "Medewerker (wijkteam): Hallo"


def test_taking_a_handover_pauses_the_bot_and_tells_the_resident(rasa: StandInRasa) -> None:
    RasaClient(rasa.url, "rasa-token").take("resident-2", display_name="Sanne")
    _, events, _ = rasa.posted[-1]
    assert events[: len(PAUSE_EVENTS)] == PAUSE_EVENTS
    assert events[-1] == {
        "event": "bot",
        "text": staff_text("Sanne", TAKEN_TEXT),
        "metadata": {"staff": "Sanne"},
    }
    assert rasa.paused["resident-2"] is True
