"""Debian's chromium driven by Playwright, for the real-browser tests (never `playwright install`).

Shared by test_widget_browser.py, test_handover_browser.py and staff/test_staff_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Fail (never skip) when the set-up did not install Debian's chromium."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: run scripts/setup.sh as root (or apt-get install chromium)"
        )


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_context(browser: Browser, timeout_ms: float) -> BrowserContext:
    """A fresh Dutch browser profile: no session id, cookies or history from another test."""
    created = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    created.set_default_timeout(timeout_ms)
    return created


def log_in(page: Page, username: str, password: str) -> None:
    """Fill in the staff login page the browser was sent to."""
    expect(page.get_by_role("heading", name="Inloggen voor medewerkers")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def bot_messages(page: Page) -> Locator:
    """The bot's messages in the chat widget."""
    return page.locator(".vd-log .vd-msg--bot")


def user_messages(page: Page) -> Locator:
    """The resident's messages in the chat widget."""
    return page.locator(".vd-log .vd-msg--user")
