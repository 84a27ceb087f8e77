"""The embedded tracker store: Rasa's SQL tracker store on SQLite, with connections kept open and a
write-ahead log.

Rasa 3.6 (SQLAlchemy 1.4) opens and closes a new SQLite connection for every database session, and
SQLite's defaults (rollback journal, synchronous FULL) make every commit wait for several disk flushes:
together about a tenth of the Rasa server's time per message in the py-spy profile of the load
benchmark (docs/load-benchmark.md). This store keeps its connections in a pool, as SQLAlchemy 2 does
for SQLite files, and uses a write-ahead log with synchronous NORMAL: a commit is a write, flushed at
checkpoints. A crash of Rasa loses nothing; a power cut may lose the last messages, never the
database (https://www.sqlite.org/pragma.html#pragma_synchronous). Production uses PostgreSQL with
Rasa's own store (endpoints.production.yml, docs/production.md).

It also reads and writes a conversation with two fixed SQL statements instead of ORM queries and objects:
Rasa reads every event of the session on every message and counts them again before each save; building
the ORM query (its cache key), an object per row and the flush were about 12% of the Rasa server's time in
the closed loop (py-spy, docs/load-benchmark.md). The statements say what Rasa's do: the events of the
latest session (since the last `session_started`, or all when there is none) in the order stored; a save
adds the tracker's events beyond those already stored, with the same columns.

endpoints.yml: `tracker_store: {type: bot.assistant.sqlite_tracker.SQLiteTrackerStore, db: <path>}`.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)

#: The events of a sender's latest session (Rasa's `_event_query`, `fetch_events_from_all_sessions=False`).
_LATEST_SESSION = (
    "FROM events WHERE sender_id = :sender AND timestamp >= COALESCE(("
    "SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :session_started), -1e308)"
)
_READ_LATEST = sa.text(f"SELECT data {_LATEST_SESSION} ORDER BY id")
_READ_ALL = sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id")
_COUNT_LATEST = sa.text(f"SELECT count(*) {_LATEST_SESSION}")
_INSERT = sa.text(
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"
)


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's `SQLTrackerStore.save` writes for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": ((data.get("parse_data") or {}).get("intent") or {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def tune_connection(dbapi_connection: Any, connection_record: Any = None) -> None:
    """Write-ahead log and synchronous NORMAL on each new SQLite connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # kept in the file; a no-op once set
        cursor.execute("PRAGMA synchronous=NORMAL")  # per connection
    except sqlite3.OperationalError as error:  # e.g. locked for a moment: the defaults still work
        logger.warning("SQLite tracker store keeps its default journal: %s", error)
    finally:
        cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` on a SQLite file, with pooled connections in WAL mode."""

    engine: Any  # SQLTrackerStore's (Rasa ships no types), replaced in __init__

    def __init__(self, db: str = "rasa.db", **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        super().__init__(dialect="sqlite", db=db, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        # One thread at a time per connection (the pool's job); Rasa uses the store from its event loop.
        self.engine = sa.create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", tune_connection)
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's `_retrieve`: the latest session's events (or all of them) as a tracker, or None."""
        statement = _READ_ALL if fetch_events_from_all_sessions else _READ_LATEST
        parameters = {"sender": sender_id, "session_started": SessionStarted.type_name}
        with self.engine.connect() as connection:
            events = [json.loads(data) for (data,) in connection.execute(statement, parameters)]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`: add the tracker's events beyond those the latest session already has."""
        await self.stream_events(tracker)
        parameters = {"sender": tracker.sender_id, "session_started": SessionStarted.type_name}
        with self.engine.begin() as connection:
            stored = connection.execute(_COUNT_LATEST, parameters).scalar_one()
            new_events = itertools.islice(tracker.events, stored, None)
            rows = [event_row(tracker.sender_id, event) for event in new_events]
            if rows:
                connection.execute(_INSERT, rows)
