"""What both handover browser tests share: Rasa's tracker, waiting, screenshots and typing in the widget
(tests/app/test_handover_browser.py and tests/app/test_handover_after_hours_browser.py). Their fixtures
`backend_db` and `make_staff` are in tests/app/conftest.py; each module provides its own `stack`."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from chromium import user_messages
from playwright.sync_api import Page, expect
from stack import ROOT, Stack

ARTIFACTS = ROOT / "test-artifacts"
REPLY_TIMEOUT_MS = 60_000
STAFF_NAME = "Sanne"


def tracker_events(stack: Stack, conversation_id: str) -> list[dict]:
    response = httpx.get(
        f"{stack.rasa}/conversations/{conversation_id}/tracker",
        params={"token": stack.setting("RASA_AUTH_TOKEN")},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["events"]


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"handover-{name}.png"), full_page=True)


def resident_says(page: Page, text: str) -> None:
    page.get_by_label("Typ je bericht").fill(text)
    page.get_by_label("Typ je bericht").press("Enter")
    expect(user_messages(page).last).to_have_text(f"Jij: {text}")
