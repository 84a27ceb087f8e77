"""Helpers of the staff-page tests: log in through the form, read the CSRF token, read the audit log, and a
stand-in for Rasa's HTTP API."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.models import AuditEntry, CaseStatus, Conversation
from bot.backend.services.handovers import create_handover
from tests.app.backend_helpers import default_municipality_id

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Accounts:
    staff_id: int
    admin_id: int


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the next page)."""
    token = csrf_of(client.get("/staff/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    response = client.post("/staff/login", data=form)
    assert response.status_code == 303, response.text
    page = client.get("/staff/overdrachten")
    assert page.status_code == 200
    return csrf_of(page.text)


def audit_actions(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


class StandInRasa:
    """A real HTTP server on 127.0.0.1 that answers as Rasa's HTTP API does for `GET .../tracker` (with
    `paused`, the conversation's `events` and `slots`) and records every `POST .../tracker/events`."""

    def __init__(self) -> None:
        self.paused: dict[str, bool] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}  # what GET .../tracker returns, per conversation
        self.slots: dict[str, dict[str, Any]] = {}  # the tracker's slots, per conversation
        self.posted: list[tuple[str, list[dict[str, Any]], str]] = []
        self.queries: list[str] = []  # of the GET requests
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _conversation(self) -> str:
                return self.path.split("/")[2]

            def do_GET(self) -> None:  # noqa: N802
                stand_in.queries.append(self.path.split("?")[1] if "?" in self.path else "")
                conversation = self._conversation()
                events = [] if "include_events=NONE" in self.path else stand_in.events.get(conversation, [])
                paused = stand_in.paused.get(conversation, False)
                slots = stand_in.slots.get(conversation, {})
                self._answer(json.dumps({"paused": paused, "events": events, "slots": slots}))

            def do_POST(self) -> None:  # noqa: N802
                events = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if isinstance(events, dict):  # `trigger_intent` posts one object, not a list of events
                    events = [events]
                conversation = self._conversation()
                stand_in.posted.append((conversation, events, self.path.split("?")[1]))
                for event in events:
                    if event.get("event") in ("pause", "resume"):
                        stand_in.paused[conversation] = event["event"] == "pause"
                self._answer("{}")

            def _answer(self, body: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@contextmanager
def stand_in_rasa() -> Iterator[StandInRasa]:
    """A running `StandInRasa`, shut down afterwards."""
    stand_in = StandInRasa()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        stand_in.server.shutdown()
        stand_in.server.server_close()


def reported_conversation(
    session: Session, conversation_id: str, at: datetime, topic: str | None, **extra: Any
) -> None:
    """A conversation as the bot reports it, first and last seen at `at` (the dashboard tests)."""
    session.add(
        Conversation(
            conversation_id=conversation_id,
            channel="socketio",
            topic=topic,
            first_seen_at=at,
            last_seen_at=at,
            **{"municipality_id": default_municipality_id(session), **extra},
        )
    )
    session.flush()


def handover_at(
    session: Session, conversation_id: str, at: datetime, topic: str | None = None, *, done: bool = False
) -> None:
    """A handover made at `at`; `done` closes it, so a later handover of the conversation is a new one."""
    handover = create_handover(
        session=session,
        conversation_id=conversation_id,
        channel="socketio",
        reason="vraagt iemand",
        topic=topic,
    )
    handover.created_at = at
    if done:
        handover.status = CaseStatus.DONE
    session.flush()
