"""Rasa's Redis lock store, made safe for several Rasa replicas.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock with a plain GET, a change in Python
and a SET. Inside one process that is safe (the Redis client is synchronous, nothing else runs in
between), but two replicas that receive messages of one conversation at the same moment can both read
the same lock, both write it back, and both believe they hold the lock: the two messages are then
handled at the same time and the SQL tracker store keeps only one of them (tests/app/test_replicas.py
showed a lost user message). This subclass does every read-change-write of a lock in a Redis
transaction (WATCH / MULTI / EXEC, retried when another replica changed the lock in between), so
tickets are issued, served and removed one at a time across all replicas.

Usage (endpoints.production.yml)::

    lock_store:
      type: bot.assistant.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      db: ${RASA_LOCK_STORE_DB}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import WatchError

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
# change(lock) -> (lock to save, or None to delete the key, result); the lock is None when there is none
Change = Callable[[TicketLock | None], tuple[TicketLock | None, Result]]


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose lock changes are Redis transactions."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change[Result]) -> Result:
        """Apply `change` to the stored lock atomically; retried when another process changed it first."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    before = TicketLock.from_dict(json.loads(raw)) if raw else None
                    after, result = change(before)
                    pipe.multi()
                    if after is not None:
                        pipe.set(key, after.dumps())
                    elif before is not None:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except WatchError:
                    logger.debug("Lock of conversation '%s' changed meanwhile; retrying.", conversation_id)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock | None) -> tuple[TicketLock | None, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove this ticket, and the lock when no one is waiting, in one transaction."""

        def finish_and_remove(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish_and_remove)
