"""The dashboard tells one story: its headline, the numbers behind it and its charts count the same rows.

Seeded on a real database (SQLite and PostgreSQL): conversations the bot reported, handovers whose
conversation it never reported or reported before the period, handovers and conversations outside the
period, a conversation the bot did not understand (reported through `PUT /api/conversations/{id}`).
The last test opens the page in chromium: axe-core finds nothing and the labels do not overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker
from staff_helpers import PASSWORD, Accounts, handover_at, login, reported_conversation

from bot.backend.app import create_app
from bot.backend.db import make_session_factory
from bot.backend.models import StaffRole
from bot.backend.services.clock import local_today
from bot.backend.services.conversations import upsert_conversation
from bot.backend.services.dashboard import NO_TOPIC, NOT_UNDERSTOOD, build_figures
from bot.backend.services.staff import create_staff_user
from bot.backend.staff_web.charts import CHAR_WIDTH, Series, column_chart, row_chart
from tests.app.backend_helpers import AUTH, Database, make_settings, migrated_database, running_app
from tests.app.chromium import launched_chromium, log_in, new_context, require_chromium
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: What the seed below must give on a 7-day period (days ago: 0 is today).
EXPECTED_TOPICS = {
    "Geldzaken en schulden": 1,
    "Wonen en huisvesting": 1,
    "Opvoeden en jeugdhulp": 2,
    "Algemene vragen": 1,
    "Veiligheid thuis": 0,
    NOT_UNDERSTOOD: 2,
    NO_TOPIC: 2,
}
EXPECTED_WITH_PER_DAY = {0: 1, 1: 2, 2: 1, 3: 1, 5: 1}
EXPECTED_WITHOUT_PER_DAY = {0: 2, 3: 1}


def _at(tz: ZoneInfo, days_ago: int, hour: int = 12) -> datetime:
    return datetime.combine(local_today(tz) - timedelta(days=days_ago), time(hour), tz).astimezone(UTC)


def seed(session: Session, tz: ZoneInfo) -> None:
    """Everything but the misunderstood conversation of today, which the bot reports through the API."""
    reported_conversation(session, "answered", _at(tz, 0), "schulden")  # settled without a person
    reported_conversation(
        session, "handed", _at(tz, 1), "huisvesting"
    )  # reported and handed over in the period
    handover_at(session, "handed", _at(tz, 1, 15), "huisvesting")
    reported_conversation(session, "greeting", _at(tz, 3), None)  # only a greeting: no topic, understood
    handover_at(session, "never-reported", _at(tz, 2), "jeugdhulp")  # the bot's report went missing
    handover_at(session, "twice", _at(tz, 4), None)  # two handovers, one conversation: on its first day
    handover_at(session, "twice", _at(tz, 3), None)
    reported_conversation(
        session, "reported-long-ago", _at(tz, 40), "algemeen"
    )  # a handover in the period: counts
    handover_at(session, "reported-long-ago", _at(tz, 1, 9), "schulden")
    reported_conversation(session, "all-old", _at(tz, 40), "schulden")  # neither in the period: not counted
    handover_at(session, "all-old", _at(tz, 35), "schulden")
    handover_at(session, "old-handover", _at(tz, 20), "schulden")  # before the period: not counted
    reported_conversation(
        session, "fallback-handed", _at(tz, 0, 9), None, misunderstood=True
    )  # a person, not understood
    handover_at(session, "fallback-handed", _at(tz, 0, 10), None)
    # Handed over once (the flag), its handover deleted since by the retention job: still with a person.
    reported_conversation(session, "flagged", _at(tz, 5), "jeugdhulp", handed_over=True)
    session.commit()


def _numbers(page: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'<dd id="n-([a-z-]+)">(\d+)</dd>', page)}


def _table(page: str, title: str) -> list[list[str]]:
    """The rows of the chart table under `title`: the label, then its values."""
    section = page.split(f"<summary>Tabel: {title}</summary>")[1].split("</table>")[0]
    return [
        [label, *re.findall(r"<td>(\d+)</td>", cells)]
        for label, cells in re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', section)
    ]


def test_the_headline_and_the_charts_count_the_same_conversations(
    client: TestClient, accounts: Accounts, session: Session, settings
) -> None:
    tz = settings.tz
    seed(session, tz)
    # The bot did not understand a message: its fallback reports it, a later report without it keeps it.
    for misunderstood in (True, False):
        body = {"channel": "socketio", "topic": None, "misunderstood": misunderstood}
        response = client.put("/api/conversations/not-understood", json=body, headers=AUTH)
        assert response.status_code == 200 and response.json()["misunderstood"] is True
    client.put("/api/conversations/plain", json={"channel": "socketio", "topic": "schulden"}, headers=AUTH)
    # today: answered + not-understood + plain without a person; fallback-handed with one
    expected_without = {**EXPECTED_WITHOUT_PER_DAY, 0: 3}
    expected_topics = {**EXPECTED_TOPICS, "Geldzaken en schulden": 2}

    today = local_today(tz)
    figures = build_figures(session=session, today=today, days=7, tz=tz)
    assert (figures.conversations, figures.with_person, figures.settled_without_person) == (10, 6, 4)
    assert figures.settled_share == 0.4
    assert figures.without_person_in(NOT_UNDERSTOOD) == 1 and figures.without_person_in(NO_TOPIC) == 1
    day_index = {(today - day).days: index for index, day in enumerate(figures.days)}
    assert {
        ago: figures.with_person_per_day[i] for ago, i in day_index.items() if figures.with_person_per_day[i]
    } == (EXPECTED_WITH_PER_DAY)
    assert {
        ago: figures.without_person_per_day[i]
        for ago, i in day_index.items()
        if figures.without_person_per_day[i]
    } == expected_without
    assert dict(figures.conversations_per_topic) == expected_topics
    assert "onbekend" not in dict(figures.conversations_per_topic)

    login(client, "sanne")
    page = client.get("/staff/dashboard?dagen=7").text
    assert 'id="settled-share">40%' in page
    numbers = _numbers(page)
    assert numbers == {"conversations": 10, "with-person": 6, "without-person": 4}
    assert (
        "Daarvan begreep de assistent er 1 niet." in page
        and "In 1 ervan noemde de bewoner geen onderwerp" in page
    )
    per_day = _table(page, "Gesprekken per dag, met en zonder medewerker")
    assert len(per_day) == 7
    assert sum(int(row[1]) for row in per_day) == numbers["with-person"]
    assert sum(int(row[2]) for row in per_day) == numbers["without-person"]
    assert all(int(row[1]) + int(row[2]) == int(row[3]) for row in per_day)
    assert sum(int(row[3]) for row in per_day) == numbers["conversations"]
    topics = {row[0]: int(row[1]) for row in _table(page, "Gesprekken per onderwerp")}
    assert topics == expected_topics and sum(topics.values()) == numbers["conversations"]
    assert "onbekend" not in page and "Overdrachten naar een medewerker per dag" not in page
    # The value above each column is the day's total; every topic bar carries its value.
    values = re.findall(r'class="value" text-anchor="middle">(\d+)</text>', page.split('id="chart-rows')[0])
    assert [int(v) for v in values[:7]] == [int(row[3]) for row in per_day]
    rows_chart = page.split('id="chart-rows-2"')[1].split("</svg>")[0]
    assert re.findall(r'class="value">(\d+)</text>', rows_chart) == [str(v) for v in expected_topics.values()]


def test_a_conversation_counts_once_and_on_the_day_it_started(session: Session, settings) -> None:
    """A handover on a later day belongs to the conversation's first day; no handover, no double count."""
    tz = settings.tz
    reported_conversation(session, "monday", _at(tz, 3), "schulden")
    handover_at(session, "monday", _at(tz, 1), "schulden")
    handover_at(session, "monday", _at(tz, 0), "schulden")
    session.commit()
    figures = build_figures(session=session, today=local_today(tz), days=7, tz=tz)
    assert figures.conversations == 1 and figures.with_person == 1
    assert figures.with_person_per_day[-4] == 1 and sum(figures.with_person_per_day) == 1
    empty = build_figures(session=session, today=local_today(tz) - timedelta(days=10), days=7, tz=tz)
    assert empty.conversations == 0 and empty.settled_share is None


