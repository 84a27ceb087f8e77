"""Scoped staff in Debian's chromium (issue 23): a medewerker of Voorbeeldstad sees only Voorbeeldstad's
handover in the inbox, and opening Heideveen's handover by its address shows the "bestaat niet" page;
Heideveen's medewerker sees and opens it, with the municipality's name on the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker
from staff_helpers import PASSWORD

from bot.backend.app import create_app
from bot.backend.db import make_session_factory
from bot.backend.services.handovers import create_handover
from bot.backend.services.municipalities import get_or_create
from bot.backend.services.staff import create_staff_user
from tests.app.backend_helpers import Database, make_settings, running_app
from tests.app.chromium import launched_chromium, log_in, new_context, require_chromium
from tests.ports import free_port

pytestmark = [pytest.mark.browser]


@pytest.fixture
def scoped_server(
    fresh_database: Database, tmp_path: Path, closed_rasa_url: str
) -> Iterator[tuple[str, int]]:
    settings = make_settings(tmp_path, fresh_database.url, rasa_url=closed_rasa_url,
                             staff_session_secret="staff-session-secret-for-tests-0123456789")  # fmt: skip
    factory: sessionmaker[Session] = make_session_factory(fresh_database.engine)
    with factory.begin() as db:
        get_or_create(session=db, slug="heideveen", name="Heideveen")
        for slug, word in (("voorbeeldstad", "Antonzaak"), ("heideveen", "Heidezaak")):
            create_staff_user(session=db, username=f"mw-{slug}", display_name=slug.title(), password=PASSWORD,
                              municipalities=[slug])  # fmt: skip
            handover = create_handover(session=db, conversation_id=f"c-{slug}", channel="socketio",
                                       reason="vraagt iemand", summary=word, municipality=slug)  # fmt: skip
        theirs = handover.id
    with running_app(create_app(settings, session_factory=factory), free_port()) as base_url:
        yield base_url, theirs


def test_in_the_browser_a_medewerker_sees_only_their_municipality(scoped_server: tuple[str, int]) -> None:
    base_url, theirs = scoped_server
    require_chromium()
    with launched_chromium() as browser:
        _check(browser, base_url, theirs)


def _check(browser: Browser, base_url: str, theirs: int) -> None:
    page = new_context(browser, 15_000).new_page()
    page.goto(f"{base_url}/staff/overdrachten")
    log_in(page, "mw-voorbeeldstad", PASSWORD)
    expect(page.locator("table.list")).to_contain_text("Antonzaak")
    expect(page.locator("td.municipality").first).to_have_text("Voorbeeldstad")
    assert "Heidezaak" not in page.content()
    answer = page.goto(f"{base_url}/staff/overdrachten/{theirs}")
    assert answer is not None and answer.status == 404
    expect(page.locator("main")).to_contain_text("bestaat niet")
    assert "Heidezaak" not in page.content()

    other = new_context(browser, 15_000).new_page()
    other.goto(f"{base_url}/staff/overdrachten/{theirs}")
    log_in(other, "mw-heideveen", PASSWORD)
    expect(other.get_by_role("heading", name=f"Overdracht {theirs}")).to_be_visible()
    expect(other.locator("dd.municipality")).to_have_text("Heideveen")
    expect(other.locator("dd.summary")).to_have_text("Heidezaak")
