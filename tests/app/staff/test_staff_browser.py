"""The staff page against the running assistant (`make start`, real Rasa) in Debian's chromium.

A resident's conversation over Rasa's REST channel (a button press, HTML in a message), a handover through
the API, then a staff member logs in, reads the transcript (the button's title, HTML shown as text),
replies (the reply is a bot event in Rasa's tracker, named after the staff member) and closes the handover
(the conversation is resumed).
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import Browser, expect

from bot.backend.staff_web.rasa_client import staff_text
from tests.app.chromium import log_in, new_context
from tests.app.stack import Stack, read_env_file_value

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HTML_MESSAGE = "<b>vet</b> <img src=x onerror=alert(1)> hoe werkt dit?"


def _bootstrap_username() -> str:
    """The development beheerder the set-up creates (`STAFF_BOOTSTRAP_USERNAME`, default beheerder)."""
    try:
        return read_env_file_value("STAFF_BOOTSTRAP_USERNAME")
    except AssertionError:
        return "beheerder"


def _tracker(stack: Stack, conversation_id: str) -> list[dict]:
    token = stack.setting("RASA_AUTH_TOKEN")
    response = httpx.get(
        f"{stack.rasa}/conversations/{conversation_id}/tracker", params={"token": token}, timeout=30
    )
    response.raise_for_status()
    return response.json()["events"]


def test_staff_reads_the_transcript_escaped_replies_and_closes(stack: Stack, browser: Browser) -> None:
    conversation_id = f"staff-e2e-{uuid.uuid4().hex[:10]}"
    stack.say(conversation_id, "/schulden_algemeen")  # the introduction's button "Geldzorgen"
    stack.say(conversation_id, HTML_MESSAGE)
    handover_id = stack.create_handover(conversation_id, "Vraagt hoe het werkt")

    context = new_context(browser, 30_000)
    page = context.new_page()
    page.goto(f"{stack.backend}/staff/overdrachten/{handover_id}")
    log_in(page, _bootstrap_username(), read_env_file_value("STAFF_BOOTSTRAP_PASSWORD"))
    expect(page.get_by_role("heading", name=f"Overdracht {handover_id}")).to_be_visible()

    user_lines = page.locator(".transcript .line-user .text")
    expect(user_lines.first).to_have_text("Geldzorgen")  # the button's title, not its payload
    expect(page.locator(".transcript .line-user .pressed").first).to_have_text("(gekozen met een knop)")
    expect(page.locator(".transcript .line-bot .buttons").first).to_contain_text("Geldzorgen · Wonen")
    assert "/schulden_algemeen" not in page.locator(".transcript").inner_text()
    expect(user_lines.filter(has_text="hoe werkt dit?")).to_have_text(HTML_MESSAGE)
    assert page.locator(".transcript b, .transcript img").count() == 0
    assert page.locator(".transcript .line-bot").count() >= 1

    reply = "Dag, ik help je verder met je vraag."
    page.get_by_label("Je antwoord").fill(reply)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_have_text("Je antwoord is verstuurd.")
    bot_events = [e for e in _tracker(stack, conversation_id) if e.get("event") == "bot"]
    staff_events = [e for e in bot_events if (e.get("metadata") or {}).get("staff")]
    assert staff_events and staff_events[-1]["text"].endswith(reply)
    # named without the role in brackets: "Beheerder (demo)" writes as "Beheerder (wijkteam): ..."
    assert staff_events[-1]["text"] == staff_text(staff_events[-1]["metadata"]["staff"], reply)
    assert staff_events[-1]["text"].startswith("Beheerder (wijkteam): ")
    expect(page.locator(".transcript .line-staff .text").last).to_contain_text(reply)

    page.get_by_role("button", name="Afronden en teruggeven aan de assistent").click()
    expect(page.locator(".badge")).to_have_text("afgerond")
    service = {"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"}
    status = httpx.get(f"{stack.backend}/api/handovers/{handover_id}", headers=service, timeout=30).json()[
        "status"
    ]
    assert status == "afgerond"
    assert any(e.get("event") == "resume" for e in _tracker(stack, conversation_id))

    page.goto(f"{stack.backend}/staff/dashboard")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    context.close()