@pytest.mark.parametrize("days", [7, 14, 30, 90])
def test_column_values_never_overlap_and_day_labels_are_thinned(days: int) -> None:
    labels = [f"{day:02d}-12" for day in range(days)]
    chart = column_chart("x", labels, [Series("a", "bar", [892 + day for day in range(days)])])
    shown = [column for column in chart.columns if column.show_value]
    width = CHAR_WIDTH * len(str(chart.maximum))
    assert all(right.center - left.center >= width for left, right in zip(shown, shown[1:], strict=False))
    assert len(shown) >= min(days, 10) and chart.columns[0].show_value
    assert sum(column.show_label for column in chart.columns) <= 14
    assert all(column.top >= chart.top for column in chart.columns)  # room for the value above the highest


def test_topic_labels_get_a_line_each_and_room_left_of_the_bars() -> None:
    chart = row_chart("Onderwerpen", [("Geldzaken en schulden", 892), (NO_TOPIC, 3), ("Niet begrepen", 0)])
    assert [row.y for row in chart.rows] == sorted({row.y for row in chart.rows})
    assert all(b.y - a.y >= chart.bar_height for a, b in zip(chart.rows, chart.rows[1:], strict=False))
    assert chart.left >= CHAR_WIDTH * len(NO_TOPIC)
    assert chart.left + chart.rows[0].width + CHAR_WIDTH * 3 < chart.width  # the value fits after the bar
    assert chart.rows[2].width == 0


