"""Create the PostgreSQL databases of the production stores when they do not exist yet (idempotent).

Run by scripts/setup.sh with VOORDEUR_STORES=production, in the app environment (psycopg 3):
the case backend's database (DATABASE_URL) and Rasa's tracker store (RASA_DB_HOST, RASA_DB_PORT,
RASA_DB_NAME, RASA_DB_USER, RASA_DB_PASSWORD). Each is created from the server's `postgres` database
by the same role, which needs the CREATEDB privilege; an operator who creates them by hand can leave
that privilege out. Passwords are never printed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import psycopg
from psycopg import errors, sql
from sqlalchemy.engine import make_url


def wanted_databases(environ: dict[str, str]) -> list[dict[str, object]]:
    """Connection settings of each database the production stores need, without duplicates."""
    wanted: list[dict[str, object]] = []
    database_url = environ.get("DATABASE_URL", "")
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        wanted.append(
            {
                "host": url.host or "127.0.0.1",
                "port": url.port or 5432,
                "user": url.username or "postgres",
                "password": url.password or "",
                "dbname": url.database,
            }
        )
    if environ.get("RASA_DB_NAME"):
        wanted.append(
            {
                "host": environ.get("RASA_DB_HOST", "127.0.0.1"),
                "port": int(environ.get("RASA_DB_PORT", "5432")),
                "user": environ.get("RASA_DB_USER", "postgres"),
                "password": environ.get("RASA_DB_PASSWORD", ""),
                "dbname": environ["RASA_DB_NAME"],
            }
        )
    unique = {(d["host"], d["port"], d["dbname"]): d for d in wanted}
    return list(unique.values())


def create_database(settings: dict[str, object]) -> bool:
    """Create one database unless it exists; True when it was created."""
    name = str(settings["dbname"])
    connect: dict[str, Any] = {
        key: value for key, value in settings.items() if key != "dbname" and value != ""
    }
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=10, **connect) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        try:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except errors.DuplicateDatabase:  # another process created it just now
            return False
    return True


def main() -> int:
    for settings in wanted_databases(dict(os.environ)):
        where = f"{settings['host']}:{settings['port']}"
        try:
            created = create_database(settings)
        except psycopg.OperationalError as error:
            print(f"[voordeur] error: PostgreSQL at {where} cannot be reached: {error}", file=sys.stderr)
            return 1
        state = "created" if created else "exists"
        print(f"[voordeur] PostgreSQL database {settings['dbname']} on {where}: {state}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
