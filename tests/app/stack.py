"""Start the whole assistant with the first README command (`make start`) on free ports, for tests.

Each stack gets its own data folder, so tests never touch a developer's database. The widget's
origin (the backend) is allowed by Rasa's CORS setting.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
STARTED_MARK = "Voordeur is running"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def read_env_file_value(key: str) -> str:
    for line in (ROOT / ".env").read_text().splitlines():
        if line.startswith(f"{key}="):
            return line.split("=", 1)[1]
    raise AssertionError(f".env has no {key}")


class Stack:
    """A running `make start`: its process, environment, ports and start-up log."""

    def __init__(self, process: subprocess.Popen[bytes], env: dict[str, str], log: Path) -> None:
        self.process, self.env, self.log = process, env, log
        self.rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
        self.backend = f"http://127.0.0.1:{env['BACKEND_PORT']}"

    def say(self, sender: str, message: str) -> list[dict]:
        """One message over Rasa's REST channel; returns the bot's replies."""
        response = httpx.post(f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                              timeout=60)
        response.raise_for_status()
        return response.json()

    def ports(self) -> list[int]:
        return [int(self.env[name]) for name in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT")]


@contextmanager
def running_stack(data_dir: Path, extra_env: dict[str, str] | None = None, timeout: float = 420) -> Iterator[Stack]:
    """`make start` on free ports; killed at exit if a test did not stop it."""
    env = {key: value for key, value in os.environ.items() if key not in ("ACTION_ENDPOINT_URL", "BACKEND_URL")}
    env.update({"RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "BACKEND_PORT": str(free_port())})
    env.update({
        "DATA_DIR": str(data_dir),
        "RASA_TRACKER_DB": str(data_dir / "rasa-tracker.db"),
        "STARTUP_TIMEOUT": "300",
        "RASA_CORS_ORIGINS": f"http://127.0.0.1:{env['BACKEND_PORT']} http://localhost:{env['BACKEND_PORT']}",
    })
    env.update(extra_env or {})
    log = data_dir / "start.log"
    with log.open("wb") as output:
        process = subprocess.Popen(["make", "start"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while STARTED_MARK not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("`make start` did not come up:\n" + log.read_text(errors="replace")[-4000:])
            time.sleep(1)
        yield Stack(process, env, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
