"""One conversation across channels in the widget (issue 24), in Debian's chromium against `make start`:

- "Verder op Telegram" shows a t.me deep link with a one-time code; redeeming that code (as Telegram's
  `/start <code>` does, tests/rasa/test_linking_server.py) links the widget's conversation and carries
  its municipality on;
- a code made on Telegram ("verder op de website") typed in the widget links the two and the bot says we
  go on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from chromium import bot_messages, new_context, require_chromium, user_messages
from playwright.sync_api import Browser, BrowserContext, Page, expect
from stack import ROOT, Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "test-artifacts"
REPLY_TIMEOUT_MS = 60_000
BOT = "voordeur_test_bot"
LINKED = "Fijn, we gaan hier verder."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_chromium()
    extra = {"TELEGRAM_BOT_USERNAME": BOT}
    with running_stack(tmp_path_factory.mktemp("linking-data"), extra_env=extra) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = new_context(browser, REPLY_TIMEOUT_MS)
    yield created
    created.close()


def api(stack: Stack, path: str, body: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{stack.backend}/api{path}",
        headers={"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"},
        json=body,
        timeout=30,
    )


def open_widget(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.backend}/demo")
    page.get_by_role("button", name="Chat met het wijkteam").click()
    expect(bot_messages(page).first).to_contain_text("digitale assistent")


def session_id(page: Page) -> str:
    return str(page.evaluate("JSON.parse(localStorage.getItem('voordeur-widget:session'))"))


def test_verder_op_telegram_shows_a_deep_link_that_links_the_conversation(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    open_widget(page, stack)
    bots_before = bot_messages(page).count()
    page.get_by_role("button", name="Verder op Telegram").click()
    expect(user_messages(page).last).to_have_text("Jij: Verder op Telegram")
    expect(bot_messages(page)).not_to_have_count(bots_before)
    link = page.locator(f".vd-log a[href^='https://t.me/{BOT}?start=']")
    expect(link).to_have_count(1)
    expect(bot_messages(page).last).to_contain_text("15 minuten")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-verder-op-telegram.png"))
    href = link.get_attribute("href") or ""
    code = re.fullmatch(rf"https://t\.me/{BOT}\?start=([A-Z0-9]{{6}})", href)
    assert code, href

    # What Telegram's /start <code> does: redeem it for the Telegram chat.
    redeemed = api(stack, "/link-codes/redeem", {"code": code.group(1), "conversation_id": "880001",
                                                  "channel": "telegram", "slots": ["gemeente"]})  # fmt: skip
    assert redeemed.status_code == 200, redeemed.text
    body = redeemed.json()
    assert body["linked_conversation_id"] == session_id(page) and body["linked_channel"] == "socketio"
    assert body["slots"]["gemeente"] == "voorbeeldstad"  # the demo page's municipality goes on
    used = api(stack, "/link-codes/redeem", {"code": code.group(1), "conversation_id": "880002",
                                             "channel": "telegram"})  # fmt: skip
    assert used.status_code == 409


def test_a_code_from_telegram_typed_in_the_widget_links_the_two(
    stack: Stack, context: BrowserContext
) -> None:
    made = api(stack, "/link-codes", {"conversation_id": "880010", "channel": "telegram"})
    assert made.status_code == 201, made.text
    page = context.new_page()
    open_widget(page, stack)
    bots_before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill(made.json()["shown"].lower())
    page.get_by_label("Typ je bericht").press("Enter")
    expect(bot_messages(page)).not_to_have_count(bots_before)
    expect(bot_messages(page).last).to_contain_text(LINKED)
    # Linked: a new code of the Telegram chat and one of the widget's conversation are one resident now.
    forgotten = httpx.post(
        f"{stack.backend}/api/keep-in-touch/forget",
        json={"conversation_id": session_id(page)},
        headers={"Authorization": f"Bearer {stack.setting('BACKEND_SERVICE_TOKEN')}"},
        timeout=30,
    )
    assert forgotten.json()["links"] == 2
