"""Start the whole assistant with the first README command (`make start`) on free ports, for tests.

Each stack gets its own data folder (and its own log folder, `<data>/log`), so tests never touch a
developer's database. The widget's origin (the backend) is allowed by Rasa's CORS setting. With
`replicas=2` (and `VOORDEUR_STORES=production` in `extra_env`) it runs two Rasa replicas on
consecutive free ports.
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

from tests.ports import free_consecutive_ports, free_port

ROOT = Path(__file__).resolve().parents[2]
STARTED_MARK = "Voordeur is running"
#: The shared stack's Rasa API token starts with "-" (a random secret can): `rasa run` must not take it for
#: an option (tests/app/test_smoke_start.py).
DASH_TOKEN = "-smoke-api-token-that-starts-with-a-dash"


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
        replicas = int(env.get("RASA_REPLICAS", "1"))
        self.rasa_ports = [int(env["RASA_PORT"]) + index for index in range(replicas)]
        self.rasa_urls = [f"http://127.0.0.1:{port}" for port in self.rasa_ports]
        self.log_dir = Path(env["VOORDEUR_LOG_DIR"])

    def say(self, sender: str, message: str) -> list[dict]:
        """One message over Rasa's REST channel; returns the bot's replies."""
        response = httpx.post(
            f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def plain_log(self) -> str:
        """The start-up log without the bold codes of its `[voordeur]` lines."""
        return self.log.read_text().replace("\x1b[1m", "").replace("\x1b[0m", "")

    def setting(self, key: str) -> str:
        """A value as the stack's processes see it: their environment first, then .env."""
        return self.env.get(key) or read_env_file_value(key)

    def create_handover(self, conversation_id: str, summary: str) -> int:
        """A handover as the bot's action records it (backend API, service token); returns its id."""
        created = httpx.post(
            f"{self.backend}/api/handovers",
            headers={"Authorization": f"Bearer {self.setting('BACKEND_SERVICE_TOKEN')}"},
            timeout=30,
            json={
                "conversation_id": conversation_id,
                "channel": "rest",
                "reason": "inwoner vraagt een medewerker",
                "topic": "schulden",
                "summary": summary,
                "contact_request": "in deze chat",
            },
        )
        assert created.status_code == 201, created.text
        return int(created.json()["id"])

    def ports(self) -> list[int]:
        return [*self.rasa_ports, int(self.env["ACTION_PORT"]), int(self.env["BACKEND_PORT"])]

    def process_listening_on(self, port: int) -> int:
        """The pid of this stack's process whose command line says `--port PORT` (a Rasa replica, say)."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                in_stack = os.getpgid(int(entry.name)) == self.process.pid
            except (OSError, ProcessLookupError):
                continue
            if in_stack and b"--port" in cmdline:
                if cmdline[cmdline.index(b"--port") + 1] == str(port).encode():
                    return int(entry.name)
        raise AssertionError(f"no process of the stack listens on port {port}")


@contextmanager
def running_stack(
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 420,
    *,
    replicas: int = 1,
    target: str = "start",
    more_origins: tuple[str, ...] = (),
) -> Iterator[Stack]:
    """`make <target>` (default `make start`) on free ports; killed at exit if a test did not stop it.

    `more_origins`: websites besides the backend's own that may embed the widget; RASA_CORS_ORIGINS is
    then written with quotes around it, as docs/widget.md shows it."""
    inherited = ("ACTION_ENDPOINT_URL", "BACKEND_URL")
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update(
        {
            "RASA_PORT": str(free_consecutive_ports(replicas)),
            "ACTION_PORT": str(free_port()),
            "BACKEND_PORT": str(free_port()),
            "RASA_REPLICAS": str(replicas),
        }
    )
    env.update(
        {
            "DATA_DIR": str(data_dir),
            "VOORDEUR_LOG_DIR": str(data_dir / "log"),
            "RASA_TRACKER_DB": str(data_dir / "rasa-tracker.db"),
            "STARTUP_TIMEOUT": str(300 * replicas),
            "RASA_CORS_ORIGINS": f"http://127.0.0.1:{env['BACKEND_PORT']} http://localhost:{env['BACKEND_PORT']}",
        }
    )
    if more_origins:
        env["RASA_CORS_ORIGINS"] = '"' + " ".join([env["RASA_CORS_ORIGINS"], *more_origins]) + '"'

    env.update(extra_env or {})
    log = data_dir / "start.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", target],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while STARTED_MARK not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-4000:]
                raise AssertionError(f"`make {target}` did not come up:\n{tail}")
            time.sleep(1)
        yield Stack(process, env, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
