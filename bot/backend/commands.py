"""The work behind the command line (`python -m bot.backend ...`), one transaction per command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session
from tqdm import tqdm

from bot.backend.db import session_factory_for
from bot.backend.models import StaffRole
from bot.backend.services.booking_export import bookings_on, write_bookings_csv
from bot.backend.services.clock import local_today
from bot.backend.services.errors import ServiceError
from bot.backend.services.municipalities import set_office_hours
from bot.backend.services.place_import import PlaceRowError, import_places, read_place_rows
from bot.backend.services.retention import RetentionPeriods
from bot.backend.services.retention import purge as run_purge
from bot.backend.services.review import export_queue
from bot.backend.services.schedule_import import RowError, read_rows
from bot.backend.services.schedule_import import import_schedules as run_import
from bot.backend.services.seed import find_demo_locations, seed_demo_data
from bot.backend.services.slots import generate_slots
from bot.backend.services.staff import create_staff_user
from bot.backend.settings import BackendSettings


def seed(settings: BackendSettings, _args: argparse.Namespace) -> int:
    with session_factory_for(settings).begin() as session:
        report = seed_demo_data(
            session=session, today=local_today(settings.tz), horizon_days=settings.slot_horizon_days
        )
    state = "demo data added" if report.seeded else "database already has locations; no demo data added"
    print(f"seed: {state}; {report.slots_created} new slots")
    return 0


def demo_refusal(settings: BackendSettings) -> str | None:
    """Why `serve` must not start: demo locations in the database outside development; else None."""
    if settings.development:
        return None
    with session_factory_for(settings)() as session:
        names = find_demo_locations(session=session)
    if not names:
        return None
    return (
        f"The database holds the fictional demo locations {', '.join(names)} "
        f"(VOORDEUR_ENV={settings.voordeur_env}); residents could book a spreekuur there. "
        "A database outside development starts empty (the set-up seeds demo data only in development): "
        "delete these locations with their schedules and slots, or use a new database "
        "(docs/content.md, 'Demo values')."
    )


def generate(settings: BackendSettings, args: argparse.Namespace) -> int:
    days = args.days or settings.slot_horizon_days
    today = local_today(settings.tz)
    with session_factory_for(settings).begin() as session:
        created = generate_slots(session=session, start=today, end=today + timedelta(days=days))
    print(f"generate-slots: {created} new slots up to {today + timedelta(days=days)}")
    return 0


class _ImportReport(Protocol):
    rejected: list[tuple[int, str]]

    def summary(self) -> str: ...


Rows = list[tuple[int, dict[str, str]]]


def _csv_import(
    settings: BackendSettings,
    path: Path,
    read: Callable[[Path], Rows],
    run: Callable[[Session, Rows, Callable[[], None]], _ImportReport],
) -> int:
    """Read a CSV file, import its rows in one transaction with a progress bar, and print the report."""
    try:
        rows = read(path)
    except (OSError, UnicodeDecodeError) as error:
        print(f"Kan {path} niet lezen: {error}", file=sys.stderr)
        return 2
    except (RowError, PlaceRowError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    with (
        session_factory_for(settings).begin() as session,
        tqdm(total=len(rows), unit="regel", desc="import", file=sys.stderr) as bar,
    ):
        report = run(session, rows, lambda: bar.update(1))
    print(report.summary())
    for row_number, reason in report.rejected:
        print(f"  regel {row_number}: {reason}")
    return 1 if report.rejected else 0


def import_schedules(settings: BackendSettings, args: argparse.Namespace) -> int:
    return _csv_import(
        settings,
        args.file,
        read_rows,
        lambda session, rows, on_row: run_import(
            session=session,
            rows=rows,
            today=local_today(settings.tz),
            horizon_days=settings.slot_horizon_days,
            on_row=on_row,
            default_municipality=settings.default_municipality,
        ),
    )


def import_places_command(settings: BackendSettings, args: argparse.Namespace) -> int:
    """Postcodes and place names of municipalities (`slug,kind,value`), with a progress bar."""
    return _csv_import(
        settings,
        args.file,
        read_place_rows,
        lambda session, rows, on_row: import_places(session=session, rows=rows, on_row=on_row),
    )


def set_office_hours_command(settings: BackendSettings, args: argparse.Namespace) -> int:
    """A municipality's own office hours (`OFFICE_HOURS` syntax), or `--clear`: the setting again."""
    try:
        with session_factory_for(settings).begin() as session:
            municipality = set_office_hours(
                session=session, slug=args.slug, hours=None if args.clear else args.hours
            )
            hours, name = municipality.office_hours, municipality.name
    except ServiceError as error:
        print(f"set-office-hours: {error.message}", file=sys.stderr)
        return 1
    shown = hours if hours is not None else f"de instelling OFFICE_HOURS ({settings.office_hours})"
    print(f"set-office-hours: openingstijden van {name}: {shown}")
    return 0


def export_bookings(settings: BackendSettings, args: argparse.Namespace) -> int:
    with session_factory_for(settings)() as session:
        items = bookings_on(session=session, day=args.day, include_cancelled=args.include_cancelled)
        if args.output is None:
            count = write_bookings_csv(items, sys.stdout)
        else:
            with args.output.open("w", encoding="utf-8-sig", newline="") as out:
                count = write_bookings_csv(items, out)
    print(f"export-bookings: {count} afspraken op {args.day.isoformat()}", file=sys.stderr)
    return 0


def create_staff(settings: BackendSettings, args: argparse.Namespace, password: str) -> int:
    try:
        with session_factory_for(settings).begin() as session:
            user = create_staff_user(
                session=session, username=args.username, display_name=args.name, password=password,
                role=StaffRole(args.role),
            )  # fmt: skip
            print(f"create-staff: {user.username} ({user.role.value}) aangemaakt")
    except ServiceError as error:
        print(error.message, file=sys.stderr)
        return 1
    return 0


def review_export(settings: BackendSettings, args: argparse.Namespace) -> int:
    """The review page's example queue as Rasa NLU YAML (services/review.py); never trained on by itself."""
    with session_factory_for(settings).begin() as session:
        count = export_queue(session=session, path=args.output)
    print(
        f"review-export: {count} example(s) written to {args.output}; merge them into data/nlu/ and retrain"
    )
    return 0


def purge(settings: BackendSettings, args: argparse.Namespace) -> int:
    """Delete what is older than the retention periods (docs/privacy.md); `--dry-run` only counts."""
    periods = RetentionPeriods(
        conversation_days=args.conversation_days or settings.retention_conversation_days,
        booking_days=args.booking_days or settings.retention_booking_days,
        handover_days=args.handover_days or settings.retention_handover_days,
    )
    with session_factory_for(settings).begin() as session:
        report = run_purge(
            session=session,
            periods=periods,
            today=local_today(settings.tz),
            now=datetime.now(UTC),
            dry_run=args.dry_run,
            actor="purge-command",
            rasa_tracker=rasa_purge_counts(args.rasa_report),
        )
    print(report.summary())
    return 0


def rasa_purge_counts(path: Path | None) -> dict[str, int] | None:
    """The Rasa side's counts (scripts/purge_conversations.py --report), or None when absent or unreadable.

    The tracker store is purged before the backend; a report that cannot be read must not stop the
    backend's own retention, so it is left out of the audit entry with a warning.
    """
    if path is None:
        return None
    try:
        loaded = json.loads(path.read_text())
        return {key: int(loaded[key]) for key in ("conversations", "events", "days")}
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"purge: Rasa's counts left out of the audit entry ({type(error).__name__})", file=sys.stderr)
        return None
