"""Delete Rasa conversations whose last event is older than the retention period (Rasa environment).

Usage (`make purge` runs it with the stack's environment, then the backend's `purge`):
    .venv/rasa/bin/python scripts/purge_conversations.py [--days N] [--dry-run] [--endpoints FILE]

Reads the tracker store from the endpoints file (SQL: SQLite or PostgreSQL), the period from
`--days` or RETENTION_CONVERSATION_DAYS (default 30). Prints one summary line; with `--report FILE` also
writes the counts as JSON, which the backend's `purge --rasa-report FILE` puts in its audit entry
(`make purge` does both). See docs/privacy.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DAYS = 30


def positive_days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"geen aantal dagen (1 of meer): {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--days", type=positive_days, default=None, help="RETENTION_CONVERSATION_DAYS by default"
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    parser.add_argument("--endpoints", default=str(ROOT / "endpoints.yml"))
    parser.add_argument("--report", type=Path, default=None, help="write the counts as JSON to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    days = args.days or positive_days(os.environ.get("RETENTION_CONVERSATION_DAYS") or str(DEFAULT_DAYS))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.basicConfig(level=logging.WARNING)
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints

    from bot.assistant.channels.forget import ForgetNotSupported, delete_conversations_older_than

    endpoints = AvailableEndpoints.read_endpoints(args.endpoints)
    store = TrackerStore.create(endpoints.tracker_store)
    try:
        conversations, events = delete_conversations_older_than(store, days, dry_run=args.dry_run)
    except ForgetNotSupported as error:
        print(f"purge-conversations: {error}", file=sys.stderr)
        return 2
    contacts = 0 if args.dry_run else purge_whatsapp_contacts(store, days)
    if args.report:
        counts = {"conversations": conversations, "events": events, "days": days, "dry_run": args.dry_run}
        args.report.write_text(json.dumps(counts))
    verb = "would delete" if args.dry_run else "deleted"
    dry = " (dry run)" if args.dry_run else ""
    print(f"purge-conversations{dry}: {verb} {conversations} conversations ({events} events) "
          f"whose last message is older than {days} days")  # fmt: skip
    if contacts:
        print(
            f"purge-conversations: deleted {contacts} WhatsApp contacts (numbers) "
            f"that did not write for {days} days"
        )
    return 0


def purge_whatsapp_contacts(store: object, days: int) -> int:
    """The WhatsApp channel's number table in the tracker store's database, past the same retention.

    The running channel purges it hourly too; this covers an installation where WhatsApp stopped."""
    import time

    import sqlalchemy as sa

    from bot.assistant.channels.forget import innermost_store
    from bot.assistant.channels.whatsapp_contacts import CONTACTS, SqlContacts

    engine = getattr(innermost_store(store), "engine", None)
    if engine is None or not sa.inspect(engine).has_table(CONTACTS.name):
        return 0
    return SqlContacts(engine).purge_older_than(time.time() - days * 86400)


if __name__ == "__main__":
    sys.exit(main())
