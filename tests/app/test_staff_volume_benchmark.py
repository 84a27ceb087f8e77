"""The staff volume benchmark itself, with a tiny volume: it fills a throw-away PostgreSQL database, starts
the backend, logs in, measures every staff page, writes the report and the figures, and drops the database.
(The 100,000-row run is `make benchmark-staff-volume`; docs/staff-volume-benchmark.md.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.staff_volume_benchmark import Volume, main, pages
from tests.app.backend_helpers import ThrowAwayPostgres


@pytest.mark.postgres
def test_a_small_run_measures_every_page_writes_the_report_and_drops_its_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("## Wat traag was\n\nNotities van de vorige ronde.\n")
    report = tmp_path / "report.md"
    status = main(
        ["--rows", "200", "--requests", "2", "--warmup", "0", "--label", "tiny", "--results", str(tmp_path),
         "--report", str(report), "--notes", str(notes)]
    )  # fmt: skip
    out = capsys.readouterr().out
    text = report.read_text()
    figures = json.loads((tmp_path / "tiny.json").read_text())
    names = [line.split(" | ")[0].removeprefix("| ") for line in text.splitlines() if line.startswith("| ")][
        2:
    ]
    expected = [spec.name for spec in pages(Volume(rows=200))]
    assert names == expected and len(expected) == 22
    assert set(figures["pages"]) == set(expected)
    assert all(0 < page["p50"] <= page["p95"] <= page["max"] for page in figures["pages"].values())
    assert figures["counts"]["handovers"] == 200 and figures["counts"]["bookings"] == 200
    assert figures["counts"]["callback_requests"] == 200 and figures["counts"]["audit_log"] > 1000
    assert "200 handovers" in text and "PostgreSQL" in text and "Notities van de vorige ronde." in text
    assert "/staff/beheer/logboek" in text and "/staff/dashboard" in text and "/staff/afspraken" in text
    assert "medewerker van één gemeente" in text
    verdict = "Every page under 300 ms p95" in text
    assert status == (0 if verdict else 1)
    database = re.search(r"throw-away database (\w+)", out)
    assert database, out
    with ThrowAwayPostgres().admin() as admin:
        left = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database.group(1),)).fetchone()
    assert left is None  # dropped afterwards
