"""Dated facts on a fixed clock: rendering before and after `valid_until`, the freshness list, the
action server's warning log, and `scripts/content_check.py`. No test here reads today's date."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.content import content_store, load_store

ROOT = Path(__file__).resolve().parents[2]
FACTS = """\
facts:
  max_huur:
    value: "€ 900,00"
    valid_until: 2026-12-31
    checked_on: 2026-06-01
    source: "Belastingdienst 2026"
    source_url: "www.belastingdienst.nl/toeslagen"
    when_expired: "het bedrag van dit jaar (zie www.belastingdienst.nl/toeslagen)"
  termijn:
    value: "6 weken"
    valid_until: 2027-06-30
    checked_on: 2026-06-01
    source: "Awb"
    source_url: "wetten.overheid.nl"
    when_expired: "de termijn in de brief"
"""
LOCAL = """\
valid_until: 2027-03-31
demo: [wijkteam_telefoon]
values:
  wijkteam_telefoon: "0123-456 789"
"""
ANSWERS = """\
answers:
  - intent: huisvesting_huurtoeslag
    je: "Je krijgt huurtoeslag tot een huur van {max_huur}. Bel {wijkteam_telefoon}."
    u: "U krijgt huurtoeslag tot een huur van {max_huur}. Bel {wijkteam_telefoon}."
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "answers").mkdir(parents=True)
    (root / "facts.yml").write_text(FACTS, encoding="utf-8")
    (root / "local.yml").write_text(LOCAL, encoding="utf-8")
    (root / "answers" / "huisvesting.yml").write_text(ANSWERS, encoding="utf-8")
    return root


def test_a_fact_renders_its_value_up_to_its_last_day_and_its_expiry_text_after(content: Path) -> None:
    store = load_store(content)
    texts = store.answers["huisvesting_huurtoeslag"].texts
    assert store.problems() == []
    last_day = store.text(texts, "je", dt.date(2026, 12, 31))
    assert last_day == "Je krijgt huurtoeslag tot een huur van € 900,00. Bel 0123-456 789."
    after = store.text(texts, "u", dt.date(2027, 1, 1))
    assert after == ("U krijgt huurtoeslag tot een huur van het bedrag van dit jaar "
                     "(zie www.belastingdienst.nl/toeslagen). Bel 0123-456 789.")  # fmt: skip
    assert store.render("{termijn}", dt.date(2027, 1, 1)) == "6 weken"  # still current


def test_the_freshness_list_covers_60_days_and_the_review_date(content: Path) -> None:
    store = load_store(content)
    assert store.freshness(dt.date(2026, 10, 31)) == []  # 61 days before 2026-12-31
    items = store.freshness(dt.date(2026, 11, 1))
    assert [(item.key, item.days_left, item.expired) for item in items] == [("max_huur", 60, False)]
    items = store.freshness(dt.date(2027, 2, 1))
    assert [(item.label, item.days_left, item.expired) for item in items] == [
        ("max_huur", -32, True),
        ("local.yml (controledatum)", 58, False),
    ]
    assert [item.key for item in store.freshness(dt.date(2027, 2, 1), warn_days=149)][-1] == "termijn"
    assert [item.key for item in store.freshness(dt.date(2027, 2, 1), warn_days=0)] == ["max_huur"]
    assert store.expired(dt.date(2027, 7, 1)) == [
        "max_huur (facts.yml) expired on 2026-12-31",
        "the review date of local.yml expired on 2027-03-31",
        "termijn (facts.yml) expired on 2027-06-30",
    ]


def test_a_crisis_line_whose_expiry_text_repeats_it_stays_in_view(content: Path) -> None:
    facts = content / "facts.yml"
    facts.write_text(
        FACTS
        + '  alarmnummer: {value: "112", valid_until: 2026-12-31, checked_on: 2026-06-01, source: Politie,'
        + ' source_url: www.politie.nl, when_expired: "112"}\n',
        encoding="utf-8",
    )
    store = load_store(content)
    assert store.problems() == []
    assert store.render("Bel {alarmnummer}.", dt.date(2027, 1, 1)) == "Bel 112."
    assert store.facts["alarmnummer"].kept_after_expiry and not store.facts["max_huur"].kept_after_expiry
    assert "alarmnummer" in [item.key for item in store.freshness(dt.date(2027, 1, 1)) if item.expired]


