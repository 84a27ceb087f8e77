"""A person in the conversation pauses the bot, also outside office hours (issue 21), in a real browser.

The team is never open here (`OFFICE_HOURS` empty), so the handover does not pause the bot: the resident
reads the callback offer and the bot goes on answering. A medewerker takes the handover anyway: from then
on the bot is paused. The resident reads that a person has the conversation, then the reply; the
resident's answer to the medewerker gets no reply from the bot, while a crisis message still gets the
crisis reply at once; closing gives the conversation back to the bot. Against the running assistant
(`make start`, real Rasa); Debian's chromium through Playwright; screenshots in `test-artifacts/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from chromium import bot_messages, log_in, new_context, require_chromium
from handover_flow import REPLY_TIMEOUT_MS, STAFF_NAME, resident_says, screenshot, tracker_events, wait_until
from playwright.sync_api import Browser, expect
from stack import Stack, running_stack

from bot.backend.models import StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Never open: every handover gets the callback offer and leaves the bot talking.
NEVER_OPEN = ""
WAIT = REPLY_TIMEOUT_MS  # a bot reply on a busy machine
TAKEN = f"{STAFF_NAME} (wijkteam): Ik heb het gesprek overgenomen. Ik schrijf hier zo een antwoord."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_chromium()
    data_dir = tmp_path_factory.mktemp("after-hours-data")
    with running_stack(data_dir, extra_env={"OFFICE_HOURS": NEVER_OPEN}) as running:
        yield running


def bot_events_after(stack: Stack, conversation_id: str, text: str) -> list[dict] | None:
    """The bot events after the resident's message `text`, once Rasa has stored that message (Rasa stores
    a turn's bot events together with the message, so an empty list means the bot said nothing)."""
    events = tracker_events(stack, conversation_id)
    users = [i for i, event in enumerate(events) if (event.get("event"), event.get("text")) == ("user", text)]
    if not users:
        return None
    return [event for event in events[users[-1] :] if event.get("event") == "bot"]


def test_taking_a_handover_after_hours_pauses_the_bot_until_it_is_given_back(
    stack: Stack, browser: Browser, make_staff: Callable[[StaffRole], tuple[str, str]]
) -> None:
    resident_context, staff_context = (
        new_context(browser, REPLY_TIMEOUT_MS),
        new_context(browser, REPLY_TIMEOUT_MS),
    )
    try:
        resident, staff = resident_context.new_page(), staff_context.new_page()
        resident.goto(f"{stack.backend}/demo")
        resident.get_by_role("button", name="Chat met het wijkteam").click()
        expect(bot_messages(resident).first).to_contain_text("digitale assistent", timeout=WAIT)
        resident_says(resident, "ik wil een medewerker spreken")
        resident.get_by_role("button", name="Ja, graag").click()
        handed_over = bot_messages(resident).filter(has_text="Ik heb je vraag doorgegeven")
        expect(handed_over).to_have_count(1, timeout=WAIT)
        conversation_id = resident.evaluate("JSON.parse(localStorage.getItem('voordeur-widget:session'))")
        assert not any(event.get("event") == "pause" for event in tracker_events(stack, conversation_id))
        service = {"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"}
        found = httpx.get(f"{stack.backend}/api/handovers", params={"conversation_id": conversation_id},
                          headers=service, timeout=30).json()  # fmt: skip
        handover_id = found[0]["id"]
        screenshot(resident, "after-hours-1-callback-offer")

        # --- A medewerker takes the handover: the bot pauses and the resident reads that a person has it.
        username, password = make_staff(StaffRole.STAFF)
        staff.goto(f"{stack.backend}/staff")
        log_in(staff, username, password)
        staff.goto(f"{stack.backend}/staff/overdrachten/{handover_id}")
        staff.get_by_role("button", name="Oppakken").click()
        expect(staff.get_by_role("status")).to_contain_text("Je hebt deze overdracht opgepakt.", timeout=WAIT)
        expect(bot_messages(resident).last).to_have_text(f"Medewerker: {TAKEN}", timeout=WAIT)
        assert any(event.get("event") == "pause" for event in tracker_events(stack, conversation_id))

        reply = "Goedemiddag, waar gaat je vraag over?"
        staff.get_by_label("Je antwoord").fill(reply)
        staff.get_by_role("button", name="Versturen").click()
        expect(staff.get_by_role("status")).to_have_text("Je antwoord is verstuurd.", timeout=WAIT)
        expect(bot_messages(resident).last).to_have_text(
            f"Medewerker: {STAFF_NAME} (wijkteam): {reply}", timeout=WAIT
        )
        screenshot(resident, "after-hours-2-staff-reply")

        # --- The resident answers the medewerker: the bot does not talk over the person.
        shown = bot_messages(resident).count()
        answer = "Het gaat over een brief van de deurwaarder, dankjewel"
        resident_says(resident, answer)
        wait_until(
            lambda: bot_events_after(stack, conversation_id, answer) is not None,
            "the resident's answer in Rasa's tracker",
        )
        assert bot_events_after(stack, conversation_id, answer) == []
        assert bot_messages(resident).count() == shown

        # --- A crisis message still gets the crisis reply at once.
        resident_says(resident, "ik wil niet meer leven")
        expect(bot_messages(resident).filter(has_text="113")).not_to_have_count(0, timeout=WAIT)
        screenshot(resident, "after-hours-3-paused-crisis")

        # --- Closing gives the conversation back to the bot.
        staff.get_by_role("button", name="Afronden en teruggeven aan de assistent").click()
        expect(staff.get_by_role("status")).to_have_text(
            "De overdracht is afgerond en het gesprek is teruggegeven aan de assistent.", timeout=WAIT
        )
        closing = bot_messages(resident).filter(has_text="De medewerker heeft het gesprek afgesloten.")
        expect(closing).to_have_count(1, timeout=WAIT)
        before = bot_messages(resident).count()
        resident_says(resident, "ik heb schulden")
        expect(bot_messages(resident)).not_to_have_count(before, timeout=WAIT)
        expect(bot_messages(resident).nth(before)).not_to_contain_text("(wijkteam):")
    finally:
        resident_context.close()
        staff_context.close()
