"""Delete one conversation from Rasa's tracker store (a resident's "Verwijder mijn gegevens").

Rasa 3.6 has no delete in its tracker store API, and `/restart` only appends a `Restarted` event:
the earlier events stay stored. So we delete the stored events ourselves, per store type.

Two callers: Telegram's /stop (bot/assistant/channels/telegram.py) and the "verwijder mijn gegevens" dialogue:
after a turn in which `action_delete_my_data` (actions/privacy.py) set the slot `delete_requested`, the
message pipeline deletes the conversation (bot/assistant/channels/message_pipeline.py).
The retention command (scripts/purge_conversations.py) uses `delete_conversations_older_than`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    MongoTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
)
from sqlalchemy import func


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


def stale_conversations(store: TrackerStore, days: int, *, now: datetime | None = None) -> list[str]:
    """Sender ids of the SQL tracker store whose last event is older than `days` days."""
    inner: Any = innermost_store(store)
    if not isinstance(inner, SQLTrackerStore):
        raise ForgetNotSupported(f"retention needs the SQL tracker store, not {type(inner).__name__}")
    cutoff = (now or datetime.now(timezone.utc)).timestamp() - days * 86400
    with inner.session_scope() as session:
        rows = (
            session.query(inner.SQLEvent.sender_id)
            .group_by(inner.SQLEvent.sender_id)
            .having(func.max(inner.SQLEvent.timestamp) < cutoff)
            .all()
        )
    return sorted(row[0] for row in rows)


def delete_conversations_older_than(
    store: TrackerStore, days: int, *, dry_run: bool = False, now: datetime | None = None
) -> tuple[int, int]:
    """Delete conversations whose last event is older than `days` days: (conversations, events)."""
    senders = stale_conversations(store, days, now=now)
    if dry_run or not senders:
        inner: Any = innermost_store(store)
        with inner.session_scope() as session:
            events = (
                session.query(inner.SQLEvent).filter(inner.SQLEvent.sender_id.in_(senders)).count()
                if senders
                else 0
            )
        return len(senders), int(events)
    events = sum(delete_conversation(store, sender) for sender in senders)
    return len(senders), events
