"""Which WhatsApp number belongs to which conversation, and when the resident last wrote.

A resident's WhatsApp id (`wa_id`) is their phone number: personal data that Rasa's tracker store, the
NLU, the logs and the case backend should not keep. The conversation id is a keyed hash of it instead,
`wa-` and 32 hex characters (HMAC-SHA256 with a key derived from the app secret). To reply (a staff
reply hours later, the bot's message after a handover) the channel needs the number back, so this
store keeps the pair, plus the time of the resident's last message for WhatsApp's 24-hour window.

The store lives in the tracker store's own database when that is SQL (SQLite or PostgreSQL: shared by
every replica, its own table `voordeur_whatsapp_contacts`), else in this process's memory (tests, the
in-memory tracker store). A contact is removed when the resident has their conversation deleted, and
when they have not written for `RETENTION_CONVERSATION_DAYS` (default 30), like their conversation.
Existing pairs win over the hash, so a changed app secret does not split a resident's conversation.

The same store remembers which messages arrived (`first_delivery`): Meta delivers a message again when a
webhook answered late, possibly to another replica, so the ids are kept where every replica sees them
(table `voordeur_whatsapp_deliveries`), as keyed hashes (a WhatsApp message id contains the number), for
`DELIVERY_MEMORY_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.assistant.channels.forget import innermost_store

logger = logging.getLogger(__name__)

PREFIX = "wa-"
HASH_LENGTH = 32
DEFAULT_RETENTION_DAYS = 30
PURGE_EVERY_SECONDS = 3600.0
#: How long a message id is remembered: Meta retries a delivery for up to about a day.
DELIVERY_MEMORY_SECONDS = 2 * 86400.0
_KEY_CONTEXT = b"voordeur whatsapp conversation id"

_metadata = sa.MetaData()
CONTACTS = sa.Table(
    "voordeur_whatsapp_contacts",
    _metadata,
    sa.Column("sender_id", sa.String(64), primary_key=True),
    sa.Column("wa_id", sa.String(32), nullable=False, unique=True),
    sa.Column("last_inbound_at", sa.Float, nullable=False, index=True),
)
DELIVERIES = sa.Table(
    "voordeur_whatsapp_deliveries",
    _metadata,
    sa.Column("message_key", sa.String(64), primary_key=True),
    sa.Column("received_at", sa.Float, nullable=False, index=True),
)


def id_key(app_secret: str) -> bytes:
    """The hashing key, derived from the app secret (the same on every replica)."""
    return hmac.new(app_secret.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def hashed_sender_id(wa_id: str, key: bytes) -> str:
    """`wa-` and a keyed hash of the WhatsApp id: the conversation id Rasa keeps."""
    return PREFIX + hmac.new(key, wa_id.encode(), hashlib.sha256).hexdigest()[:HASH_LENGTH]


def retention_days(environ: dict[str, str] | None = None) -> int:
    raw = (os.environ if environ is None else environ).get("RETENTION_CONVERSATION_DAYS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_RETENTION_DAYS


class ContactStore(Protocol):
    def touch(self, wa_id: str, sender_id: str, at: float) -> str: ...
    def wa_id_of(self, sender_id: str) -> str | None: ...
    def last_inbound(self, sender_id: str) -> float | None: ...
    def forget(self, sender_id: str) -> None: ...
    def purge_older_than(self, cutoff: float) -> int: ...
    def first_delivery(self, message_key: str, at: float) -> bool: ...
    def forget_deliveries_before(self, cutoff: float) -> None: ...


class MemoryContacts:
    """Contacts in this process's memory (at most `size`, the least recently heard from go first)."""

    def __init__(self, size: int = 100_000) -> None:
        self._by_sender: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._by_wa_id: dict[str, str] = {}
        self._deliveries: OrderedDict[str, float] = OrderedDict()
        self._size = size

    def touch(self, wa_id: str, sender_id: str, at: float) -> str:
        """Record a message of `wa_id` at `at`; returns the conversation id (an existing one wins)."""
        sender_id = self._by_wa_id.get(wa_id, sender_id)
        self._by_sender[sender_id] = (wa_id, at)
        self._by_sender.move_to_end(sender_id)
        self._by_wa_id[wa_id] = sender_id
        while len(self._by_sender) > self._size:
            _, (old, _) = self._by_sender.popitem(last=False)
            self._by_wa_id.pop(old, None)
        return sender_id

    def wa_id_of(self, sender_id: str) -> str | None:
        found = self._by_sender.get(sender_id)
        return found[0] if found else None

    def last_inbound(self, sender_id: str) -> float | None:
        found = self._by_sender.get(sender_id)
        return found[1] if found else None

    def forget(self, sender_id: str) -> None:
        found = self._by_sender.pop(sender_id, None)
        if found:
            self._by_wa_id.pop(found[0], None)

    def purge_older_than(self, cutoff: float) -> int:
        old = [sender for sender, (_, at) in self._by_sender.items() if at < cutoff]
        for sender in old:
            self.forget(sender)
        return len(old)

    def first_delivery(self, message_key: str, at: float) -> bool:
        """True the first time a message arrives; remembers it (at most `size` ids)."""
        if message_key in self._deliveries:
            return False
        self._deliveries[message_key] = at
        while len(self._deliveries) > self._size:
            self._deliveries.popitem(last=False)
        return True

    def forget_deliveries_before(self, cutoff: float) -> None:
        while self._deliveries and next(iter(self._deliveries.values())) < cutoff:
            self._deliveries.popitem(last=False)


