"""Real-browser test of the website chat widget against the running assistant (`make start`).

Debian's chromium (`apt-get install chromium`, in the set-up's SYSTEM_PACKAGES) driven by Playwright;
never `playwright install`. The widget talks to the real Rasa server over socket.io; axe-core comes
from `node_modules` (npm ci). Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from chromium import bot_messages, new_context, require_chromium, user_messages
from playwright.sync_api import Browser, BrowserContext, Page, expect
from stack import ROOT, Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
REPLY_TIMEOUT_MS = 60_000
OFFLINE_TEXT = "De assistent is nu niet bereikbaar. We proberen het opnieuw..."


class EmbeddingSites:
    """Two municipality websites on other origins than the backend: one allowed, one not."""

    def __init__(self) -> None:
        self.page = ""  # the HTML every site serves, set once the stack's addresses are known
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                body = site.page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(2)]
        addresses = [f"http://127.0.0.1:{server.server_address[1]}" for server in self.servers]
        self.allowed, self.refused = addresses
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def sites() -> Iterator[EmbeddingSites]:
    running = EmbeddingSites()
    yield running
    running.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, sites: EmbeddingSites) -> Iterator[Stack]:
    require_chromium()
    if not AXE.exists():
        pytest.fail("node_modules is missing: run scripts/setup.sh (npm ci)")
    # The allowed site is added to RASA_CORS_ORIGINS written with quotes, as docs/widget.md shows it.
    with running_stack(tmp_path_factory.mktemp("widget-data"), more_origins=(sites.allowed,)) as running:
        sites.page = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Gemeente Elders</title>'
            "</head><body><main><h1>Gemeente Elders</h1></main>"
            f'<script src="{running.backend}/widget/widget.js" data-rasa-url="{running.rasa}" defer></script>'
            "</body></html>"
        )
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: no session id or history from another test."""
    created = new_context(browser, REPLY_TIMEOUT_MS)
    yield created
    created.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document);
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                             nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")


def stored(page: Page, name: str) -> object:
    """What the widget keeps in localStorage under `name` (JSON), or None."""
    return page.evaluate("name => JSON.parse(localStorage.getItem('voordeur-widget:' + name))", name)


def test_demo_page_embeds_the_widget_with_one_script_tag(stack: Stack) -> None:
    page = httpx.get(f"{stack.backend}/demo", timeout=10)
    assert page.status_code == 200
    assert "gemeente Voorbeeldstad" in page.text and '<html lang="nl">' in page.text
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts == [
        f'<script src="/widget/widget.js" data-rasa-url="{stack.rasa}" data-gemeente="voorbeeldstad" defer>'
    ]
    for name, kind in [
        ("widget.js", "javascript"),
        ("widget.css", "css"),
        ("socket.io.min.js", "javascript"),
    ]:
        response = httpx.get(f"{stack.backend}/widget/{name}", timeout=10)
        assert response.status_code == 200 and kind in response.headers["content-type"]
    assert httpx.get(f"{stack.backend}/widget/../settings.py", timeout=10).status_code == 404
    assert "cdn" not in httpx.get(f"{stack.backend}/widget/widget.js", timeout=10).text.lower().replace(
        "never a cdn", ""
    )


