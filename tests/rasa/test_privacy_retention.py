"""Retention of Rasa conversations: `scripts/purge_conversations.py` on SQLite and PostgreSQL stores.

Conversations whose last event is older than the period go with all their events; recent ones stay;
a dry run deletes nothing. PostgreSQL (127.0.0.1:5432) must be running: those tests fail without it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.assistant.channels.forget import delete_conversation, stale_conversations

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "purge_conversations.py"
DAY = 86400
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def endpoints(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """An endpoints file whose SQL tracker store is a fresh SQLite file or PostgreSQL database."""
    path = tmp_path / "endpoints.yml"
    if request.param == "sqlite":
        # The embedded default's store (endpoints.yml): Rasa's SQL store on SQLite, pooled and in WAL mode.
        store = "bot.assistant.sqlite_tracker.SQLiteTrackerStore"
        path.write_text(f"tracker_store:\n  type: {store}\n  db: {tmp_path / 'tracker.db'}\n")
        yield path
        return
    name = f"voordeur_rasa_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(**POSTGRES, connect_timeout=5)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    path.write_text(
        "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n  port: 5432\n"
        f"  db: {name}\n  username: postgres\n"
    )
    try:
        yield path
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def open_store(endpoints: Path) -> TrackerStore:
    return TrackerStore.create(AvailableEndpoints.read_endpoints(str(endpoints)).tracker_store)


def save_conversation(store: TrackerStore, sender: str, days_ago: float, text: str) -> None:
    """Add a short exchange that happened `days_ago` days ago to the conversation `sender`."""
    at = time.time() - days_ago * DAY
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, [])
    for event in (
        ActionExecuted("action_listen", timestamp=at - 2),
        UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at - 1),
        BotUttered("Hallo!", timestamp=at),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))


def stored_senders(store: TrackerStore) -> set[str]:
    assert isinstance(store, SQLTrackerStore)
    with store.session_scope() as session:
        return {row[0] for row in session.query(store.SQLEvent.sender_id).distinct()}


#: A run under libfaketime (the "after 31 December" check of docs/content.md) must give the purge the same
#: clock as the test that wrote the events.
CLOCK_VARIABLES = {
    key: value for key, value in os.environ.items() if key == "LD_PRELOAD" or key.startswith("FAKETIME")
}


def run_purge(endpoints: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--endpoints", str(endpoints), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "RETENTION_CONVERSATION_DAYS": "30",
             **CLOCK_VARIABLES},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def populate(store: TrackerStore) -> None:
    save_conversation(store, "old-1", 45, "oud gesprek een")
    save_conversation(store, "old-2", 31, "oud gesprek twee")
    save_conversation(store, "recent", 2, "recent gesprek")
    save_conversation(store, "long-running", 60, "begon lang geleden")
    save_conversation(store, "long-running", 0.5, "maar is nog bezig")  # its last event is recent


def test_purge_deletes_old_conversations_and_keeps_recent_ones(endpoints: Path) -> None:
    store = open_store(endpoints)
    populate(store)
    assert stale_conversations(store, 30) == ["old-1", "old-2"]

    dry = run_purge(endpoints, "--dry-run")
    assert "purge-conversations (dry run): would delete 2 conversations (6 events)" in dry
    assert stored_senders(store) == {"old-1", "old-2", "recent", "long-running"}

    report = endpoints.parent / "rasa-purge.json"
    real = run_purge(endpoints, "--report", str(report))
    assert "deleted 2 conversations (6 events) whose last message is older than 30 days" in real
    # The counts the backend's purge puts in its audit entry (make purge passes the file on).
    assert json.loads(report.read_text()) == {"conversations": 2, "events": 6, "days": 30, "dry_run": False}
    assert stored_senders(store) == {"recent", "long-running"}
    assert len(asyncio_retrieve(store, "long-running").events) == 6  # kept whole

    assert "deleted 0 conversations" in run_purge(endpoints)
    assert "deleted 1 conversations" in run_purge(endpoints, "--days", "1")  # "recent" is 2 days old


def test_delete_one_conversation(endpoints: Path) -> None:
    store = open_store(endpoints)
    populate(store)
    assert delete_conversation(store, "recent") == 3
    assert delete_conversation(store, "recent") == 0
    assert stored_senders(store) == {"old-1", "old-2", "long-running"}


def asyncio_retrieve(store: TrackerStore, sender: str) -> DialogueStateTracker:
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not None
    return tracker


def test_purge_removes_whatsapp_numbers_past_the_retention_period(endpoints: Path) -> None:
    """The WhatsApp channel's number table goes with the conversations (also when the channel is not on)."""
    from bot.assistant.channels.forget import innermost_store
    from bot.assistant.channels.whatsapp_contacts import SqlContacts

    store = open_store(endpoints)
    populate(store)
    contacts = SqlContacts(innermost_store(store).engine)
    contacts.touch("31600000001", "wa-old", time.time() - 40 * DAY)
    contacts.touch("31600000002", "wa-recent", time.time() - 1 * DAY)

    assert "WhatsApp" not in run_purge(endpoints, "--dry-run")
    assert contacts.wa_id_of("wa-old") == "31600000001"
    out = run_purge(endpoints)
    assert "deleted 1 WhatsApp contacts (numbers) that did not write for 30 days" in out
    assert contacts.wa_id_of("wa-old") is None
    assert contacts.wa_id_of("wa-recent") == "31600000002"
