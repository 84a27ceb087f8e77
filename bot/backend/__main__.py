"""Command line of the case backend: `python -m bot.backend serve|migrate|seed`."""

from __future__ import annotations

import argparse

import uvicorn

from bot.backend.app import create_app
from bot.backend.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.backend")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and web pages")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("seed", help="add fictional demo data when the database is empty")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "serve":
        uvicorn.run(
            create_app(settings),
            host=args.host or settings.backend_host,
            port=args.port or settings.backend_port,
            log_level="info",
        )
    elif args.command in ("migrate", "seed"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        print(f"{args.command}: nothing to do yet")


if __name__ == "__main__":
    main()
