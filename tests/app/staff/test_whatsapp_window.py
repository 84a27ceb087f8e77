"""The handover page says when a reply to a WhatsApp resident goes out as a template: the resident's last
message in the conversation (read from a stand-in Rasa) is older than WhatsApp's 24-hour window
(services/channel_window.py). The channel's own side of the window is tested in
tests/rasa/test_whatsapp_channel.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from staff_helpers import Accounts, StandInRasa, login, stand_in_rasa

from bot.backend.services.channel_window import outside_whatsapp_window
from bot.backend.services.handovers import create_handover
from bot.backend.staff_web.rasa_client import TranscriptLine
from bot.shared.whatsapp_window import WINDOW_SECONDS

HOUR = 3600
NOTICE = "WhatsApp: laatste bericht van de inwoner meer dan 24 uur geleden."
WA_CONVERSATION = "wa-0123456789abcdef0123456789abcdef"


@pytest.fixture
def rasa(app: FastAPI) -> Iterator[StandInRasa]:
    """The app reads conversations from a stand-in Rasa (the suite's Rasa is a closed port)."""
    settings = app.state.settings
    with stand_in_rasa() as stand_in:
        app.state.settings = settings.model_copy(update={"rasa_url": stand_in.url})
        try:
            yield stand_in
        finally:
            app.state.settings = settings


def conversation(hours_ago: float) -> list[dict[str, object]]:
    """A resident's question `hours_ago`, the bot's answer, and a medewerker's reply an hour ago."""
    asked = time.time() - hours_ago * HOUR
    return [
        {"event": "action", "name": "action_session_start", "timestamp": asked - 1},
        {"event": "user", "text": "Ik heb een brief van de deurwaarder.", "timestamp": asked},
        {"event": "bot", "text": "Ik heb je vraag doorgegeven.", "timestamp": asked + 2},
        {"event": "bot", "text": "Sanne (wijkteam): Ik kijk ernaar.", "metadata": {"staff": "Sanne"},
         "timestamp": time.time() - HOUR},
    ]  # fmt: skip


def handover_page(client: TestClient, session: Session, rasa: StandInRasa, *, channel: str,
                  conversation_id: str, hours_ago: float) -> str:  # fmt: skip
    rasa.events[conversation_id] = conversation(hours_ago)
    handover = create_handover(session=session, conversation_id=conversation_id, channel=channel,
                               reason="De bewoner vroeg om een medewerker.")  # fmt: skip
    session.commit()
    login(client, "sanne")
    page = client.get(f"/staff/overdrachten/{handover.id}")
    assert page.status_code == 200
    assert "Ik heb een brief van de deurwaarder." in page.text  # the conversation came from the stand-in
    return page.text


def test_a_whatsapp_resident_silent_for_25_hours_gets_the_template_notice(
    client: TestClient, accounts: Accounts, session: Session, rasa: StandInRasa
) -> None:
    page = handover_page(client, session, rasa, channel="whatsapp", conversation_id=WA_CONVERSATION,
                         hours_ago=25)  # fmt: skip
    assert NOTICE in page and "sjabloonbericht" in page
    reply_form = page.split('id="channel-window"')[1]
    assert 'id="reply"' in reply_form  # the notice comes before the reply box ...
    assert 'aria-describedby="channel-window"' in reply_form.split("</textarea>")[0]  # ... and describes it


def test_a_whatsapp_resident_who_wrote_an_hour_ago_gets_no_notice(
    client: TestClient, accounts: Accounts, session: Session, rasa: StandInRasa
) -> None:
    page = handover_page(client, session, rasa, channel="whatsapp", conversation_id=WA_CONVERSATION,
                         hours_ago=1)  # fmt: skip
    assert NOTICE not in page and "sjabloonbericht" not in page and "aria-describedby" not in page


def test_a_telegram_handover_never_gets_the_notice(
    client: TestClient, accounts: Accounts, session: Session, rasa: StandInRasa
) -> None:
    page = handover_page(client, session, rasa, channel="telegram", conversation_id="4242", hours_ago=25)
    assert NOTICE not in page and "sjabloonbericht" not in page


NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def line(sender: str, seconds_ago: float, text: str = "Hallo") -> TranscriptLine:
    return TranscriptLine(sender, text, NOW - timedelta(seconds=seconds_ago))


def test_the_window_is_the_channels_and_counts_only_what_the_resident_wrote() -> None:
    def outside(*lines: TranscriptLine, channel: str = "whatsapp") -> bool:
        return outside_whatsapp_window(channel=channel, transcript=list(lines), now=NOW)

    assert not outside(line("user", WINDOW_SECONDS - 1))
    assert outside(line("user", WINDOW_SECONDS))  # the channel's margin: 5 minutes before Meta's 24 hours
    # The newest message of the resident counts, not the bot's or a medewerker's.
    assert not outside(line("user", 30 * HOUR), line("user", HOUR), line("bot", 10))
    assert outside(line("user", 30 * HOUR), line("staff", 10), line("bot", 5))
    # A user event Rasa made itself (the hand-back's trigger_intent) is not the resident writing.
    assert outside(line("user", 30 * HOUR), line("user", 10, "EXTERNAL: EXTERNAL_handover_closed"))
    # Unknown is no notice: Rasa down (the page says so), nothing of the resident left, no time.
    assert not outside_whatsapp_window(channel="whatsapp", transcript=None, now=NOW)
    assert not outside(line("bot", 30 * HOUR))
    assert not outside(TranscriptLine("user", "Hallo", None))
    assert not outside(line("user", 30 * HOUR), channel="socketio")