def test_a_conversation_survives_a_reload_renders_html_as_text_and_passes_axe(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{stack.backend}/demo")

    launcher = page.get_by_role("button", name="Chat met het wijkteam")
    launcher.click()
    dialog = page.get_by_role("dialog", name="Chat met het wijkteam")
    expect(dialog).to_be_visible()
    expect(page.get_by_label("Typ je bericht")).to_be_focused()
    expect(page.locator(".vd-launcher")).to_have_text("Sluit chat")  # the open chat's launcher closes it

    # Welcome: the introduction of the session start, with the topic buttons; it opens at its first
    # bubble (the "computer, not a person" disclosure), not scrolled to its end.
    expect(bot_messages(page).first).to_contain_text("digitale assistent")
    expect(dialog.get_by_role("button", name="Geldzorgen")).to_be_visible()
    expect(user_messages(page)).to_have_count(0)  # the /greet that started it is not shown
    expect(bot_messages(page).first).to_be_in_viewport()
    screenshot(page, "1-welcome")

    # A topic question, typed and sent with Enter.
    bots_before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill("ik heb schulden")
    page.get_by_label("Typ je bericht").press("Enter")
    expect(user_messages(page).last).to_have_text("Jij: ik heb schulden")
    expect(bot_messages(page)).not_to_have_count(bots_before)
    expect(page.locator(".vd-typing")).to_be_hidden()
    expect(page.locator(".vd-choice").first).to_be_visible()
    screenshot(page, "2-topic")

    # A quick reply chosen with the keyboard: its title is shown as the resident's message, the bot
    # answers, and focus goes to the input (the pressed button is gone), not to <body>.
    choice = page.locator(".vd-choice").first
    title = choice.inner_text()
    bots_before = bot_messages(page).count()
    choice.focus()
    page.keyboard.press("Enter")
    expect(user_messages(page).last).to_have_text(f"Jij: {title}")
    expect(bot_messages(page)).not_to_have_count(bots_before)
    expect(page.get_by_label("Typ je bericht")).to_be_focused()
    # The answer's first bubble is in view, even when the whole answer is taller than the log.
    expect(bot_messages(page).nth(bots_before)).to_be_in_viewport()
    screenshot(page, "3-button")

    # Reload: the same messages come back, the chat stays open and keeps its session.
    history = page.locator(".vd-log .vd-msg").all_inner_texts()
    session_id = stored(page, "session")
    assert session_id and stored(page, f"history:{session_id}")
    page.reload()
    expect(page.get_by_role("dialog", name="Chat met het wijkteam")).to_be_visible()
    expect(page.locator(".vd-log .vd-msg")).to_have_count(len(history))
    assert page.locator(".vd-log .vd-msg").all_inner_texts() == history
    assert stored(page, "session") == session_id
    screenshot(page, "4-after-reload")

    # HTML is shown as text, never run.
    html = "<img src=x onerror=alert(1)>"
    bots_before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill(html)
    page.get_by_role("button", name="Versturen").click()
    expect(user_messages(page).last).to_have_text(f"Jij: {html}")
    expect(bot_messages(page)).not_to_have_count(bots_before)  # the conversation still continues
    assert page.locator(".vd-log img").count() == 0
    assert page.locator("img").count() == 0
    assert alerts == []
    screenshot(page, "5-html-as-text")

    assert axe_violations(page) == []

    # "Gesprek wissen" asks first and says a booking stays; "Nee" keeps everything.
    page.get_by_role("button", name="Gesprek wissen").click()
    question = page.locator(".vd-confirm")
    expect(question).to_contain_text("Een afspraak die je hebt gemaakt blijft staan")
    expect(page.get_by_role("button", name="Nee, terug")).to_be_focused()
    page.get_by_role("button", name="Nee, terug").click()
    expect(question).to_be_hidden()
    expect(page.locator(".vd-log .vd-msg")).not_to_have_count(0)
    assert stored(page, "session") == session_id
    assert axe_violations(page) == []
    # "Ja, wissen": empty log, a new session id, and a new welcome.
    page.get_by_role("button", name="Gesprek wissen").click()
    page.get_by_role("button", name="Ja, wissen").click()
    expect(bot_messages(page).first).to_contain_text("digitale assistent")
    expect(user_messages(page)).to_have_count(0)
    assert stored(page, "session") not in (None, session_id)
    assert stored(page, f"history:{session_id}") is None
    assert alerts == []


def test_links_in_bot_text_are_links_and_everything_else_stays_text(
    stack: Stack, context: BrowserContext
) -> None:
    """Messages come back from the stored history through the same rendering as live ones."""
    page = context.new_page()
    page.goto(f"{stack.backend}/demo")
    history = [
        {
            "from": "bot",
            "text": "Kijk op www.voorbeeldstad.nl/wijkteam of https://example.org/hulp?a=1. <b>vet</b>",
        },
        {"from": "user", "text": "https://example.org <i>schuin</i>"},
    ]
    page.evaluate(
        """history => {
        localStorage.setItem('voordeur-widget:session', JSON.stringify('links-test'));
        localStorage.setItem('voordeur-widget:greeted:links-test', 'true');
        localStorage.setItem('voordeur-widget:history:links-test', JSON.stringify(history));
    }""",
        history,
    )
    page.reload()
    page.get_by_role("button", name="Chat met het wijkteam").click()
    bot = bot_messages(page).first
    links = bot.get_by_role("link")
    expect(links).to_have_count(2)
    assert [link.get_attribute("href") for link in links.all()] == [
        "https://www.voorbeeldstad.nl/wijkteam",
        "https://example.org/hulp?a=1",
    ]
    for link in links.all():
        assert link.get_attribute("target") == "_blank" and "noopener" in (link.get_attribute("rel") or "")
    # The full stop after the address is not part of the link; the <b> stays text.
    expect(bot).to_contain_text(" (opent in een nieuw venster). <b>vet</b>")
    assert page.locator(".vd-log b, .vd-log i").count() == 0
    expect(user_messages(page).first).to_contain_text("https://example.org <i>schuin</i>")
    assert user_messages(page).first.get_by_role("link").count() == 0  # a resident's own text is never a link


def test_keyboard_only_open_send_and_close(stack: Stack, context: BrowserContext) -> None:
    page = context.new_page()
    page.goto(f"{stack.backend}/demo")
    launcher = page.get_by_role("button", name="Chat met het wijkteam")
    for _ in range(10):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el === document.activeElement"):
            break
    expect(launcher).to_be_focused()
    outline = launcher.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline  # a visible focus outline

    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Chat met het wijkteam")
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="Sluit chat")).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Typ je bericht")).to_be_focused()
    expect(dialog.get_by_role("log")).to_have_attribute("aria-live", "polite")
    expect(bot_messages(page).first).to_contain_text("digitale assistent")

    page.keyboard.type("hallo")
    page.keyboard.press("Enter")
    expect(user_messages(page).last).to_have_text("Jij: hallo")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Versturen")).to_be_focused()
    screenshot(page, "6-keyboard")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")  # the launcher still has focus: open again, then close with its button
    expect(page.get_by_label("Typ je bericht")).to_be_focused()
    page.get_by_role("button", name="Sluiten").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()


