"""Delete one conversation from Rasa's tracker store (a resident's "Verwijder mijn gegevens").

Rasa 3.6 has no delete in its tracker store API, and `/restart` only appends a `Restarted` event:
the earlier events stay stored. So we delete the stored events ourselves, per store type.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    MongoTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)

logger = logging.getLogger(__name__)


class ForgetNotSupported(RuntimeError):
    """The configured tracker store type cannot delete a conversation here."""


def innermost_store(store: TrackerStore) -> TrackerStore:
    """Unwrap Rasa's AwaitableTrackerStore / FailSafeTrackerStore to the store that keeps the data."""
    seen: set[int] = set()
    while hasattr(store, "_tracker_store") and id(store) not in seen:
        seen.add(id(store))
        store = store._tracker_store
    return store


def delete_conversation(store: TrackerStore, sender_id: str) -> int:
    """Delete every stored event of `sender_id`; returns how many rows or records went."""
    inner: Any = innermost_store(store)
    if isinstance(inner, SQLTrackerStore):
        with inner.session_scope() as session:
            deleted = (
                session.query(inner.SQLEvent)
                .filter(inner.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return int(deleted)
    if isinstance(inner, InMemoryTrackerStore):
        return 1 if inner.store.pop(sender_id, None) is not None else 0
    if isinstance(inner, RedisTrackerStore):
        return int(inner.red.delete(inner.key_prefix + sender_id))
    if isinstance(inner, MongoTrackerStore):
        return int(inner.conversations.delete_many({"sender_id": sender_id}).deleted_count)
    raise ForgetNotSupported(f"cannot delete conversations from {type(inner).__name__}")
