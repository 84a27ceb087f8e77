"""The huey instance: a SQLite file in DATA_DIR by default, Redis when `JOBS_URL` is `redis://...`."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from bot.backend.settings import BackendSettings, get_settings


def make_huey(settings: BackendSettings) -> Huey:
    if settings.jobs_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(settings.jobs_queue, url=settings.jobs_url, utc=True)
    if settings.jobs_url:
        raise ValueError("JOBS_URL must be empty (SQLite in DATA_DIR) or a redis:// address")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.jobs_queue, filename=str(settings.data_dir / "jobs.db"), utc=True)


#: One per process, made from the settings at import (the worker and `run-due` are their own processes).
huey = make_huey(get_settings())