def test_at_200_percent_zoom_nothing_is_cut_off(stack: Stack, browser: Browser) -> None:
    """200% zoom of a 1280x720 window is a 640x360 CSS-pixel viewport at twice the pixel density."""
    context = browser.new_context(
        viewport={"width": 640, "height": 360}, device_scale_factor=2, locale="nl-NL"
    )
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{stack.backend}/demo")
        page.get_by_role("button", name="Chat met het wijkteam").click()
        expect(bot_messages(page).first).to_contain_text("digitale assistent")
        for name in ("Sluiten", "Gesprek wissen", "Versturen"):
            expect(page.get_by_role("button", name=name)).to_be_in_viewport(ratio=1)
        expect(bot_messages(page).first).to_be_in_viewport()  # the introduction opens at its start
        expect(page.get_by_label("Typ je bericht")).to_be_in_viewport(ratio=1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        log_box = page.get_by_role("log").bounding_box()
        assert log_box is not None and log_box["height"] >= 60  # messages stay readable (scrollable)
        screenshot(page, "7-zoom-200")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_unreachable_assistant_is_told_and_the_widget_reconnects(
    stack: Stack, context: BrowserContext
) -> None:
    page = context.new_page()
    page.route("**/socket.io/**", lambda route: route.abort())  # Rasa "down": every handshake fails
    page.goto(f"{stack.backend}/demo")
    page.get_by_role("button", name="Chat met het wijkteam").click()
    status = page.get_by_role("status").filter(has_text=OFFLINE_TEXT)
    expect(status).to_be_visible()
    screenshot(page, "8-offline")

    page.unroute("**/socket.io/**")  # Rasa is back: socket.io's own reconnection brings the welcome
    expect(page.get_by_text(OFFLINE_TEXT)).to_have_count(0)
    expect(bot_messages(page).first).to_contain_text("digitale assistent")


def test_on_a_phone_the_header_is_one_row_and_the_chat_fills_the_screen(
    stack: Stack, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, locale="nl-NL")
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{stack.backend}/demo")
        page.get_by_role("button", name="Chat met het wijkteam").click()
        expect(bot_messages(page).first).to_contain_text("digitale assistent")
        buttons = ("Gesprek wissen", "Sluiten")
        boxes = [page.get_by_role("button", name=name).bounding_box() for name in buttons]
        assert all(box is not None for box in boxes)
        assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2  # one row
        for box in boxes:
            assert box["height"] < 48  # "Sluiten" does not wrap onto a second line
        header = page.locator(".vd-header").bounding_box()
        assert header is not None and header["height"] < 70
        expect(page.locator(".vd-launcher")).to_be_hidden()  # the full-screen chat has its own close button
        screenshot(page, "9-phone")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_embedded_on_an_allowed_origin_it_chats_and_a_refused_origin_is_told_and_logged(
    stack: Stack, context: BrowserContext, sites: EmbeddingSites
) -> None:
    page = context.new_page()
    page.goto(sites.allowed)
    page.get_by_role("button", name="Chat met het wijkteam").click()
    expect(bot_messages(page).first).to_contain_text("digitale assistent")
    bots_before = bot_messages(page).count()
    page.get_by_label("Typ je bericht").fill("ik heb schulden")
    page.get_by_label("Typ je bericht").press("Enter")
    expect(bot_messages(page)).not_to_have_count(bots_before)
    screenshot(page, "10-other-origin")

    refused = context.new_page()
    warnings: list[str] = []
    refused.on("console", lambda note: warnings.append(note.text) if note.type == "warning" else None)
    refused.goto(sites.refused)
    refused.get_by_role("button", name="Chat met het wijkteam").click()
    expect(refused.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_visible()
    expect(refused.locator(".vd-typing")).to_be_hidden()  # no typing indicator forever
    expect(bot_messages(refused)).to_have_count(0)
    refused.wait_for_timeout(500)
    assert any("RASA_CORS_ORIGINS" in text and sites.refused in text for text in warnings), warnings
    rasa_log = (stack.log_dir / "rasa.log").read_text(errors="replace")
    assert f"refused a connection from origin '{sites.refused}'" in rasa_log
    assert f"refused a connection from origin '{sites.allowed}'" not in rasa_log