class SqlContacts:
    """Contacts in a table of the tracker store's database (created when missing)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self._engine = engine
        _metadata.create_all(engine, tables=[CONTACTS, DELIVERIES])

    def touch(self, wa_id: str, sender_id: str, at: float) -> str:
        """Record a message of `wa_id` at `at`; returns the conversation id (an existing one wins)."""
        for _ in range(2):  # a second try when another replica inserted the same number meanwhile
            with self._engine.begin() as connection:
                existing = connection.execute(
                    sa.select(CONTACTS.c.sender_id).where(CONTACTS.c.wa_id == wa_id)
                ).scalar()
                if existing is not None:
                    connection.execute(
                        CONTACTS.update().where(CONTACTS.c.wa_id == wa_id).values(last_inbound_at=at)
                    )
                    return str(existing)
                try:
                    connection.execute(
                        CONTACTS.insert().values(sender_id=sender_id, wa_id=wa_id, last_inbound_at=at)
                    )
                except IntegrityError:
                    continue
                return sender_id
        return sender_id

    def _row(self, sender_id: str) -> Any:
        with self._engine.connect() as connection:
            return connection.execute(
                sa.select(CONTACTS.c.wa_id, CONTACTS.c.last_inbound_at).where(
                    CONTACTS.c.sender_id == sender_id
                )
            ).first()

    def wa_id_of(self, sender_id: str) -> str | None:
        row = self._row(sender_id)
        return str(row[0]) if row else None

    def last_inbound(self, sender_id: str) -> float | None:
        row = self._row(sender_id)
        return float(row[1]) if row else None

    def forget(self, sender_id: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(CONTACTS.delete().where(CONTACTS.c.sender_id == sender_id))

    def purge_older_than(self, cutoff: float) -> int:
        with self._engine.begin() as connection:
            result = connection.execute(CONTACTS.delete().where(CONTACTS.c.last_inbound_at < cutoff))
        return int(result.rowcount or 0)

    def first_delivery(self, message_key: str, at: float) -> bool:
        """True for the replica that records the message first (the key is the table's primary key)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(DELIVERIES.insert().values(message_key=message_key, received_at=at))
        except IntegrityError:
            return False
        return True

    def forget_deliveries_before(self, cutoff: float) -> None:
        with self._engine.begin() as connection:
            connection.execute(DELIVERIES.delete().where(DELIVERIES.c.received_at < cutoff))


class Contacts:
    """The channel's view: the store found through the running agent, the hashing and the retention."""

    def __init__(self, key: bytes, agent: Callable[[], Any], clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self._agent = agent
        self._clock = clock
        self._store: ContactStore | None = None
        self._engine: Any = None
        self._purged_at = 0.0
        self._deliveries_purged_at = 0.0
        self._memory = MemoryContacts()

    def store(self) -> ContactStore:
        """The SQL store on the tracker store's engine, or memory when the tracker store is not SQL."""
        tracker_store = getattr(self._agent(), "tracker_store", None)
        engine = getattr(innermost_store(tracker_store), "engine", None) if tracker_store else None
        if engine is None:
            return self._memory
        if self._store is None or engine is not self._engine:
            self._store, self._engine = SqlContacts(engine), engine
        return self._store

    def resident_wrote(self, wa_id: str) -> str:
        """Record the resident's message now; returns the conversation id for Rasa."""
        store = self.store()
        now = self._clock()
        sender_id = store.touch(wa_id, hashed_sender_id(wa_id, self._key), now)
        if now - self._purged_at > PURGE_EVERY_SECONDS:
            self._purged_at = now
            removed = store.purge_older_than(now - retention_days() * 86400)
            if removed:
                logger.info("Removed %d WhatsApp contacts past the retention period", removed)
        return sender_id

    def first_delivery(self, message_id: str) -> bool:
        """True the first time Meta delivers this message, on whichever replica it arrives."""
        store = self.store()
        now = self._clock()
        message_key = hmac.new(self._key, message_id.encode(), hashlib.sha256).hexdigest()
        if now - self._deliveries_purged_at > PURGE_EVERY_SECONDS:
            self._deliveries_purged_at = now
            store.forget_deliveries_before(now - DELIVERY_MEMORY_SECONDS)
        return store.first_delivery(message_key, now)

    def wa_id_of(self, sender_id: str) -> str | None:
        return self.store().wa_id_of(sender_id)

    def seconds_since_resident_wrote(self, sender_id: str) -> float | None:
        last = self.store().last_inbound(sender_id)
        return None if last is None else self._clock() - last

    def forget(self, sender_id: str) -> None:
        self.store().forget(sender_id)