# --- in chromium, over a real uvicorn server on a database of its own --------------------------------------


@pytest.fixture
def dashboard_server(tmp_path: Path, closed_rasa_url: str) -> Iterator[str]:
    """SQLite only: the figures themselves are checked on both databases above."""
    with migrated_database("sqlite", f"sqlite:///{tmp_path / 'dashboard.db'}") as database:
        yield from _serve(database, tmp_path, closed_rasa_url)


def _serve(database: Database, tmp_path: Path, closed_rasa_url: str) -> Iterator[str]:
    settings = make_settings(
        tmp_path,
        database.url,
        staff_session_secret="staff-session-secret-for-tests-0123456789",
        rasa_url=closed_rasa_url,
    )
    factory: sessionmaker[Session] = make_session_factory(database.engine)
    with factory() as db:
        create_staff_user(session=db, username="sanne", display_name="Sanne", password=PASSWORD,
                          role=StaffRole.STAFF)  # fmt: skip
        seed(db, settings.tz)
        upsert_conversation(session=db, conversation_id="nb", channel="rest", topic=None, misunderstood=True)
        db.commit()
    with running_app(create_app(settings, session_factory=factory), free_port()) as base_url:
        yield base_url


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 360])
def test_in_the_browser_the_dashboard_is_readable_and_passes_axe(dashboard_server: str, width: int) -> None:
    require_chromium()
    with launched_chromium() as browser:
        _check_the_dashboard(browser, dashboard_server, width)


def _check_the_dashboard(browser: Browser, base_url: str, width: int) -> None:
    context = new_context(browser, 15_000)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{base_url}/staff/dashboard?dagen=7")
    log_in(page, "sanne", PASSWORD)
    page.goto(f"{base_url}/staff/dashboard?dagen=7")
    expect(page.locator("#settled-share")).to_have_text("33%")  # 3 of 9
    expect(page.locator("#n-conversations")).to_have_text("9")
    expect(page.locator("#n-with-person")).to_have_text("6")
    expect(page.locator("#n-without-person")).to_have_text("3")
    expect(page.get_by_role("heading", name="Gesprekken per onderwerp")).to_be_visible()
    for chart in ("#chart-columns-1", "#chart-rows-2"):
        texts = page.locator(f"{chart} svg text")
        boxes = [texts.nth(i).bounding_box() for i in range(texts.count())]
        assert boxes and all(box and box["width"] > 0 for box in boxes)
        overlapping = [(i, j) for i in range(len(boxes)) for j in range(i) if _overlap(boxes[i], boxes[j])]
        assert overlapping == [], [texts.nth(i).text_content() for pair in overlapping for i in pair]
    labels = page.locator("#chart-rows-2 svg text.tick")
    assert labels.all_text_contents()[-2:] == [NOT_UNDERSTOOD, NO_TOPIC]
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated, not a script tag: the staff CSP forbids those
    violations = page.evaluate("""async () => {
        const result = await axe.run(document);
        return result.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(" "))}));
    }""")
    assert violations == []
    context.close()
