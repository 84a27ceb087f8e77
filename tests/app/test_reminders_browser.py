"""The widget's booking confirmation offers the appointment for the resident's calendar (issue 24): a
spreekuur booked in the website chat in chromium, then "Zet in je agenda" downloads the .ics file.

The whole assistant runs with `make start` on free ports (tests/app/stack.py); Debian's chromium is driven
by Playwright (tests/app/chromium.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from chromium import bot_messages, new_context
from icalendar import Calendar
from playwright.sync_api import Browser, BrowserContext, Page, expect
from stack import ROOT, Stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts"
REPLY_TIMEOUT_MS = 60_000
CODE = re.compile(r"VD-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = new_context(browser, REPLY_TIMEOUT_MS)
    yield created
    created.close()


def send(page: Page, text: str) -> None:
    before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill(text)
    page.get_by_label("Typ je bericht").press("Enter")
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".vd-typing")).to_be_hidden()


def choose(page: Page, title: str | re.Pattern[str]) -> None:
    before = bot_messages(page).count()
    page.locator("button.vd-choice", has_text=title).first.click()
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".vd-typing")).to_be_hidden()


def test_the_confirmation_s_calendar_link_downloads_the_appointment(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(f"{stack.backend}/demo")
    page.get_by_role("button", name="Chat met het wijkteam").click()
    expect(bot_messages(page).first).to_contain_text("digitale assistent")

    send(page, "ik wil een afspraak maken op het spreekuur")
    times = page.locator("button.vd-choice", has_text=re.compile(r" om \d\d:\d\d"))
    expect(times.first).to_be_visible()
    choose(page, re.compile(r" om \d\d:\d\d"))
    expect(bot_messages(page).last).to_contain_text("voornaam")
    send(page, "Anna")
    expect(bot_messages(page).last).to_contain_text("bereiken")
    send(page, "0612345678")
    choose(page, "Ja, dat klopt")
    expect(bot_messages(page).filter(has_text="Je afspraak staat vast")).to_have_count(1)
    confirmation = " ".join(bot_messages(page).all_inner_texts())
    code = CODE.search(confirmation)
    assert code, confirmation

    # The confirmation's last bubble offers the calendar file as a link, not as an answer button.
    link = bot_messages(page).last.get_by_role("link", name=re.compile("Zet in je agenda"))
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert re.fullmatch(rf"{re.escape(stack.backend)}/calendar/\d+-[\w-]+\.ics", href), href
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-calendar-link.png"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "afspraak-wijkteam.ics"
    content = (download.path()).read_bytes()
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert code[0] in str(event["DESCRIPTION"]) and "Zeg dan af" in str(event["DESCRIPTION"])
    assert f"Waar: {event['LOCATION']}" in confirmation

    # A later answer with buttons replaces the old buttons, but the calendar link stays.
    send(page, "ik heb schulden")
    expect(page.locator(".vd-log").get_by_role("link", name=re.compile("Zet in je agenda"))).to_be_visible()
