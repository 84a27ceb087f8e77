"""List the content's dated facts that expired or expire soon, the review dates of local.yml and of each
municipality's file (content/local/<slug>.yml), and demo values.

Usage: python scripts/content_check.py [--today YYYY-MM-DD] [--warn-days N] [--content-dir DIR]
(`make content-check`; runs with the Rasa or the app environment). The content folder defaults to
CONTENT_DIR, else the project's content/. Exit status: 0 nothing has expired, 1 something has expired,
2 a file cannot be read or a fact misses a field.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.content_facts import (
    LOCAL_FILE,
    WARN_DAYS,
    ContentFileError,
    Expiring,
    content_dir_from_env,
    load_content_facts,
    local_today,
    municipal_name,
)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--today", type=_parse_date, default=None, help="check as of this day (default: today)"
    )
    parser.add_argument(
        "--warn-days", type=int, default=WARN_DAYS, help=f"warning window (default {WARN_DAYS})"
    )
    parser.add_argument("--content-dir", type=Path, default=None, help="default: CONTENT_DIR or content/")
    return parser


def _status(item: Expiring) -> str:
    if item.expired:
        return f"EXPIRED {-item.days_left} d ago"
    return "last day today" if item.days_left == 0 else f"expires in {item.days_left} d"


def table(rows: list[list[str]]) -> list[str]:
    """Left-aligned columns, two spaces apart, a rule under the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return [lines[0], "  ".join("-" * width for width in widths), *lines[1:]]


def report(root: Path, today: date, warn_days: int) -> tuple[list[str], int]:
    """The printed lines and the exit status."""
    try:
        content = load_content_facts(root)
    except ContentFileError as error:
        return [f"content-check: {error}"], 2
    items = content.freshness(today, warn_days)
    lines = [f"Content check of {root} on {today} (warning window: {warn_days} days)", ""]
    if items:
        header = ["status", "valid until", "key", "value", "shown after expiry", "source"]
        rows = [
            [
                _status(item),
                str(item.valid_until),
                item.label,
                item.value or "-",
                item.when_expired or "-",
                item.source_url or item.source or "-",
            ]  # fmt: skip
            for item in items
        ]
        lines += table([header, *rows])
    else:
        lines.append(f"All dated facts are current; none expires within {warn_days} days.")
    files = {LOCAL_FILE: content.local, **{municipal_name(slug): f for slug, f in content.municipal.items()}}
    for name, local in files.items():
        if local.valid_until and all(item.file != name for item in items):
            lines.append(f"{name} review date: {local.valid_until}")
    lines.append("")
    for name, local in files.items():
        demo = local.demo_values()
        if demo:
            lines.append(
                f"Demo values in {name} (refused outside VOORDEUR_ENV=development): {', '.join(demo)}"
            )
        else:
            lines.append(f"{name} has no demo values.")
    if content.problems:
        lines += ["", "Problems:", *(f"  {problem}" for problem in content.problems)]
        return lines, 2
    return lines, 1 if any(item.expired for item in items) else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = args.content_dir.resolve() if args.content_dir else content_dir_from_env()
    lines, status = report(root, args.today or local_today(), args.warn_days)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
