"""A real case backend for the booking action tests: migrated and seeded SQLite, served on a free port.

It runs in the app environment (`.venv/app`), as in production: the two sides share only HTTP.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "app" / "bin" / "python"
TOKEN = "booking-tests-service-token-0123456789"


@contextmanager
def running_backend(
    data_dir: Path,
    database_url: str | None = None,
    token: str = TOKEN,
    office_hours: dict[str, str | None] | None = None,
    **extra_env: str,
) -> Iterator[str]:
    """Migrate and seed the database (default: SQLite in `data_dir`), serve the backend on a free port
    and yield its base URL; stops the server afterwards.

    `office_hours`: municipalities' own office hours to set after seeding (`set-office-hours`; None: the
    `OFFICE_HOURS` setting again, e.g. for Heideveen, whose demo hours are ma-do 08:30-16:30); `extra_env`
    for the backend's processes (e.g. `OFFICE_HOURS`)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{data_dir}/backend.db",
        "BACKEND_SERVICE_TOKEN": token,
        "DATA_DIR": str(data_dir),
        "VOORDEUR_ENV": "development",
        **extra_env,
    }
    commands = [["migrate"], ["seed"]] + [
        ["set-office-hours", slug, *([hours] if hours is not None else ["--clear"])]
        for slug, hours in (office_hours or {}).items()
    ]
    for command in commands:
        subprocess.run(
            [str(APP_PYTHON), "-m", "bot.backend", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    port = free_port()
    log = (data_dir / "backend.log").open("wb")
    process = subprocess.Popen(
        [str(APP_PYTHON), "-m", "bot.backend", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(
                "the backend did not start:\n" + (data_dir / "backend.log").read_text()[-2000:]
            )
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def use_backend(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """The environment the actions read to reach the test backend at `url` (and the default content)."""
    monkeypatch.setenv("ADDRESS_FORM", "je")
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    monkeypatch.delenv("DEFAULT_MUNICIPALITY", raising=False)
    monkeypatch.setenv("BACKEND_SERVICE_TOKEN", TOKEN)
    monkeypatch.setenv("BACKEND_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("BACKEND_URL", url)
