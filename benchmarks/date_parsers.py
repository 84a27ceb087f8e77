"""Our Dutch day-and-time parser (actions/dutch_dates.py) against dateparser on the same cases.

Issue 21 asked to compare the own parser with a well-kept library that knows Dutch relative dates and to
keep the better. The cases are the parser's test cases (tests/rasa/dutch_date_cases.py): what residents
type when the spreekuur form asks for a time. dateparser is not a dependency of the project; run this in
a scratch environment:

    python3 -m venv /tmp/dateparser && /tmp/dateparser/bin/pip install dateparser
    PYTHONPATH=. /tmp/dateparser/bin/python benchmarks/date_parsers.py

A case counts as right when every part the case names (day, time; a part of the day such as "middag")
comes out as expected, and a text with no day or time ("Anna") gives nothing. dateparser returns one
moment or None: its date counts only when the case names a day, its time only when the case names a time
(it fills in the rest from the reference moment), and it has no parts of the day.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import dateparser
import yaml
from dateparser.search import search_dates

from actions.dutch_dates import When, parse_when
from tests.rasa.dutch_date_cases import CASES, TODAY

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "date-parsers.md"
BLIND = ROOT / "tests" / "nlu" / "independent" / "dates.yml"
#: The reference moment: noon, so that a time dateparser fills in is never mistaken for a parsed one.
REFERENCE = dt.datetime.combine(TODAY, dt.time(12, 0))
SETTINGS = {"RELATIVE_BASE": REFERENCE, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"}


@dataclass(frozen=True)
class Outcome:
    text: str
    expected: When
    ours: bool
    theirs: bool
    theirs_read: str


def dateparser_right(text: str, expected: When, settings: dict[str, object]) -> tuple[bool, str]:
    found = dateparser.parse(text, languages=["nl"], settings=settings)
    if found is None:  # a date inside a sentence ("morgen graag"): dateparser's own search
        hits = search_dates(text, languages=["nl"], settings=settings) or []
        found = hits[0][1] if hits else None
    read = found.strftime("%a %d-%m %H:%M") if found else "niets"
    if expected.empty:
        return found is None, read
    if found is None or expected.part_of_day is not None and expected.day is None and expected.time is None:
        return False, read
    day_right = expected.day is None or found.date() == expected.day
    time_right = expected.time is None or found.time() == expected.time
    return day_right and time_right and expected.part_of_day is None, read


def blind_cases(path: Path) -> tuple[dt.date, list[tuple[str, When]]]:
    """An evaluation set written without seeing the parser (tests/nlu/independent/dates.yml)."""
    raw = yaml.safe_load(path.read_text())
    cases = [
        (
            str(case["text"]),
            When(
                day=dt.date.fromisoformat(case["day"]) if case.get("day") else None,
                part_of_day=case.get("part_of_day") or None,
                time=dt.time.fromisoformat(case["time"]) if case.get("time") else None,
            ),
        )
        for case in raw["cases"]
    ]
    return dt.date.fromisoformat(str(raw["today"])), cases


def compare(today: dt.date, cases: list[tuple[str, When]]) -> list[Outcome]:
    settings = {**SETTINGS, "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12, 0))}
    outcomes = []
    for text, expected in cases:
        theirs, read = dateparser_right(text, expected, settings)
        outcomes.append(Outcome(text, expected, parse_when(text, today) == expected, theirs, read))
    return outcomes


def describe(when: When) -> str:
    parts = [
        when.day.strftime("%a %d-%m") if when.day else "",
        when.part_of_day or "",
        when.time.strftime("%H:%M") if when.time else "",
    ]
    return " ".join(part for part in parts if part) or "niets"


def section(title: str, about: str, today: dt.date, outcomes: list[Outcome]) -> list[str]:
    ours, theirs = sum(o.ours for o in outcomes), sum(o.theirs for o in outcomes)
    lines = [
        f"## {title}",
        "",
        f"{about} Today in the cases is {today.isoformat()}. **{ours} of {len(outcomes)}** right for our "
        f"parser, **{theirs} of {len(outcomes)}** for dateparser.",
        "",
        "| what the resident typed | expected | ours read | ours | dateparser read | dateparser |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {o.text} | {describe(o.expected)} | {describe(parse_when(o.text, today))} | "
        f"{'yes' if o.ours else 'no'} | {o.theirs_read} | {'yes' if o.theirs else 'no'} |"
        for o in outcomes
    ]
    return [*lines, ""]


def shown(path: Path) -> str:
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blind", default=str(BLIND), help="an evaluation set written without the parser")
    parser.add_argument("--report", default=str(REPORT))
    args = parser.parse_args()
    blind_today, blind = blind_cases(Path(args.blind))
    blind_outcomes = compare(blind_today, blind)
    own_outcomes = compare(TODAY, CASES)
    kept = (
        "our parser"
        if sum(o.ours for o in blind_outcomes) >= sum(o.theirs for o in blind_outcomes)
        else "dateparser"
    )
    lines = [
        "# Our Dutch date parser against dateparser",
        "",
        "Made with `PYTHONPATH=. python benchmarks/date_parsers.py` "
        f"(dateparser {version('dateparser')} in a scratch environment, see the script's docstring) on "
        f"{dt.date.today().isoformat()}. A case is right "
        "when the day, the part of the day and the time all come out as a careful reader understands them "
        "(dateparser: the parts it can give; it has no parts of the day). Kept, on the blind set: "
        f"**{kept}** (`actions/dutch_dates.py`).",
        "",
        *section(
            "Blind set",
            f"`{shown(Path(args.blind))}`: written by a helper session that saw neither the parser nor "
            "its tests; never used to tune it.",
            blind_today,
            blind_outcomes,
        ),
        *section(
            "The parser's own test cases",
            "`tests/rasa/dutch_date_cases.py`: written next to the parser, so they flatter it.",
            TODAY,
            own_outcomes,
        ),
    ]
    text = "\n".join(lines)
    Path(args.report).write_text(text)
    print("\n".join(line for line in lines if line.startswith(("#", "`", "Made"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
