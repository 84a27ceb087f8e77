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

endpoints.yml: `tracker_store: {type: bot.sqlite_tracker.SQLiteTrackerStore, db: <path>}`.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

logger = logging.getLogger(__name__)


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

    def __init__(self, db: str = "rasa.db", **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        super().__init__(dialect="sqlite", db=db, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        # One thread at a time per connection (the pool's job); Rasa uses the store from its event loop.
        self.engine = sa.create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
        event.listen(self.engine, "connect", tune_connection)
        self.sessionmaker = sessionmaker(bind=self.engine)
