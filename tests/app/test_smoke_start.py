"""Smoke test of the first README command: `make start` runs the stack, which answers over REST.

Starts the real processes on free ports with a throw-away data folder, talks to Rasa's REST channel
and HTTP API, runs the terminal chat against it, then presses Ctrl-C and expects a clean stop.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    def __init__(self, process: subprocess.Popen[bytes], env: dict[str, str], log: Path) -> None:
        self.process, self.env, self.log = process, env, log
        self.rasa = f"http://127.0.0.1:{env['RASA_PORT']}"

    def say(self, sender: str, message: str) -> list[dict]:
        response = httpx.post(f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                              timeout=60)
        response.raise_for_status()
        return response.json()


def read_token() -> str:
    for line in (ROOT / ".env").read_text().splitlines():
        if line.startswith("RASA_AUTH_TOKEN="):
            return line.split("=", 1)[1]
    raise AssertionError(".env has no RASA_AUTH_TOKEN")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("data")
    env = {key: value for key, value in os.environ.items() if key not in ("ACTION_ENDPOINT_URL", "BACKEND_URL")}
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "BACKEND_PORT": free_port()}
    env.update({key: str(value) for key, value in ports.items()})
    env.update({"DATA_DIR": str(data_dir), "RASA_TRACKER_DB": str(data_dir / "rasa-tracker.db"),
                "STARTUP_TIMEOUT": "300"})
    log = data_dir / "start.log"
    with log.open("wb") as output:
        process = subprocess.Popen(["make", "start"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 420
    while "Voordeur is running" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL) if process.poll() is None else None
            pytest.fail("`make start` did not come up:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(1)
    running = Stack(process, env, log)
    yield running
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)


def test_start_prints_the_urls_and_the_spacy_pipeline(stack: Stack) -> None:
    output = stack.log.read_text()
    assert "spaCy pipeline in use:" in output
    for port in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT"):
        assert f"http://127.0.0.1:{stack.env[port]}" in output


def test_first_reply_introduces_the_assistant_with_topic_buttons(stack: Stack) -> None:
    replies = stack.say("smoke-greeting", "hallo")
    first = replies[0]
    assert "digitale assistent van het wijkteam" in first["text"]
    assert "computer, geen mens" in first["text"]
    assert [button["title"] for button in first["buttons"]] == [
        "Geldzorgen", "Wonen", "Opvoeden en jeugd", "Iemand spreken"]


def test_a_crisis_message_gets_the_number_first(stack: Stack) -> None:
    replies = stack.say("smoke-crisis", "ik wil niet meer leven")
    texts = [reply.get("text", "") for reply in replies]
    assert texts[-1].startswith("Bel 113 of 0800-0113")
    assert any(button["payload"] == "/request_human" for button in replies[-1]["buttons"])


def test_html_and_huge_messages_get_a_kind_answer(stack: Stack) -> None:
    assert stack.say("smoke-html", "<img src=x onerror=alert(1)>")
    replies = stack.say("smoke-huge", "ik heb een vraag over mijn huur " * 1700)
    assert replies and all("text" in reply for reply in replies)


def test_rasa_http_api_needs_the_token_and_stores_in_sqlite(stack: Stack) -> None:
    stack.say("smoke-api", "goedemorgen")
    url = f"{stack.rasa}/conversations/smoke-api/tracker"
    assert httpx.get(url, timeout=30).status_code == 401
    tracker = httpx.get(url, params={"token": read_token()}, timeout=30).json()
    assert any(event.get("text") == "goedemorgen" for event in tracker["events"] if event["event"] == "user")
    assert Path(stack.env["RASA_TRACKER_DB"]).stat().st_size > 0


def test_backend_health(stack: Stack) -> None:
    response = httpx.get(f"http://127.0.0.1:{stack.env['BACKEND_PORT']}/health", timeout=10)
    assert response.json() == {"status": "ok"}


def test_terminal_chat_talks_to_the_running_assistant(stack: Stack) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/chat.py", "--url", stack.rasa], cwd=ROOT, input="hoi\n1\n\n",
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "digitale assistent" in result.stdout
    assert "[1] Geldzorgen" in result.stdout
    assert "Geldzorgen zijn zwaar" in result.stdout  # button 1 was pressed


def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    os.killpg(stack.process.pid, signal.SIGINT)
    assert stack.process.wait(timeout=90) == 0
    time.sleep(1)
    for port in ("RASA_PORT", "ACTION_PORT", "BACKEND_PORT"):
        assert not port_open(int(stack.env[port])), f"{port} still open after Ctrl-C"
