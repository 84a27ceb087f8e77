"""Real-browser test of the two demo municipalities (issue 23) against the running assistant (`make start`).

`/demo` is Voorbeeldstad's page and `/demo/heideveen` Heideveen's: the same widget, each script tag with
its own `data-gemeente`. A resident on each page reads their own municipality's phone number without
being asked where they live, and is offered their own municipality's spreekuren.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from chromium import bot_messages, new_context
from playwright.sync_api import Browser, BrowserContext, Page, expect
from stack import ROOT, Stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPLY_TIMEOUT_MS = 60_000
ARTIFACTS = ROOT / "test-artifacts"
PHONES = {"voorbeeldstad": "0123-456 789", "heideveen": "0987-654 321"}  # content/local*.yml
#: The seeded demo locations (bot/backend/services/seed.py) per municipality.
LOCATIONS = {
    "voorbeeldstad": ("De Voorbeeldhoek", "Het Fictieve Plein", "De Proefboom"),
    "heideveen": ("De Heidebloem", "Steunpunt Oud-Heide"),
}
#: A question whose answer names the wijkteam's phone number (content/answers/schulden.yml).
PHONE_QUESTION = "/schulden_schuldhulp_gemeente"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = new_context(browser, REPLY_TIMEOUT_MS)
    yield created
    created.close()


def ask(page: Page, text: str) -> None:
    before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill(text)
    page.get_by_label("Typ je bericht").press("Enter")
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".vd-typing")).to_be_hidden()


def test_each_demo_page_names_its_municipality_and_an_unknown_one_is_not_found(stack: Stack) -> None:
    for path, slug in (("/demo", "voorbeeldstad"), ("/demo/heideveen", "heideveen")):
        page = httpx.get(f"{stack.backend}{path}", timeout=10)
        assert page.status_code == 200
        assert f'data-gemeente="{slug}"' in page.text and PHONES[slug] in page.text
    assert httpx.get(f"{stack.backend}/demo/nergensdorp", timeout=10).status_code == 404
    assert httpx.get(f"{stack.backend}/demo/..%2Fsettings", timeout=10).status_code == 404


@pytest.mark.parametrize(("path", "slug"), [("/demo/heideveen", "heideveen"), ("/demo", "voorbeeldstad")])
def test_the_widget_on_a_municipalitys_page_gives_that_municipalitys_facts(
    stack: Stack, context: BrowserContext, path: str, slug: str
) -> None:
    other = next(key for key in PHONES if key != slug)
    page = context.new_page()
    page.goto(f"{stack.backend}{path}")
    page.get_by_role("button", name="Chat met het wijkteam").click()
    expect(bot_messages(page).first).to_contain_text("digitale assistent")

    ask(page, PHONE_QUESTION)
    expect(bot_messages(page).last).to_contain_text("Heeft dit geholpen?")  # follows the answer (issue 23)
    log = page.locator(".vd-log")
    expect(log).to_contain_text(PHONES[slug])
    expect(log).not_to_contain_text(PHONES[other])
    expect(page.locator(".vd-log")).not_to_contain_text("In welke gemeente woon je?")

    ask(page, "/book_spreekuur")
    times = page.locator(".vd-choice").filter(has_text=re.compile(r" om \d\d:\d\d "))
    expect(times.first).to_be_visible()
    titles = times.all_inner_texts()
    assert titles and all(any(name in title for name in LOCATIONS[slug]) for title in titles), titles
    assert not any(name in title for title in titles for name in LOCATIONS[other]), titles
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-municipality-{slug}.png"))
