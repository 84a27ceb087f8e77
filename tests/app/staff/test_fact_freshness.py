"""The dashboard's panel "Feiten die verlopen", on a fixed date and a content folder of the test's own."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from staff_helpers import Accounts, login

from bot.backend.services.content_freshness import freshness_panel, web_link
from bot.backend.staff_web import routes_dashboard

FACTS = """\
facts:
  huurtoeslag_max_huur:
    value: "€ 900,00"
    valid_until: 2026-12-31
    checked_on: 2026-06-01
    source: "Belastingdienst, huurtoeslag 2026"
    source_url: "www.belastingdienst.nl/toeslagen"
    when_expired: "het bedrag van dit jaar (zie www.belastingdienst.nl/toeslagen)"
  bezwaar_termijn:
    value: "6 weken"
    valid_until: 2027-02-15
    checked_on: 2026-06-01
    source: "Algemene wet bestuursrecht"
    source_url: "de brief met het besluit"
    when_expired: "de termijn die in de brief staat"
  geldfit_telefoon:
    value: "0800-8115"
    valid_until: 2028-06-30
    checked_on: 2026-06-01
    source: "Geldfit"
    source_url: "www.geldfit.nl"
    when_expired: "het nummer op www.geldfit.nl"
"""
SetDay = Callable[[date], None]
LOCAL = "valid_until: 2027-06-30\nvalues:\n  wijkteam_telefoon: '020-123 4567'\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "facts.yml").write_text(FACTS, encoding="utf-8")
    (root / "local.yml").write_text(LOCAL, encoding="utf-8")
    return root


@pytest.fixture
def on_day(app: FastAPI, content: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SetDay]:
    """Serve the dashboard with the test's content folder, as of a day the test chooses."""
    settings = app.state.settings  # starlette's State is not restored by monkeypatch: swap it back here
    app.state.settings = settings.model_copy(update={"content_dir": content})

    def set_day(day: date) -> None:
        monkeypatch.setattr(routes_dashboard, "local_today", lambda tz=None: day)

    yield set_day
    app.state.settings = settings


def panel(page: str) -> str:
    match = re.search(r'<section aria-labelledby="facts-title" id="feiten">(.*?)</section>', page, re.DOTALL)
    assert match, "no panel 'Feiten die verlopen' on the dashboard"
    return match.group(1)


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-fact="([^"]+)"', html)


def test_the_dashboard_lists_expired_and_soon_expiring_facts(
    client: TestClient, accounts: Accounts, on_day: SetDay
) -> None:
    on_day(date(2027, 1, 10))
    login(client, "sanne")
    html = panel(client.get("/staff/dashboard").text)
    assert '<h2 id="facts-title">Feiten die verlopen</h2>' in html
    assert rows(html) == ["huurtoeslag_max_huur", "bezwaar_termijn"]  # soonest first; geldfit is current
    expired = html.split('<tr data-fact="huurtoeslag_max_huur" class="urgent">')[1].split("</tr>")[0]
    assert (
        "<td>€ 900,00</td>" in expired and "<td>31-12-2026</td>" in expired and "<td>verlopen</td>" in expired
    )
    assert '<a href="https://www.belastingdienst.nl/toeslagen" rel="noopener noreferrer">' in expired
    assert "het bedrag van dit jaar (zie www.belastingdienst.nl/toeslagen)" in expired
    soon = html.split('<tr data-fact="bezwaar_termijn">')[1].split("</tr>")[0]
    assert "<td>nog 36 dagen</td>" in soon and "<td>15-02-2027</td>" in soon
    assert "de brief met het besluit" in soon and "<a " not in soon  # not a web address: no link


def test_the_review_date_of_local_facts_is_listed_too(
    client: TestClient, accounts: Accounts, on_day: SetDay
) -> None:
    on_day(date(2027, 6, 30))
    login(client, "sanne")
    html = panel(client.get("/staff/dashboard").text)
    assert rows(html) == ["huurtoeslag_max_huur", "bezwaar_termijn", "local.yml (controledatum)"]
    assert "<td>laatste dag vandaag</td>" in html


def test_the_dashboard_says_when_all_facts_are_current(
    client: TestClient, accounts: Accounts, on_day: SetDay
) -> None:
    on_day(date(2026, 10, 1))
    login(client, "sanne")
    html = panel(client.get("/staff/dashboard").text)
    assert rows(html) == []
    assert "Alle feiten zijn actueel. Geen feit verloopt in de komende 60 dagen." in html


def test_an_unreadable_facts_file_is_shown_not_a_broken_page(
    client: TestClient, accounts: Accounts, content: Path, on_day: SetDay
) -> None:
    (content / "facts.yml").write_text("facts: [niet: goed", encoding="utf-8")
    on_day(date(2026, 10, 1))
    login(client, "sanne")
    response = client.get("/staff/dashboard")
    assert response.status_code == 200
    assert "De feiten kunnen niet worden gelezen" in panel(response.text)


def test_panel_rows_and_links(content: Path) -> None:
    result = freshness_panel(content_dir=content, today=date(2026, 12, 30), warn_days=1)
    assert [(row.item.key, row.status) for row in result.rows] == [("huurtoeslag_max_huur", "nog 1 dag")]
    assert (
        web_link("wetten.overheid.nl (Wet gemeentelijke schuldhulpverlening)") == "https://wetten.overheid.nl"
    )
    assert web_link("https://www.huurcommissie.nl/x") == "https://www.huurcommissie.nl/x"
    assert web_link("de brief met het besluit") is None and web_link("") is None


def test_a_municipality_files_review_date_is_listed_and_an_edit_is_noticed(content: Path) -> None:
    """content/local/<gemeente>.yml has its own review date; the panel reads the file again after an edit."""
    today = date(2027, 6, 1)
    assert [row.item.file for row in freshness_panel(content_dir=content, today=today).rows] == [
        "facts.yml",
        "facts.yml",
        "local.yml",
    ]
    (content / "local").mkdir()
    town = content / "local" / "heideveen.yml"
    town.write_text(
        "valid_until: 2027-07-15\nvalues:\n  wijkteam_telefoon: '0987-654 321'\n", encoding="utf-8"
    )
    files = [row.item.file for row in freshness_panel(content_dir=content, today=today).rows]
    assert any("heideveen" in name for name in files), files
    town.write_text(
        "valid_until: 2028-07-15\nvalues:\n  wijkteam_telefoon: '0987-654 321'\n", encoding="utf-8"
    )
    os.utime(town, (town.stat().st_atime, town.stat().st_mtime + 5))  # a later change time, as an edit gives
    files = [row.item.file for row in freshness_panel(content_dir=content, today=today).rows]
    assert not any("heideveen" in name for name in files), files
