"""`python -m bot.backend worker` and `python -m bot.backend run-due` (issue 24)."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime

from bot.backend.settings import BackendSettings


def parse_moment(text: str) -> datetime:
    """An ISO time; without an offset it is read as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def worker(settings: BackendSettings, args: argparse.Namespace) -> int:
    """Run the queue's consumer until SIGINT/SIGTERM: deliveries, and the dispatch every minute."""
    from bot import log_masking
    from bot.backend.jobs import tasks  # noqa: F401  (registers the tasks with huey)
    from bot.backend.jobs.queue import huey

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_masking.install()  # nothing personal in any log line (issue 20)
    consumer = huey.create_consumer(workers=args.workers, worker_type="thread", periodic=not args.no_periodic)
    consumer.run()
    return 0


def run_due(settings: BackendSettings, args: argparse.Namespace) -> int:
    """Claim what is due at `--at` (default now) and queue the deliveries; `--here` delivers in this process.
    Tests move the clock with `--at`; an operator can use it to catch up after a stop."""
    from bot.backend.jobs import tasks

    now = args.at or datetime.now(UTC)
    if args.here:
        claimed = tasks.claim_due_messages(settings, now)
        for message_id in claimed:
            outcome = tasks.deliver_now(settings, message_id, now)
            print(f"run-due: message {message_id}: {outcome.status.value} {outcome.reason}".rstrip())
    else:
        claimed = tasks.dispatch_due(settings, now)
    print(f"run-due: {len(claimed)} message(s) due at {now.isoformat()}" + ("" if args.here else " queued"))
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    work = commands.add_parser("worker", help="run the job queue's worker (reminders, check-ins)")
    work.add_argument("--workers", type=int, default=1, help="threads delivering messages")
    work.add_argument("--no-periodic", action="store_true", help="no dispatch every minute (tests)")
    due = commands.add_parser("run-due", help="send the scheduled messages due at a moment (default now)")
    due.add_argument("--at", type=parse_moment, default=None, help="ISO time (UTC without an offset)")
    due.add_argument("--here", action="store_true", help="deliver in this process instead of the worker")


HANDLERS = {"worker": worker, "run-due": run_due}
