"""The job queue's worker as `make start` runs it (issue 24), against a local stand-in of Rasa's HTTP API.

- Embedded default (SQLite queue file, SQLite database): deliveries queued by `run-due` while no worker
  runs are kept and sent when the worker starts (jobs survive a restart); each due message reaches Rasa's
  `trigger_intent` once, on its channel; a message Rasa refuses is tried again later; SIGTERM stops it.
- Production form (Redis queue, PostgreSQL database): two workers and two dispatches at the same moment
  (as two replicas' every-minute dispatch): every message is sent exactly once.
The clock is moved with `run-due --at`, never by waiting for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.db import build_engine
from bot.backend.models import MessageKind, MessageStatus, ScheduledMessage
from bot.backend.services.quiet_hours import QuietHours
from bot.backend.services.scheduled_messages import schedule_message
from tests.app.backend_helpers import ThrowAwayPostgres, migrated_database, migrated_postgres
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
AMS = ZoneInfo("Europe/Amsterdam")
TOKEN = "rasa-test-token"
DUE = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Amsterdam: not in quiet hours
REFUSED = "tg-refused"
PAUSED = "tg-paused"  # a medewerker has this conversation
IN_FORM = "tg-in-form"  # the resident is filling in the callback form right now
LEFT_FORM = "tg-left-form"  # ... left a form half-way two hours ago


class RasaStandIn:
    """Records `POST /conversations/{id}/trigger_intent`; answers 500 for the conversation REFUSED."""

    def __init__(self) -> None:
        self.calls: list[dict[str, object]] = []
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)) or b"{}")
                parts = url.path.strip("/").split("/")
                conversation = unquote(parts[1]) if len(parts) == 3 else ""
                query = parse_qs(url.query)
                with stand_in.lock:
                    stand_in.calls.append(
                        {"conversation": conversation, "path": parts[-1], "query": query, "body": body}
                    )
                status = 500 if conversation == REFUSED or query.get("token") != [TOKEN] else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def do_GET(self) -> None:  # noqa: N802 - the tracker's state (`is_paused`)
                conversation = unquote(urlparse(self.path).path.strip("/").split("/")[1])
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                loop = {"name": "callback_form"} if conversation in (IN_FORM, LEFT_FORM) else {}
                latest = DUE - timedelta(minutes=10 if conversation == IN_FORM else 120)
                state = {
                    "paused": conversation == PAUSED,
                    "active_loop": loop,
                    "latest_event_time": latest.timestamp(),
                }
                self.wfile.write(json.dumps(state).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def conversations(self) -> list[str]:
        with self.lock:
            return [str(call["conversation"]) for call in self.calls]

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    stand_in = RasaStandIn()
    yield stand_in
    stand_in.close()


def backend_env(tmp_path: Path, database_url: str, rasa_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JOBS_", "DATABASE_URL"))}
    env.update(
        DATA_DIR=str(tmp_path),
        DATABASE_URL=database_url,
        RASA_URL=rasa_url,
        RASA_AUTH_TOKEN=TOKEN,
        QUIET_HOURS="20:00-09:00",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def backend(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "bot.backend", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [PYTHON, "-m", "bot.backend", "worker", "--no-periodic", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def plan(url: str, conversations: list[str], *, due_at: datetime = DUE) -> list[int]:
    engine = build_engine(url)
    try:
        with Session(engine) as session, session.begin():
            messages = [
                schedule_message(
                    session,
                    kind=MessageKind.CHECKIN,
                    channel="telegram",
                    conversation_id=conversation,
                    due_at=due_at,
                    tz=AMS,
                    quiet_hours=QuietHours.parse("20:00-09:00"),
                    topic="schulden",
                    plan_id="brieven-ordenen",
                )
                for conversation in conversations
            ]
            return [message.id for message in messages if message is not None]
    finally:
        engine.dispose()


def statuses(url: str) -> dict[str, MessageStatus]:
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(ScheduledMessage.conversation_id, ScheduledMessage.status)).all()
            return {str(conversation): status for conversation, status in rows}
    finally:
        engine.dispose()


def wait_until(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_queued_deliveries_survive_until_the_worker_runs_and_go_out_once(
    tmp_path: Path, rasa: RasaStandIn
) -> None:
    with migrated_database("sqlite", f"sqlite:///{tmp_path / 'backend.db'}") as db:
        plan(db.url, ["tg-1", "tg-2", REFUSED, PAUSED, IN_FORM, LEFT_FORM])
        plan(db.url, ["tg-tomorrow"], due_at=DUE + timedelta(days=1))
        env = backend_env(tmp_path, db.url, rasa.url)

        queued = backend(env, "run-due", "--at", DUE.isoformat())  # no worker runs yet: only queued
        assert queued.returncode == 0, queued.stderr
        assert "6 message(s) due" in queued.stdout
        assert rasa.calls == []
        assert (tmp_path / "jobs.db").exists()

        with worker(env) as process:  # a worker (re)started later finds the queued jobs
            wait_until(lambda: sorted(rasa.conversations()) == sorted(["tg-1", "tg-2", REFUSED, LEFT_FORM]))
            wait_until(lambda: statuses(db.url)["tg-1"] == MessageStatus.SENT)
            first = [call for call in rasa.calls if call["conversation"] == "tg-1"][0]
            assert first["path"] == "trigger_intent"
            assert first["query"]["output_channel"] == ["telegram"]  # type: ignore[index]
            body = first["body"]
            assert isinstance(body, dict) and body["name"] == "EXTERNAL_checkin"
            assert (
                body["entities"]["plan_id"] == "brieven-ordenen" and body["entities"]["topic"] == "schulden"
            )
            wait_until(lambda: statuses(db.url)[REFUSED] == MessageStatus.PENDING)  # to be tried again
            assert statuses(db.url)["tg-tomorrow"] == MessageStatus.PENDING
            wait_until(lambda: statuses(db.url)[PAUSED] == MessageStatus.PENDING)  # waits for the person
            wait_until(lambda: statuses(db.url)[IN_FORM] == MessageStatus.PENDING)  # ... for the form's end
            assert PAUSED not in rasa.conversations() and IN_FORM not in rasa.conversations()

            again = backend(env, "run-due", "--at", DUE.isoformat())  # the same moment again: nothing new
            assert "0 message(s) due" in again.stdout, again.stdout
            tomorrow = backend(env, "run-due", "--at", (DUE + timedelta(days=1)).isoformat())
            assert "4 message(s) due" in tomorrow.stdout  # REFUSED's retry, PAUSED's, IN_FORM's, tomorrow's
            wait_until(lambda: statuses(db.url)["tg-tomorrow"] == MessageStatus.SENT)
            time.sleep(1)  # let a wrongly doubled delivery show
            expected = [
                "tg-1",
                "tg-2",
                REFUSED,
                REFUSED,
                LEFT_FORM,
                IN_FORM,
                "tg-tomorrow",
            ]  # the form is old now
            assert sorted(c for c in rasa.conversations() if c != PAUSED) == sorted(expected)

            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) in (0, -signal.SIGTERM, 143)


@pytest.mark.postgres
def test_two_workers_on_redis_and_postgresql_send_each_message_once(
    tmp_path: Path, rasa: RasaStandIn, postgres_databases: ThrowAwayPostgres
) -> None:
    queue = f"test-{uuid.uuid4().hex[:12]}"
    jobs = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    jobs.ping()  # fails loudly when Redis is not running
    conversations = [f"tg-{n}" for n in range(40)]
    with migrated_postgres(postgres_databases) as db:
        plan(db.url, conversations)
        env = backend_env(tmp_path, db.url, rasa.url, JOBS_URL="redis://127.0.0.1:6379/0", JOBS_QUEUE=queue)
        try:
            with worker(env), worker(env):
                dispatches = [
                    subprocess.Popen(
                        [PYTHON, "-m", "bot.backend", "run-due", "--at", DUE.isoformat()],
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                    for _ in range(2)
                ]
                outputs = [process.communicate(timeout=120)[0] for process in dispatches]
                wait_until(lambda: len(rasa.calls) >= len(conversations), timeout=60)
                time.sleep(1.5)  # let a wrongly doubled delivery show
                assert sorted(rasa.conversations()) == sorted(conversations)
                assert set(statuses(db.url).values()) == {MessageStatus.SENT}
            claimed = sum(int(output.split("run-due: ")[-1].split()[0]) for output in outputs)
            assert claimed == len(conversations)  # split between the two dispatches, none claimed twice
        finally:
            for key in jobs.scan_iter(f"*{queue}*"):
                jobs.delete(key)
