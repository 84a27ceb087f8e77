"""The whole handover path in a real browser, against the running assistant (`make start`, real Rasa).

A resident asks for a person in the widget on /demo and consents; a staff member (a second browser
context) logs in at /staff, finds the handover in the inbox, reads the transcript (HTML shown as text),
replies; the resident sees the reply, named after the staff member and marked as a person's message;
while paused the bot stays silent; the staff member closes the handover, the resident reads the closing
message and the bot answers again.
The audit log holds the staff actions. Also: the staff pages refuse a visitor without login, a medewerker
on a beheerder page and a form without CSRF token (tests/app/staff covers these over HTTP in detail).

OFFICE_HOURS is set so that the team is open at any moment the test runs. Debian's chromium, driven by
Playwright (never `playwright install`); screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from chromium import bot_messages, log_in, new_context, require_chromium
from handover_flow import REPLY_TIMEOUT_MS, STAFF_NAME, resident_says, screenshot, tracker_events, wait_until
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from stack import Stack, running_stack

from bot.backend.models import AuditEntry, StaffRole

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Open every day, all day: the handover goes to a person, whenever the test runs.
ALWAYS_OPEN = "ma-zo 00:00-24:00"
HTML_MESSAGE = "<b>vet</b><img src=x onerror=alert(1)> ik heb een vraag over mijn brief"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_chromium()
    data_dir = tmp_path_factory.mktemp("handover-data")
    with running_stack(data_dir, extra_env={"OFFICE_HOURS": ALWAYS_OPEN}) as running:
        yield running


def test_resident_to_staff_and_back_to_the_bot(
    stack: Stack, browser: Browser, make_staff: Callable[[StaffRole], tuple[str, str]], backend_db: Engine
) -> None:
    resident_context, staff_context = (
        new_context(browser, REPLY_TIMEOUT_MS),
        new_context(browser, REPLY_TIMEOUT_MS),
    )
    alerts: list[str] = []
    try:
        # --- The resident asks for a person in the widget, and consents.
        resident = resident_context.new_page()
        staff = staff_context.new_page()
        for page in (resident, staff):
            page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
        resident.goto(f"{stack.backend}/demo")
        resident.get_by_role("button", name="Chat met het wijkteam").click()
        expect(bot_messages(resident).first).to_contain_text("digitale assistent")

        bots_before = bot_messages(resident).count()
        resident_says(resident, HTML_MESSAGE)
        expect(bot_messages(resident)).not_to_have_count(bots_before)
        assert resident.locator("img").count() == 0

        resident_says(resident, "ik wil een medewerker spreken")
        consent = resident.get_by_role("button", name="Ja, graag")
        expect(consent).to_be_visible()
        expect(bot_messages(resident).last).to_contain_text("Zal ik je vraag doorgeven aan een medewerker")
        screenshot(resident, "1-consent")
        consent.click()
        # socket.io sends each paragraph as a message of its own; the danger line comes last.
        expect(bot_messages(resident).last).to_have_text("Assistent: Is er gevaar? Bel dan 112.")
        expect(bot_messages(resident).filter(has_text="Ik heb je vraag doorgegeven.")).to_have_count(1)
        expect(bot_messages(resident).filter(has_text="Je krijgt hier antwoord")).to_contain_text(
            "Tot die tijd zeg ik niets meer."
        )
        screenshot(resident, "2-handed-over")

        conversation_id = resident.evaluate("JSON.parse(localStorage.getItem('voordeur-widget:session'))")
        assert conversation_id
        service = {"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"}
        found = httpx.get(
            f"{stack.backend}/api/handovers",
            params={"conversation_id": conversation_id},
            headers=service,
            timeout=30,
        ).json()
        assert [(h["channel"], h["status"]) for h in found] == [("socketio", "open")], found
        handover_id = found[0]["id"]
        assert any(e.get("event") == "pause" for e in tracker_events(stack, conversation_id))

        # --- While paused, a normal question gets no answer from the bot (Rasa still stores it).
        paused_bots = bot_messages(resident).count()
        resident_says(resident, "ik heb schulden")

        def stored_in_rasa() -> list[dict] | None:
            events = tracker_events(stack, conversation_id)
            texts = [e.get("text") for e in events if e.get("event") == "user"]
            return events if texts.count("ik heb schulden") == 1 else None

        events = wait_until(stored_in_rasa, "the paused message in Rasa's tracker")
        last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
        assert [e for e in events[last_user:] if e.get("event") == "bot"] == []
        assert bot_messages(resident).count() == paused_bots

        # --- A medewerker logs in, finds the handover in the inbox and reads the transcript.
        username, password = make_staff(StaffRole.STAFF)
        staff.goto(f"{stack.backend}/staff")
        log_in(staff, username, password)
        expect(staff.get_by_role("heading", name="Overdrachten")).to_be_visible()
        staff.get_by_label("Kanaal").select_option("socketio")
        staff.get_by_label("Status").select_option("open")
        staff.get_by_role("button", name="Filteren").click()
        row = staff.locator(f'tr[data-handover="{handover_id}"]')
        expect(row).to_contain_text("open")
        expect(row).to_contain_text("Website-chat")
        screenshot(staff, "3-inbox")
        row.get_by_role("link").click()
        expect(staff.get_by_role("heading", name=f"Overdracht {handover_id}")).to_be_visible()

        resident_lines = staff.locator(".transcript .line-user .text")
        expect(resident_lines.filter(has_text="ik heb een vraag over mijn brief")).to_have_text(HTML_MESSAGE)
        expect(resident_lines.filter(has_text="ik wil een medewerker spreken")).to_have_count(1)
        expect(resident_lines.filter(has_text="ik heb schulden")).to_have_count(1)
        expect(staff.locator(".summary")).to_contain_text(HTML_MESSAGE)  # the story, told once
        assert staff.locator("main b, main img").count() == 0
        screenshot(staff, "4-transcript")

        # --- The reply reaches the widget, named after the person who wrote it.
        reply = "Dag, ik ben Sanne van het wijkteam. Ik help je verder met je brief."
        staff.get_by_label("Je antwoord").fill(reply)
        staff.get_by_role("button", name="Versturen").click()
        expect(staff.get_by_role("status")).to_have_text("Je antwoord is verstuurd.")
        staff_lines = staff.locator(".transcript .line-staff .text")
        expect(staff_lines.last).to_have_text(f"{STAFF_NAME} (wijkteam): {reply}")
        expect(bot_messages(resident)).to_have_count(paused_bots + 1)  # the reply, and nothing else
        from_staff = bot_messages(resident).last
        # "Medewerker: " is the screen-reader label (the widget's bot messages say "Assistent: ").
        expect(from_staff).to_have_text(f"Medewerker: {STAFF_NAME} (wijkteam): {reply}")
        expect(from_staff).to_have_class(re.compile(r"\bvd-msg--staff\b"))
        expect(resident.locator(".vd-msg--staff")).to_have_count(1)
        screenshot(resident, "5-staff-reply")

        # --- The reply box is above the conversation; the resident's answer to the person appears on the
        # staff page without a reload (staff.js), and the paused bot stays silent.
        reply_box = staff.get_by_label("Je antwoord").bounding_box()
        conversation_box = staff.locator("#transcript").bounding_box()
        assert reply_box and conversation_box and reply_box["y"] < conversation_box["y"]
        expect(staff.locator("#no-cases")).to_be_visible()  # no booking or callback in this conversation
        page_url = staff.url
        resident_says(resident, "Dank je. De brief kwam vorige week.")
        expect(resident_lines.filter(has_text="De brief kwam vorige week.")).to_have_count(1, timeout=20_000)
        expect(staff.locator("#live-status")).to_have_text("Er is 1 nieuw bericht.")
        assert staff.url == page_url
        expect(bot_messages(resident)).to_have_count(paused_bots + 1)

        # --- Closing gives the conversation back to the bot, which tells the resident.
        staff.get_by_role("button", name="Afronden en teruggeven aan de assistent").click()
        expect(staff.get_by_role("status")).to_have_text(
            "De overdracht is afgerond en het gesprek is teruggegeven aan de assistent."
        )
        expect(staff.locator(".badge")).to_have_text("afgerond")
        screenshot(staff, "6-closed")
        closing = bot_messages(resident).filter(has_text="De medewerker heeft het gesprek afgesloten.")
        expect(closing).to_contain_text("digitale assistent")
        expect(bot_messages(resident).last.locator(".vd-choice").first).to_be_visible()  # the topics
        screenshot(resident, "7-back-to-the-bot")

        bots_before = bot_messages(resident).count()
        resident_says(resident, "ik heb schulden")
        expect(bot_messages(resident)).not_to_have_count(bots_before)
        answer = bot_messages(resident).nth(bots_before)
        expect(answer).not_to_contain_text("(wijkteam):")
        events = tracker_events(stack, conversation_id)
        assert any(e.get("event") == "resume" for e in events)
        last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
        assert any(e.get("event") == "bot" for e in events[last_user:])
        screenshot(resident, "8-bot-answers-again")
        assert alerts == []

        # --- The audit log: who did what, without the message texts.
        with Session(backend_db) as session:
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.actor == f"staff:{username}").order_by(AuditEntry.id)
            ).all()
        actions = [entry.action for entry in entries]
        expected = ("staff.login", "handover.view", "handover.reply", "handover.status", "handover.hand_back")
        assert set(expected) <= set(actions), actions
        assert actions.index("handover.reply") < actions.index("handover.hand_back")
        handover_entries = [entry for entry in entries if entry.entity == "handover"]
        assert {entry.entity_id for entry in handover_entries} == {str(handover_id)}
        assert all(reply not in str(entry.details) for entry in entries)
        assert all("brief" not in str(entry.details) for entry in entries)
    finally:
        resident_context.close()
        staff_context.close()


def test_staff_pages_refuse_no_login_the_wrong_role_and_a_form_without_csrf_token(
    stack: Stack, browser: Browser, make_staff: Callable[[StaffRole], tuple[str, str]]
) -> None:
    handover_id = stack.create_handover(f"refusals-{uuid.uuid4().hex[:10]}", "Geheime samenvatting")
    handover_url = f"{stack.backend}/staff/overdrachten/{handover_id}"

    context = new_context(browser, REPLY_TIMEOUT_MS)
    try:
        page = context.new_page()
        # Without login: a page sends you to the login page, a form post is refused.
        page.goto(handover_url)
        assert "/staff/login" in page.url
        expect(page.get_by_role("heading", name="Inloggen voor medewerkers")).to_be_visible()
        expect(page.get_by_text("Geheime samenvatting")).to_have_count(0)
        refused = context.request.post(f"{handover_url}/notitie", form={"tekst": "zonder login"})
        assert refused.status == 401

        # A medewerker on a beheerder page: 403, in Dutch.
        username, password = make_staff(StaffRole.STAFF)
        log_in(page, username, password)
        expect(page.get_by_role("heading", name=f"Overdracht {handover_id}")).to_be_visible()
        response = page.goto(f"{stack.backend}/staff/beheer/medewerkers")
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Geen toegang")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_text("Deze pagina is alleen voor beheerders.")
        screenshot(page, "9-wrong-role")

        # A form without its CSRF token: 403, and the note is not saved.
        page.goto(handover_url)
        note_form = page.locator('form[action$="/notitie"]')
        note_form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
        page.get_by_label("Nieuwe notitie").fill("zonder token")
        with page.expect_response(lambda r: r.url.endswith("/notitie")) as posted:
            note_form.get_by_role("button", name="Notitie opslaan").click()
        assert posted.value.status == 403
        expect(page.get_by_role("heading", name="Formulier niet geaccepteerd")).to_be_visible()
        screenshot(page, "10-no-csrf-token")
        page.goto(handover_url)
        expect(page.get_by_text("Nog geen notities.")).to_be_visible()
        expect(page.get_by_text("zonder token")).to_have_count(0)
    finally:
        context.close()
