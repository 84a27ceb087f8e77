"""Real-browser test of the review page (issue 23) against the running assistant (`make start`).

A resident answers "Nee" to "Heeft dit geholpen?" over the assistant's REST channel and types what was
missing; another resident's message ends in a fallback. In chromium a beheerder makes a redacteur
account; the redacteur sees the answer's feedback and the remark on Redactie, adds the fallback message
as an example of "Ik wil iemand van het wijkteam spreken", and `make review-export` writes it as Rasa
NLU YAML.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from chromium import log_in, new_context
from playwright.sync_api import Browser, expect
from stack import ROOT, Stack, read_env_file_value

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ANSWER = "schulden_aanmaning"
REMARK = "de uitleg was te lang voor mij"
MISSED = "qwertyuiop zxcvbnm asdfgh"  # no words: the fallback (as in tests/rasa/test_feedback_server.py)
EDITOR_PASSWORD = "redactie-wachtwoord-2026"


def button(replies: list[dict], title: str) -> str:
    return next(b["payload"] for reply in replies for b in reply.get("buttons") or [] if b["title"] == title)


def bootstrap_username() -> str:
    try:
        return read_env_file_value("STAFF_BOOTSTRAP_USERNAME")
    except AssertionError:
        return "beheerder"


def test_feedback_and_a_missed_message_reach_the_review_page_and_the_export(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    resident = f"review-{uuid.uuid4().hex[:8]}"
    stack.say(resident, "/greet")
    answer = stack.say(resident, f"/{ANSWER}")
    assert any("Heeft dit geholpen?" in str(reply.get("text")) for reply in answer)
    nee = button(answer, "Nee")
    assert json.loads(nee.removeprefix("/feedback_no")) == {"answer_id": ANSWER}
    asked = stack.say(resident, nee)
    assert any("Wat miste je?" in str(reply.get("text")) for reply in asked)
    thanks = stack.say(resident, REMARK)
    assert any("Dank je wel" in str(reply.get("text")) for reply in thanks)
    other = f"review-miss-{uuid.uuid4().hex[:8]}"
    stack.say(other, "/greet")
    stack.say(other, MISSED)

    context = new_context(browser, 30_000)
    page = context.new_page()
    page.goto(f"{stack.backend}/staff/beheer/medewerkers")
    log_in(page, bootstrap_username(), read_env_file_value("STAFF_BOOTSTRAP_PASSWORD"))
    page.get_by_label("Gebruikersnaam").fill("redacteur-test")
    page.get_by_label("Naam (ziet de inwoner bij een antwoord)").fill("Rita Redactie")
    page.locator("#new-role").select_option("redacteur")
    page.locator("form:has(#new-role) input[name=gemeente][value=voorbeeldstad]").check()
    page.get_by_label("Wachtwoord (minstens 12 tekens)").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_text("Het account is aangemaakt.")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()

    page.goto(f"{stack.backend}/staff/")
    log_in(page, "redacteur-test", EDITOR_PASSWORD)
    expect(
        page.get_by_role("heading", name="Redactie: wat bewoners van de antwoorden vinden")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Overdrachten")).to_have_count(0)  # no cases for a redacteur
    row = page.locator(f'tr[data-answer="{ANSWER}"]')
    expect(row.locator(".shown")).to_have_text("1")
    expect(row.locator(".no")).to_have_text("1")
    expect(row.locator(".share")).to_have_text("0%")
    expect(page.locator("#remarks")).to_contain_text(REMARK)

    message = page.locator("li[data-message]", has_text=MISSED)
    expect(message).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-page.png"), full_page=True)
    message.get_by_label("Voeg toe als voorbeeld bij vraag").select_option(
        label="Ik wil iemand van het wijkteam spreken"
    )
    message.get_by_role("button", name="Voeg toe").click()
    expect(page.get_by_role("status")).to_contain_text("Het bericht staat in de wachtrij")
    expect(page.locator("li[data-message]", has_text=MISSED)).to_have_count(0)
    context.close()

    out = tmp_path / "reviewed.yml"
    subprocess.run(["make", "review-export", f"OUT={out}"], cwd=ROOT, env=stack.env, check=True, timeout=120)
    written = yaml.safe_load(out.read_text())
    assert {"intent": "request_human", "examples": f"- {MISSED}\n"} in written["nlu"]
