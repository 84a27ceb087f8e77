"""Real Rasa servers for the Rasa-side server tests: `rasa run actions` and `rasa run` with the trained
model, each a subprocess with its own log file, on free ports.

Used by the *_server.py tests and test_telegram_channel.py; `rasa_stack` starts the usual trio.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.rasa.booking_backend import TOKEN, free_port, running_backend

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv" / "rasa" / "bin" / "rasa"
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"
#: The shared secret between Rasa (endpoints.yml) and the action server in these tests.
ACTION_SERVER_TOKEN = "action-server-tests-secret-0123456789"
MODEL = ROOT / "models" / "voordeur.tar.gz"
#: The project's channels, as in credentials.yml (unquoted ${VAR}: Rasa expands only those), for the
#: masking and handover servers, which drive each of them (Telegram through its stand-in). Not WhatsApp:
#: test_whatsapp_channel.py runs its own server against the Cloud API stand-in; every channel of
#: credentials.yml starts together in the `make start` tests (tests/app/test_smoke_start.py).
ALL_CHANNELS = """\
bot.assistant.channels.web_channels.RestInput:
bot.assistant.channels.web_channels.SocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
bot.assistant.channels.telegram.TelegramInput:
  access_token: ${TELEGRAM_TOKEN}
  webhook_secret: ${TELEGRAM_WEBHOOK_SECRET}
  base_url: ${TELEGRAM_BASE_URL}
  mode: webhook
"""


#: The REST channel alone, for the stacks that need no other channel.
REST_ONLY = "bot.assistant.channels.web_channels.RestInput:\n"
#: The HTTP API token of the shared REST stack (it starts with a dash, as a random secret can).
REST_STACK_TOKEN = "-rest-stack-api-token"


@dataclass(frozen=True)
class RestStack:
    """The shared stack of the REST-only server tests (tests/rasa/conftest.py `rest_stack`)."""

    url: str
    backend_url: str
    folder: Path


def trained_model() -> Path:
    assert MODEL.exists(), "no trained model; run `make train`"
    return MODEL


def rasa_env(action_port: int, **extra: str) -> dict[str, str]:
    """The environment of both processes: this checkout importable, the action server on `action_port`."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
        # Not the developer's .env (scripts/test.sh exports it): the socket server's own origin only.
        "RASA_CORS_ORIGINS": "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }


def rasa_env_with_backend(action_port: int, folder: Path, backend_url: str, **extra: str) -> dict[str, str]:
    """`rasa_env` for actions that use the real backend at `backend_url`; tracker store in `folder`,
    the content files of the checkout (no `CONTENT_DIR` from the caller's environment)."""
    env = rasa_env(
        action_port,
        RASA_TRACKER_DB=str(folder / "tracker.db"),
        BACKEND_URL=backend_url,
        BACKEND_SERVICE_TOKEN=TOKEN,
        ADDRESS_FORM="je",
        **extra,
    )
    env.pop("CONTENT_DIR", None)
    return env


def actions_command(port: int) -> list[str]:
    """Our action server (bot/assistant/action_server.py) on 127.0.0.1:`port`; needs ACTION_SERVER_TOKEN."""
    return [str(RASA_PYTHON), "-m", "bot.assistant.action_server", "--port", str(port)]


def rasa_command(credentials: Path, port: int, api_token: str) -> list[str]:
    """`rasa run` with the trained model, the HTTP API on and the project's endpoints.yml."""
    return [str(RASA), "run", "--model", str(trained_model()), "--credentials", str(credentials),
            "--endpoints", "endpoints.yml", "--port", str(port), "--interface", "127.0.0.1",
            "--enable-api", f"--auth-token={api_token}"]  # fmt: skip


def up(url: str, api_token: str | None = None) -> bool:
    params = {"token": api_token} if api_token else None
    return httpx.get(url, params=params, timeout=2).status_code == 200


def say(rasa_url: str, sender: str, text: str) -> list[dict[str, Any]]:
    """A resident's message through the REST channel; the bot's replies."""
    response = httpx.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return list(response.json())


class Processes:
    """Subprocesses started from the checkout, each logging to `<folder>/<name>.log`."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.running: dict[Path, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], extra_env: dict[str, str] | None = None) -> None:
        log = self.folder / f"{name}.log"
        with log.open("wb") as output:
            self.running[log] = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **(extra_env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_until(self, check: Callable[[], bool], timeout: float = 240) -> None:
        """Wait until `check()` is true; fail with the logs when a process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for log, process in self.running.items():
                if process.poll() is not None:
                    raise AssertionError(f"{log.name} exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if check():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(
            "Rasa did not start in time:\n"
            + "\n".join(log.read_text(errors="replace")[-2000:] for log in self.running)
        )

    def stop(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def rasa_stack(folder: Path, credentials: str, api_token: str, **extra_env: str) -> Iterator[tuple[str, str]]:
    """A real case backend, the action server and Rasa with `credentials` (and `extra_env` for all three):
    yields (Rasa URL, backend URL)."""
    (folder / "credentials.yml").write_text(credentials)
    with running_backend(folder, **extra_env) as backend_url:
        action_port, rasa_port = free_port(), free_port()
        processes = Processes(folder, rasa_env_with_backend(action_port, folder, backend_url, **extra_env))
        processes.start("actions", actions_command(action_port))
        processes.start("rasa", rasa_command(folder / "credentials.yml", rasa_port, api_token))
        url = f"http://127.0.0.1:{rasa_port}"
        try:
            processes.wait_until(
                lambda: up(f"http://127.0.0.1:{action_port}/health") and up(f"{url}/status", api_token),
                timeout=300,
            )
            yield url, backend_url
        finally:
            processes.stop()
