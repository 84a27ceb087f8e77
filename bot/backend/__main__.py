"""Command line of the case backend.

Usage:
    python -m bot.backend serve [--host H --port P]
    python -m bot.backend migrate
    python -m bot.backend seed
    python -m bot.backend generate-slots [--days N]
    python -m bot.backend import-schedules FILE.csv
    python -m bot.backend import-places FILE.csv
    python -m bot.backend set-office-hours SLUG "ma-vr 09:00-17:00" | --clear
    python -m bot.backend export-bookings --date YYYY-MM-DD [--output FILE] [--include-cancelled]
    python -m bot.backend create-staff USERNAME --name "Naam" [--role medewerker|beheerder]
    python -m bot.backend purge [--dry-run] [--conversation-days N --booking-days N --handover-days N]
                                [--rasa-report FILE]
    python -m bot.backend worker [--workers N]
    python -m bot.backend run-due [--at ISO-TIME] [--here]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from bot.backend.jobs import commands as jobs_commands
from bot.backend.settings import BackendSettings, get_settings


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum (JJJJ-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.backend", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and web pages")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    commands.add_parser("migrate", help="bring the database schema up to date (alembic upgrade head)")
    commands.add_parser("seed", help="add fictional demo data when the database is empty; top up slots")
    generate = commands.add_parser("generate-slots", help="make the missing slots for the coming days")
    generate.add_argument("--days", type=int, default=None, help="horizon (default SLOT_HORIZON_DAYS)")
    importer = commands.add_parser("import-schedules", help="import schedules and closures from a CSV file")
    importer.add_argument("file", type=Path)
    places = commands.add_parser(
        "import-places", help="import municipalities' postcodes and place names (slug,kind,value)"
    )
    places.add_argument("file", type=Path)
    hours = commands.add_parser(
        "set-office-hours", help="give a municipality its own office hours (as OFFICE_HOURS), or --clear"
    )
    hours.add_argument("slug", help="the municipality, e.g. heideveen")
    which = hours.add_mutually_exclusive_group(required=True)
    which.add_argument("hours", nargs="?", default=None, help='e.g. "ma-do 08:30-16:30, vr 08:30-12:00"')
    which.add_argument("--clear", action="store_true", help="use the OFFICE_HOURS setting again")
    exporter = commands.add_parser("export-bookings", help="export one day's bookings as CSV")
    exporter.add_argument("--date", type=_parse_date, required=True, dest="day")
    exporter.add_argument("--output", type=Path, default=None, help="file to write (default: stdout)")
    exporter.add_argument("--include-cancelled", action="store_true")
    staff = commands.add_parser("create-staff", help="create a staff account (asks for the password)")
    staff.add_argument("username")
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", choices=["medewerker", "beheerder", "redacteur"], default="medewerker")
    exporter = commands.add_parser(
        "review-export", help="write the reviewed NLU examples (review page) as Rasa NLU YAML"
    )
    exporter.add_argument("--output", type=Path, required=True, help="the YAML file to write")
    purger = commands.add_parser("purge", help="delete data older than the retention periods")
    purger.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    for kind in ("conversation", "booking", "handover"):
        purger.add_argument(f"--{kind}-days", type=_positive_days, default=None,
                            help=f"override RETENTION_{kind.upper()}_DAYS")  # fmt: skip
    purger.add_argument("--rasa-report", type=Path, default=None,
                        help="Rasa's counts (purge_conversations.py --report) for the audit")  # fmt: skip
    jobs_commands.add_parsers(commands)
    return parser


def _positive_days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"geen aantal dagen (1 of meer): {text!r}")
    return int(text)


def main(argv: list[str] | None = None, settings: BackendSettings | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings or get_settings()
    if args.command == "serve":
        import uvicorn

        from bot.backend.commands import demo_refusal

        refusal = demo_refusal(settings)
        if refusal:
            print(f"serve: refusing to start. {refusal}", file=sys.stderr)
            return 2

        from bot import log_masking
        from bot.backend.app import create_app
        from bot.backend.logs import uvicorn_log_config
        from bot.backend.serving import BodySizeLimit, server_options
        from bot.shared.session_ids import keep_session_ids_out_of

        log_masking.install()  # nothing personal in any log line (issue 20)
        keep_session_ids_out_of("uvicorn.access")  # a conversation id lets its holder read the chat
        uvicorn.run(
            BodySizeLimit(create_app(settings)),
            host=args.host or settings.backend_host,
            port=args.port or settings.backend_port,
            log_level="info",
            log_config=uvicorn_log_config(),
            **server_options(),  # time-outs and sizes (bot/backend/serving.py)
        )
        return 0
    if args.command == "migrate":
        from bot.backend.migrate import migrate

        migrate(settings)
        print("migrate: database schema is up to date")
        return 0
    from bot.backend import commands

    handlers = {
        "seed": commands.seed,
        "generate-slots": commands.generate,
        "import-schedules": commands.import_schedules,
        "import-places": commands.import_places_command,
        "set-office-hours": commands.set_office_hours_command,
        "export-bookings": commands.export_bookings,
        "purge": commands.purge,
        "review-export": commands.review_export,
        **jobs_commands.HANDLERS,
    }
    if args.command == "create-staff":
        password = getpass.getpass("Wachtwoord (minstens 12 tekens): ")
        return commands.create_staff(settings, args, password)
    return handlers[args.command](settings, args)


if __name__ == "__main__":
    sys.exit(main())