def test_a_fact_without_a_readable_date_never_shows_its_value(content: Path) -> None:
    facts = content / "facts.yml"
    facts.write_text(FACTS.replace("valid_until: 2026-12-31", "valid_until: eind 2026"), encoding="utf-8")
    store = load_store(content)
    assert "facts.yml max_huur: valid_until must be a date like 2026-12-31" in store.problems()
    assert "€ 900,00" not in store.render("{max_huur}", dt.date(2026, 1, 1))


def test_the_action_server_warns_once_per_load_and_per_day(
    content: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="actions.content")
    day = dt.date(2027, 2, 1)
    content_store(content, today=day)
    lines = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert lines == [
        "Dated content: max_huur (facts.yml) expired on 2026-12-31; texts now show "
        "'het bedrag van dit jaar (zie www.belastingdienst.nl/toeslagen)' instead of '€ 900,00'",
        "Dated content: the review date of local.yml expires on 2027-03-31, in 58 days; "
        f"check it and update {content / 'local.yml'}",
    ]
    caplog.clear()
    for _ in range(3):  # further messages on the same day: no new warnings
        content_store(content, today=day)
    assert caplog.records == []
    content_store(content, today=day + dt.timedelta(days=1))  # a new day: reported again
    assert len(caplog.records) == 2
    caplog.clear()
    facts = content / "facts.yml"
    facts.write_text(FACTS.replace("2026-12-31", "2027-12-31"), encoding="utf-8")
    stat = facts.stat()
    os.utime(facts, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    content_store(content, today=day + dt.timedelta(days=1))  # an edit: reloaded and reported
    assert [record.getMessage().split(";")[0] for record in caplog.records] == [
        "Dated content: the review date of local.yml expires on 2027-03-31, in 57 days"
    ]


def run_check(content: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/content_check.py", "--content-dir", str(content), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_content_check_exits_0_while_current_and_1_after_expiry(content: Path) -> None:
    current = run_check(content, "--today", "2026-06-01")
    assert current.returncode == 0, current.stdout + current.stderr
    assert "All dated facts are current; none expires within 60 days." in current.stdout
    assert "local.yml review date: 2027-03-31" in current.stdout
    assert (
        "Demo values in local.yml (refused outside VOORDEUR_ENV=development): wijkteam_telefoon"
        in current.stdout
    )

    soon = run_check(content, "--today", "2026-12-01")
    assert soon.returncode == 0
    assert [line.split()[:5] for line in soon.stdout.splitlines() if "max_huur" in line] == [
        ["expires", "in", "30", "d", "2026-12-31"]
    ]

    expired = run_check(content, "--today", "2027-02-01")
    assert expired.returncode == 1
    rows = {line.split("  ")[0].strip(): line for line in expired.stdout.splitlines() if "d ago" in line
            or "expires in" in line}  # fmt: skip
    assert set(rows) == {"EXPIRED 32 d ago", "expires in 58 d"}
    assert "max_huur" in rows["EXPIRED 32 d ago"] and "€ 900,00" in rows["EXPIRED 32 d ago"]
    assert "local.yml (controledatum)" in rows["expires in 58 d"]


def test_content_check_exits_2_on_a_missing_field_or_a_bad_date(content: Path) -> None:
    (content / "facts.yml").write_text(FACTS.replace("    checked_on: 2026-06-01\n", "", 1), encoding="utf-8")
    result = run_check(content, "--today", "2026-06-01")
    assert result.returncode == 2
    assert "facts.yml max_huur: no checked_on" in result.stdout
    bad = run_check(content, "--today", "1-1-2027")
    assert bad.returncode == 2 and "not a date (YYYY-MM-DD)" in bad.stderr
