"""Alembic, configured in code: `python -m bot.backend migrate` runs `upgrade head` on the settings' URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from bot.backend.settings import BackendSettings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal % in a URL (encoded password) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, *, connection: Connection | None = None, revision: str = "head") -> None:
    """Bring the schema at `url` (or on an open `connection`) up to `revision`."""
    config = alembic_config(url)
    if connection is not None:
        config.attributes["connection"] = connection
    command.upgrade(config, revision)


def migrate(settings: BackendSettings | None = None) -> None:
    settings = settings or get_settings()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
